package main

import (
	"context"
	"database/sql"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/examples/internal/wiring"
)

// World is the four workflows wired on one kernel, as the reference server
// wires them (examples/internal/wiring).
type World = wiring.World

type stores = wiring.Stores

// memoryStores shares one in-memory database between the four packages.
func memoryStores() stores { return wiring.Memory() }

// sqlStores builds every store on one database and migrates it.
func sqlStores(ctx context.Context, db *sql.DB, engine casesql.Engine) (stores, error) {
	return wiring.SQL(ctx, db, engine)
}

// newWorld builds the services and connects the hand-offs.
func newWorld(s stores, cfg *casework.Config) (*World, error) { return wiring.New(s, cfg) }
