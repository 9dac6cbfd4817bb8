package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
	"github.com/grassroots-policing/grassroots/internal/bulkload"
)

// station is a police station of the generated tree with its staff and
// the residents recorded there.
type station struct {
	unit       casework.Unit
	branch     int
	weight     float64 // share of the city's work
	short      string  // name without 派出所, for organisation names
	officers   []casework.Actor
	supervisor casework.Actor
	persons    []personRef
}

type personRef struct{ id, docIndex string }

// gen is one generation run: the world it loads into, its random source,
// and the truth it keeps.
type gen struct {
	ctx      context.Context
	w        *wiring.World
	k        *casework.Kernel
	clock    *casework.FixedClock
	wr       *writer
	sealer   casework.Sealer
	rng      *rand.Rand
	rrng     *rand.Rand // referrals' own source (gen.referral)
	zone     *time.Location
	truth    *Truth
	bureau   casework.Unit
	branches []casework.Unit
	custody  []casework.Actor // one custodian per branch
	stations []*station
	cumW     []float64 // cumulative station weights
	admin    casework.Actor
	chief    casework.Actor // the bureau's supervisor, who reads the report
	auditor  casework.Actor // the bureau's auditor, who verifies the chain
	seq      map[string]int
	persons  int
	counters map[counterKey]int64
	last     time.Time // the latest time written, for the last checkpoint
	end      time.Time // the end of the history: nothing happens at or after it
	samples  map[string]string
	// openReferralDues are the due instants of the referrals still open at
	// the end of the history (Result.OpenReferralDues).
	openReferralDues []time.Time
}

type counterKey struct {
	unit string
	year int
}

// newGen builds the unit tree and the staff through the kernel's services
// (a few hundred writes) at setUpAt, then opens the bulk path after them.
func newGen(ctx context.Context, w *wiring.World, clock *casework.FixedClock, sealer casework.Sealer, seed uint64,
	setUpAt time.Time, lcfg bulkload.Config, open func(bulkload.Config) (*bulkload.Loader, error)) (*gen, error) {
	g := &gen{ctx: ctx, w: w, k: w.K, clock: clock, sealer: sealer, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		rrng: rand.New(rand.NewPCG(seed^0x5265666572726c73, seed)),
		zone: w.K.Zone(), truth: newTruth(), seq: map[string]int{}, counters: map[counterKey]int64{},
		samples: map[string]string{}}
	clock.Set(setUpAt)
	if err := g.tree(); err != nil {
		return nil, fmt.Errorf("unit tree: %w", err)
	}
	lcfg.CheckpointKeyID, _ = w.K.CheckpointPublicKey()
	l, err := open(lcfg)
	if err != nil {
		return nil, err
	}
	g.wr = &writer{l: l, k: w.K, counts: Counts{}}
	return g, nil
}

func (g *gen) tree() error {
	k, ctx := g.k, g.ctx
	bureau, admin, err := k.Bootstrap(ctx, casework.UnitInput{Code: bureauCode, Name: bureauName, Level: casework.LevelBureau},
		casework.StaffInput{Name: "系统管理员", Roles: []casework.Role{casework.RoleAdmin}})
	if err != nil {
		return err
	}
	g.bureau, g.admin = bureau, casework.Actor{StaffID: admin.ID, UnitID: bureau.ID, Roles: admin.Roles}
	g.truth.addUnit(bureau)
	staff := func(u casework.Unit, name string, roles ...casework.Role) (casework.Actor, error) {
		s, err := k.CreateStaff(ctx, g.admin, casework.StaffInput{UnitID: u.ID, Name: name, Roles: roles})
		return casework.Actor{StaffID: s.ID, UnitID: u.ID, Roles: roles}, err
	}
	if g.chief, err = staff(bureau, "市局指挥中心", casework.RoleSupervisor); err != nil {
		return err
	}
	if g.auditor, err = staff(bureau, "审计员", casework.RoleAuditor); err != nil {
		return err
	}
	for bi, b := range ziboBranches {
		bu, err := k.CreateUnit(ctx, g.admin, casework.UnitInput{Code: b.Code, Name: b.Name, Level: casework.LevelBranch, ParentID: bureau.ID})
		if err != nil {
			return err
		}
		g.branches = append(g.branches, bu)
		g.truth.addUnit(bu)
		c, err := staff(bu, b.Name+"涉案财物管理员", casework.RoleCustodian)
		if err != nil {
			return err
		}
		g.custody = append(g.custody, c)
		for si, name := range b.Stations {
			su, err := k.CreateUnit(ctx, g.admin, casework.UnitInput{Code: stationCode(b, si), Name: name, Level: casework.LevelStation, ParentID: bu.ID})
			if err != nil {
				return err
			}
			g.truth.addUnit(su)
			st := &station{unit: su, branch: bi, short: strings.TrimSuffix(name, "派出所"), weight: 0.5 + g.rng.Float64()}
			if bi == 0 {
				st.weight *= 1.6 // 张店, the city centre, is busiest
			}
			if st.supervisor, err = staff(su, name+"所长", casework.RoleSupervisor); err != nil {
				return err
			}
			for i := range 4 {
				o, err := staff(su, fmt.Sprintf("%s民警%d", st.short, i+1), casework.RoleOfficer, casework.RoleCommunityOfficer)
				if err != nil {
					return err
				}
				st.officers = append(st.officers, o)
			}
			g.stations = append(g.stations, st)
		}
	}
	var sum float64
	for _, st := range g.stations {
		sum += st.weight
		g.cumW = append(g.cumW, sum)
	}
	return nil
}

// pickStation chooses a station by weight.
func (g *gen) pickStation() *station {
	x := g.rng.Float64() * g.cumW[len(g.cumW)-1]
	lo, hi := 0, len(g.cumW)-1
	for lo < hi {
		m := (lo + hi) / 2
		if g.cumW[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return g.stations[lo]
}

// id makes the next id of a kind: readable, fixed width, deterministic.
func (g *gen) id(prefix string) string {
	g.seq[prefix]++
	return fmt.Sprintf("%s-%08d", prefix, g.seq[prefix])
}

// sample remembers the first record of a kind in a state, so that tests
// can find generated records to read and change through the services.
func (g *gen) sampled(what, id string) {
	if g.samples[what] == "" {
		g.samples[what] = id
	}
}

func (g *gen) officer(st *station) casework.Actor { return st.officers[g.rng.IntN(len(st.officers))] }

func (g *gen) seen(t time.Time) {
	if t.After(g.last) {
		g.last = t
	}
}

// finish writes the case number counters and the last checkpoint, and
// flushes.
func (g *gen) finish() error {
	keys := make([]counterKey, 0, len(g.counters))
	for k := range g.counters {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b counterKey) int {
		if c := strings.Compare(a.unit, b.unit); c != 0 {
			return c
		}
		return a.year - b.year
	})
	for _, k := range keys {
		if err := g.wr.counter(g.ctx, k.unit, k.year, g.counters[k]); err != nil {
			return err
		}
	}
	return g.wr.close(g.ctx, g.last)
}
