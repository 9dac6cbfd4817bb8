package main

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

type stores struct {
	kernel    casework.KernelStore
	cases     cases.Store
	mediation mediation.Store
	outreach  outreach.Store
	recovery  recovery.Store
}

// memoryStores shares one in-memory database between the four packages.
func memoryStores() stores {
	db := casemem.New()
	return stores{kernel: db, cases: cmem.New(db), mediation: medmem.New(db), outreach: outmem.New(db), recovery: recmem.New(db)}
}

// sqlStores builds every store on one database and migrates it through
// the one entry point: the kernel's line first, then each workflow's.
func sqlStores(ctx context.Context, db *sql.DB, engine casesql.Engine) (stores, error) {
	k, err := casesql.New(db, engine)
	if err != nil {
		return stores{}, err
	}
	cs, med, out, rec := csql.New(k), medsql.New(k), outsql.New(k), recsql.New(k)
	if err := k.MigrateAll(ctx, cs, med, out, rec); err != nil {
		return stores{}, fmt.Errorf("migrate: %w", err)
	}
	return stores{kernel: k, cases: cs, mediation: med, outreach: out, recovery: rec}, nil
}

// newWorld builds the services and connects the hand-offs.
func newWorld(s stores, cfg *casework.Config) (*World, error) {
	k, err := casework.New(s.kernel, cfg)
	if err != nil {
		return nil, err
	}
	w := &World{K: k}
	if w.Cases, err = cases.New(k, s.cases, nil); err != nil {
		return nil, err
	}
	if w.Mediation, err = mediation.New(k, s.mediation, nil); err != nil {
		return nil, err
	}
	if w.Outreach, err = outreach.New(k, s.outreach, nil); err != nil {
		return nil, err
	}
	if w.Recovery, err = recovery.New(k, s.recovery, nil); err != nil {
		return nil, err
	}
	w.Cases.Connect(w.Recovery)
	return w, nil
}
