package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// DefaultPGURL is used when GRASSROOTS_PG_URL is unset or empty.
const DefaultPGURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// SchemaPrefix starts the name of every schema Postgres creates.
const SchemaPrefix = "gr_test_"

const (
	probeTimeout = 2 * time.Second  // reachability probe, once per process
	adminTimeout = 30 * time.Second // CREATE / DROP SCHEMA
	// staleAfter is the age after which a schema left behind by a killed
	// test process is dropped by the next process that probes the server.
	staleAfter = 24 * time.Hour
	// schemaComment marks the schemas this package created, with their birth.
	schemaComment = "grassroots testdb schema created "
)

// PGURL returns the PostgreSQL URL tests use: GRASSROOTS_PG_URL or DefaultPGURL.
func PGURL() string {
	if u := strings.TrimSpace(os.Getenv("GRASSROOTS_PG_URL")); u != "" {
		return u
	}
	return DefaultPGURL
}

// PG is one test's private PostgreSQL schema.
type PG struct {
	// DB is a pgx stdlib pool whose every connection has search_path set to
	// Schema only, so unqualified names resolve inside the test's schema.
	DB *sql.DB
	// Schema is the schema's name, gr_test_<16 hex digits>.
	Schema string

	cfg *pgx.ConnConfig // base config, search_path already set
	url string          // base URL as given (GRASSROOTS_PG_URL)
}

// Postgres creates a fresh schema with a random name, returns it with a pool
// onto it and, in t.Cleanup, closes the pool and drops the schema CASCADE.
//
// If the server cannot be reached the test is skipped, or failed when
// RequirePG reports true (CI=true or GRASSROOTS_REQUIRE_PG=1).
func Postgres(t testing.TB) *PG {
	t.Helper()
	rawURL := PGURL()
	base, err := pgx.ParseConfig(rawURL)
	if err != nil {
		t.Fatalf("testdb: GRASSROOTS_PG_URL %q does not parse: %v", redact(rawURL), err)
	}
	if base.ConnectTimeout == 0 {
		base.ConnectTimeout = 10 * time.Second
	}
	if err := probe(base); err != nil {
		if RequirePG() {
			t.Fatalf("PostgreSQL not reachable at %s: %v (required because CI=true or GRASSROOTS_REQUIRE_PG=1; run ./.ci/ensure-postgres)", redact(rawURL), err)
		}
		t.Skipf("PostgreSQL not reachable at %s: %v (set CI=true or GRASSROOTS_REQUIRE_PG=1 to fail instead)", redact(rawURL), err)
	}

	schema, err := randomSchemaName()
	if err != nil {
		t.Fatalf("testdb: random schema name: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	err = admin(ctx, base, func(conn *pgx.Conn) error {
		ident := pgx.Identifier{schema}.Sanitize()
		if _, err := conn.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
			return err
		}
		comment := schemaComment + time.Now().UTC().Format(time.RFC3339)
		_, err := conn.Exec(ctx, "COMMENT ON SCHEMA "+ident+" IS "+quoteLiteral(comment))
		return err
	})
	if err != nil {
		t.Fatalf("testdb: create schema %s at %s: %v", schema, redact(rawURL), err)
	}
	// Registered first, so it runs last: after every pool onto the schema
	// (registered below and by Open) has been closed.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		if err := dropSchema(ctx, base, schema); err != nil {
			t.Errorf("testdb: drop schema %s: %v (is a transaction on it still open?)", schema, err)
		}
	})

	cfg := base.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["search_path"] = schema
	p := &PG{Schema: schema, cfg: cfg, url: rawURL}
	p.DB = p.Open(t)
	return p
}

// Open opens a second, independent pool onto the same schema, as another
// process of the application would; it is closed in t.Cleanup. t may be a
// subtest's, in which case the pool is closed when that subtest ends.
func (p *PG) Open(t testing.TB) *sql.DB {
	t.Helper()
	db := stdlib.OpenDB(*p.ConnConfig())
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("testdb: close pool onto schema %s: %v", p.Schema, err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("testdb: connect to schema %s: %v", p.Schema, err)
	}
	return db
}

// ConnConfig returns a copy of the pgx configuration of the schema's
// connections (search_path set), for code that wants pgx directly.
func (p *PG) ConnConfig() *pgx.ConnConfig { return p.cfg.Copy() }

// URL returns a connection string for the same schema, for a child process:
// the base URL plus a search_path parameter, which pgx sends as a run-time
// parameter.
func (p *PG) URL() string {
	if u, err := url.Parse(p.url); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", p.Schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return p.url + " search_path=" + p.Schema // keyword/value form
}

var probed struct {
	once sync.Once
	err  error
}

// probe checks once per process that the server answers, within probeTimeout,
// and then sweeps schemas left behind by killed test processes.
func probe(base *pgx.ConnConfig) error {
	probed.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		cfg := base.Copy()
		cfg.ConnectTimeout = probeTimeout
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(context.Background())
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
				err = fmt.Errorf("%w (%v)", err, ctxErr)
			}
			probed.err = err
			return
		}
		sweepStale(base)
	})
	return probed.err
}

// sweepStale drops this package's schemas older than staleAfter. Errors are
// ignored: another process may be sweeping the same schemas.
func sweepStale(base *pgx.ConnConfig) {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	_ = admin(ctx, base, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, `
			SELECT nspname, obj_description(oid, 'pg_namespace')
			FROM pg_namespace
			WHERE starts_with(nspname, $1) AND starts_with(obj_description(oid, 'pg_namespace'), $2)`,
			SchemaPrefix, schemaComment)
		if err != nil {
			return err
		}
		var stale []string
		for rows.Next() {
			var name, comment string
			if err := rows.Scan(&name, &comment); err != nil {
				return err
			}
			born, err := time.Parse(time.RFC3339, strings.TrimPrefix(comment, schemaComment))
			if err == nil && time.Since(born) > staleAfter {
				stale = append(stale, name)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, name := range stale {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
		}
		return nil
	})
}

func dropSchema(ctx context.Context, base *pgx.ConnConfig, schema string) error {
	return admin(ctx, base, func(conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		return err
	})
}

// admin runs f on a fresh single connection with the base configuration.
func admin(ctx context.Context, base *pgx.ConnConfig, f func(*pgx.Conn) error) error {
	conn, err := pgx.ConnectConfig(ctx, base.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return f(conn)
}

func randomSchemaName() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return SchemaPrefix + hex.EncodeToString(b[:]), nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

var passwordKV = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// redact hides a password in a URL or keyword/value connection string.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	return passwordKV.ReplaceAllString(s, "${1}xxxxx")
}
