package main

import (
	"math"
	"slices"
	"time"
)

// rhythm is a day's share of the work: fewer visits and reports at the
// weekend, more in summer than in winter, and a dip over the Spring
// Festival.
func rhythm(d time.Time) float64 {
	weekday := [7]float64{0.55, 1.05, 1.0, 1.0, 1.0, 0.95, 0.65} // Sunday first
	season := 1 + 0.2*math.Sin(2*math.Pi*(float64(d.YearDay())-105)/365.25)
	if (d.Month() == time.January && d.Day() >= 20) || (d.Month() == time.February && d.Day() <= 10) {
		season *= 0.6
	}
	return weekday[d.Weekday()] * season
}

// spread draws n instants between the local midnights from and to
// (exclusive), each day weighted by rhythm and each instant between the
// hours lo and hi of its day, whole seconds, in order. Exactly n, always:
// the i-th instant falls in the i-th n-quantile of the weighted days.
func (g *gen) spread(n int, from, to time.Time, lo, hi int) []time.Time {
	var days []time.Time
	var cum []float64
	var sum float64
	for d := from; d.Before(to); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, d.Location()) {
		sum += rhythm(d)
		days = append(days, d)
		cum = append(cum, sum)
	}
	out := make([]time.Time, 0, n)
	if len(days) == 0 {
		return out
	}
	for i := range n {
		u := (float64(i) + g.rng.Float64()) / float64(n) * sum
		k, _ := slices.BinarySearch(cum, u)
		k = min(k, len(days)-1)
		secs := lo*3600 + g.rng.IntN((hi-lo)*3600)
		out = append(out, days[k].Add(time.Duration(secs)*time.Second))
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// after is t plus between lo and hi days, at a daytime hour (8:00–18:00).
func (g *gen) after(t time.Time, lo, hi int) time.Time {
	l := t.In(g.zone)
	d := time.Date(l.Year(), l.Month(), l.Day()+lo+g.rng.IntN(hi-lo+1), 8, 0, 0, 0, g.zone)
	d = d.Add(time.Duration(g.rng.IntN(10*3600)) * time.Second)
	if !d.After(t) {
		d = t.Add(time.Duration(1+g.rng.IntN(3600)) * time.Second)
	}
	return d
}

// localDay is the local midnight starting t's day.
func (g *gen) localDay(t time.Time) time.Time {
	l := t.In(g.zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, g.zone)
}

// pick returns a random element.
func pick[T any](g *gen, list []T) T { return list[g.rng.IntN(len(list))] }

// sample chooses k distinct indices below n whose instants satisfy ok,
// in random order; fewer when fewer satisfy it.
func (g *gen) sample(n, k int, ok func(i int) bool) []int {
	var cand []int
	for i := range n {
		if ok == nil || ok(i) {
			cand = append(cand, i)
		}
	}
	g.rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	return cand[:min(k, len(cand))]
}

func sortVisits(plan []plannedVisit) {
	slices.SortStableFunc(plan, func(a, b plannedVisit) int { return a.at.Compare(b.at) })
}

func sortFates(fates []caseFate) {
	slices.SortStableFunc(fates, func(a, b caseFate) int { return a.reported.Compare(b.reported) })
}
