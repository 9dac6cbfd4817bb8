// Package wiring assembles the four workflows on one kernel, the way every
// program in examples/ does: the stores of one backend, migrated through
// the one entry point, and the services with their hand-offs connected.
package wiring

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	cmem "github.com/grassroots-policing/grassroots/casework/cases/memstore"
	csql "github.com/grassroots-policing/grassroots/casework/cases/sqlstore"
	casemem "github.com/grassroots-policing/grassroots/casework/memstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/mediation"
	medmem "github.com/grassroots-policing/grassroots/mediation/memstore"
	medsql "github.com/grassroots-policing/grassroots/mediation/sqlstore"
	"github.com/grassroots-policing/grassroots/outreach"
	outmem "github.com/grassroots-policing/grassroots/outreach/memstore"
	outsql "github.com/grassroots-policing/grassroots/outreach/sqlstore"
	"github.com/grassroots-policing/grassroots/recovery"
	recmem "github.com/grassroots-policing/grassroots/recovery/memstore"
	recsql "github.com/grassroots-policing/grassroots/recovery/sqlstore"
)

// World is the four workflows wired on one kernel: the assembly a server
// makes. Packages never import each other; the wiring connects outreach's
// hand-offs to mediation and the case workflow, and the case workflow's
// property ledger to recovery, through the kernel's outbox.
type World struct {
	K         *casework.Kernel
	Cases     *cases.Service
	Mediation *mediation.Service
	Outreach  *outreach.Service
	Recovery  *recovery.Service
}

// Stores is one backend's five stores.
type Stores struct {
	Kernel    casework.KernelStore
	Cases     cases.Store
	Mediation mediation.Store
	Outreach  outreach.Store
	Recovery  recovery.Store
}

// Memory shares one in-memory database between the four packages.
func Memory() Stores {
	db := casemem.New()
	return Stores{Kernel: db, Cases: cmem.New(db), Mediation: medmem.New(db), Outreach: outmem.New(db), Recovery: recmem.New(db)}
}

// SQL builds every store on one database and migrates it through the one
// entry point: the kernel's line first, then each workflow's.
func SQL(ctx context.Context, db *sql.DB, engine casesql.Engine) (Stores, error) {
	k, err := casesql.New(db, engine)
	if err != nil {
		return Stores{}, err
	}
	cs, med, out, rec := csql.New(k), medsql.New(k), outsql.New(k), recsql.New(k)
	if err := k.MigrateAll(ctx, cs, med, out, rec); err != nil {
		return Stores{}, fmt.Errorf("migrate: %w", err)
	}
	return Stores{Kernel: k, Cases: cs, Mediation: med, Outreach: out, Recovery: rec}, nil
}

// New builds the services and connects the hand-offs.
func New(s Stores, cfg *casework.Config) (*World, error) {
	k, err := casework.New(s.Kernel, cfg)
	if err != nil {
		return nil, err
	}
	w := &World{K: k}
	if w.Cases, err = cases.New(k, s.Cases, nil); err != nil {
		return nil, err
	}
	if w.Mediation, err = mediation.New(k, s.Mediation, nil); err != nil {
		return nil, err
	}
	if w.Outreach, err = outreach.New(k, s.Outreach, nil); err != nil {
		return nil, err
	}
	if w.Recovery, err = recovery.New(k, s.Recovery, nil); err != nil {
		return nil, err
	}
	w.Cases.Connect(w.Recovery)
	return w, nil
}
