package main

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"syscall"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
	"github.com/grassroots-policing/grassroots/internal/bulkload"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/outreach"
)

// Size is how many records of each kind a city has.
type Size struct {
	Visits, Disputes, Cases, Items int
}

// FullSize is the city of the issue: a million visits over three years.
var FullSize = Size{Visits: 1_000_000, Disputes: 100_000, Cases: 100_000, Items: 300_000}

// Scaled is s times f, each kind at least 1.
func (s Size) Scaled(f float64) Size {
	n := func(x int) int { return max(1, int(float64(x)*f+0.5)) }
	return Size{Visits: n(s.Visits), Disputes: n(s.Disputes), Cases: n(s.Cases), Items: n(s.Items)}
}

// Options choose the city.
type Options struct {
	Seed uint64
	Size Size
	// From and To are the local midnights that start the history and end
	// it (exclusive). Default 2019-01-01 to 2022-01-01.
	From, To time.Time
	// Article builds the article's city instead (its own history; Size,
	// From and To are ignored).
	Article bool
	// CheckpointKey is the kernel's checkpoint signing key
	// (casework.Config.CheckpointKey): the bulk path signs with it.
	CheckpointKey ed25519.PrivateKey
	// Bulk tuning; zero means bulkload's defaults.
	CheckpointEvery int64
	FlushRows       int
}

// Result is a built city: what the generator knows of it without asking
// the store.
type Result struct {
	Truth   *Truth
	Bureau  casework.Unit
	Admin   casework.Actor
	Chief   casework.Actor // the bureau's supervisor: may read every report
	Auditor casework.Actor // the bureau's auditor: may verify the audit chain
	Records int64          // audit entries written by the bulk path (Counts.Total records and their changes)
	Rows    int64          // rows written by the bulk path, audit rows included
	Load    time.Duration
	CPU     time.Duration // this process's CPU time (user and system, every core) during Load
	Counts  Counts        // records by type
	// Phases are the wall times of the load's steps after the generation
	// (the last flush, the index builds, the roll-up fill …).
	Phases  []bulkload.Phase
	Head    casework.AuditHead
	Periods []ArticlePeriod // the article's figures by period (Article only)
	// OpenReferralDues are the due instants of the referrals left open at
	// the end of the history, each once: the referrals overdue at an
	// instant are those due at or before it.
	OpenReferralDues []time.Time
	// Samples name the first generated record of a kind in a state:
	// "visit", "visit.dispute" (one that found a dispute), "hazard.<status>", "case.<state>", "item.returned",
	// "dispute.settled", "person", "referral.closed", "referral.open", "referral.overdue" (chased).
	Samples map[string]string
}

// Build generates a city into the world w, whose kernel runs on clock
// and seals with sealer, over db (engine) migrated by wiring.SQL. The
// database must be empty.
func Build(ctx context.Context, w *wiring.World, clock *casework.FixedClock, sealer casework.Sealer, db *sql.DB, engine sqlx.Engine, o Options) (*Result, error) {
	zone := w.K.Zone()
	if o.From.IsZero() {
		o.From = time.Date(2019, 1, 1, 0, 0, 0, 0, zone)
	}
	if o.To.IsZero() {
		o.To = time.Date(2022, 1, 1, 0, 0, 0, 0, zone)
	}
	if o.Article {
		o.From, o.To = articleFrom(zone), articleEnd(zone)
	}
	// The database is new (Build's contract): a load cut short is thrown
	// away and generated again, so the bulk path may load it without
	// journal, fsync and secondary indexes until Close (bulkload.Config.Fresh).
	lcfg := bulkload.Config{CheckpointKey: o.CheckpointKey, CheckpointEvery: o.CheckpointEvery, FlushRows: o.FlushRows, Fresh: true,
		CPU: processCPU}
	g, err := newGen(ctx, w, clock, sealer, o.Seed, o.From.AddDate(0, 0, -7), lcfg, func(c bulkload.Config) (*bulkload.Loader, error) {
		return bulkload.Open(ctx, db, engine, c)
	})
	if err != nil {
		return nil, err
	}
	g.end = o.To
	start, cpu0 := time.Now(), processCPU()
	res := &Result{Samples: g.samples, Truth: g.truth, Bureau: g.bureau, Admin: g.admin, Chief: g.chief, Auditor: g.auditor}
	if o.Article {
		res.Periods, err = g.article()
	} else {
		err = g.city(o.Size, o.From, o.To)
	}
	if err != nil {
		return nil, err
	}
	if err := g.finish(); err != nil {
		return nil, err
	}
	casesql.KeepConnections(db) // the Fresh load closed the idle SQLite connections
	res.Load, res.CPU = time.Since(start), processCPU()-cpu0
	res.Records, res.Rows, res.Head, res.Counts = g.wr.l.Records(), g.wr.l.Rows(), g.wr.l.Head(), g.wr.counts
	res.Phases = g.wr.l.Phases()
	res.OpenReferralDues = g.openReferralDues
	return res, nil
}

// processCPU is the CPU time this process has used so far, on every core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// city is the usual city: size records over [from, to) with the rhythm of
// the week and the seasons.
func (g *gen) city(s Size, from, to time.Time) error {
	if err := g.residents(max(300, s.Visits/8+s.Cases/4), from.AddDate(0, 0, -1)); err != nil {
		return err
	}
	if err := g.randomVisits(s, from, to); err != nil {
		return err
	}
	for _, t := range g.spread(s.Disputes-min(s.Disputes/5, s.Visits), from, to, 8, 22) {
		src := pick(g, []string{"walk_in", "walk_in", "call_110", "referral_agency"})
		if err := g.dispute(g.pickStation(), g.id("d"), t, src, nil, nil, g.randomFate(t)); err != nil {
			return err
		}
	}
	return g.randomCases(s, from, to)
}

var visitKinds = []struct {
	kind   outreach.TargetKind
	weight int // per thousand
	pool   int // visits per distinct organisation; 0: residents
}{
	{outreach.DifficultFamily, 700, 0}, {outreach.KeyPersonFamily, 50, 0}, {outreach.SpecialPersonFamily, 50, 0},
	{outreach.SecurityKeySite, 80, 4}, {outreach.StrugglingEnterprise, 30, 3}, {outreach.School, 30, 10},
	{outreach.Village, 30, 20}, {outreach.Community, 20, 20}, {outreach.Online, 10, 50},
}

func (g *gen) randomVisits(s Size, from, to time.Time) error {
	times := g.spread(s.Visits, from, to, 8, 20)
	plan := make([]plannedVisit, len(times))
	for i, t := range times {
		r, k := g.rng.IntN(1000), 0
		for r >= visitKinds[k].weight && k < len(visitKinds)-1 {
			r -= visitKinds[k].weight
			k++
		}
		vk := visitKinds[k]
		plan[i] = plannedVisit{at: t, kind: vk.kind, target: -1}
		if vk.pool > 0 {
			plan[i].target = g.rng.IntN(max(1, s.Visits*vk.weight/1000/vk.pool))
		}
	}
	for _, i := range g.sample(len(plan), len(plan)*15/1000, nil) {
		plan[i].hazard = true
	}
	for _, i := range g.sample(len(plan), len(plan)*3/1000, nil) {
		plan[i].lead = true
	}
	for _, i := range g.sample(len(plan), min(s.Disputes/5, s.Visits), nil) {
		plan[i].dispute = true
	}
	return g.writeVisits(plan, map[orgKey]*station{}, g.randomFate)
}

// randomCases: nine in ten filed, six in ten of those solved within 40
// days, a few withdrawn; seven in ten of a solved case's items recovered,
// three in four of those returned within six weeks, a third of them at
// their branch's monthly return event.
func (g *gen) randomCases(s Size, from, to time.Time) error {
	events := map[[3]int]*eventPlan{}
	var order []*eventPlan
	times := g.spread(s.Cases, from, to, 0, 24)
	itemsLeft := s.Items
	for i, t := range times {
		st := g.pickStation()
		f := caseFate{st: st, reported: t, filed: g.rng.IntN(100) < 92}
		if f.filed {
			switch r := g.rng.IntN(100); {
			case r < 60:
				if solved := g.after(t, 1, 40); solved.Before(to) {
					f.solved = solved
				}
			case r < 63:
				f.dropped = true
			}
		}
		n := itemsLeft / (len(times) - i)
		if rem := itemsLeft % (len(times) - i); g.rng.IntN(len(times)-i) < rem {
			n++
		}
		itemsLeft -= n
		for range n {
			it := g.randomItem()
			if !f.solved.IsZero() && g.rng.IntN(10) < 7 {
				it.recover = true
				if g.rng.IntN(4) < 3 {
					it.returned = g.after(f.solved, 3, 40)
					if g.rng.IntN(3) == 0 {
						l := it.returned.In(g.zone)
						held := time.Date(l.Year(), l.Month(), 20, 9, 30, 0, 0, g.zone)
						if held.Before(f.solved.Add(72 * time.Hour)) {
							held = held.AddDate(0, 1, 0)
						}
						if held.Before(to) {
							key := [3]int{st.branch, held.Year(), int(held.Month())}
							if events[key] == nil {
								events[key] = &eventPlan{id: g.id("e"), branch: st.branch, held: held}
								order = append(order, events[key])
							}
							it.returned, it.event = held, events[key]
						}
					}
				}
			}
			f.items = append(f.items, it)
		}
		if err := g.writeCase(f); err != nil {
			return err
		}
	}
	return g.writeEvents(order)
}
