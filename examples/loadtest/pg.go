package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgDatabase is a database the load test created for one run on the
// PostgreSQL server that GRASSROOTS_PG_URL names (internal/testdb's
// convention), so the server starts on an empty database and nothing of
// anybody else's is touched.
type pgDatabase struct {
	admin string // the URL it was created from
	name  string
	url   string // the new database's URL
}

func createPGDatabase(ctx context.Context, adminURL string) (*pgDatabase, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL URL does not parse: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("no PostgreSQL at %s: %w", u.Redacted(), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	name := "grassroots_load_" + strconv.Itoa(os.Getpid()) + "_" + strconv.FormatInt(time.Now().Unix(), 36)
	if _, err := conn.Exec(cctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	return &pgDatabase{admin: adminURL, name: name, url: u.String()}, nil
}

// drop removes the database, closing any connection left to it.
func (d *pgDatabase) drop(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, d.admin)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{d.name}.Sanitize()+" WITH (FORCE)")
}
