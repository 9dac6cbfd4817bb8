package testdb_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/grassroots-policing/grassroots/internal/testdb"
)

func TestSQLiteFileIsRealWALAndPragmasHoldOnEveryConnection(t *testing.T) {
	db, path := testdb.SQLiteFile(t)
	ctx := context.Background()

	if !filepath.IsAbs(path) {
		t.Errorf("path %q is not absolute", path)
	}
	if _, err := db.Exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parent(id))`); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("database file: %v", err)
	}
	if !fi.Mode().IsRegular() {
		t.Fatalf("%s is not a regular file: %v", path, fi.Mode())
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("WAL file: %v", err)
	}

	// Hold two distinct connections at once, so the pragmas are seen to be
	// set per connection by the DSN, not once on the first connection.
	c1, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	for i, c := range []*sql.Conn{c1, c2} {
		for pragma, want := range map[string]string{
			"journal_mode": "wal",
			"busy_timeout": "10000",
			"synchronous":  "2", // FULL
			"foreign_keys": "1",
			"temp_store":   "2", // MEMORY
			"cache_size":   "-512",
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, pragma, err)
			}
			if got != want {
				t.Errorf("conn %d: PRAGMA %s = %q, want %q", i, pragma, got, want)
			}
		}
	}

	if _, err := c1.ExecContext(ctx, `INSERT INTO child (id, parent) VALUES (1, 42)`); err == nil {
		t.Error("insert violating a foreign key succeeded; foreign_keys is not enforced")
	}
}

func TestSQLiteRawFileCanBeScanned(t *testing.T) {
	db, path := testdb.SQLiteFile(t)
	const marker = "grassroots-raw-file-marker-7f3a"
	if _, err := db.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO notes VALUES (?)`, marker); err != nil {
		t.Fatal(err)
	}
	// The row sits in the WAL until a checkpoint copies it into the main file.
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("SQLite format 3\x00")) {
		t.Errorf("%s has no SQLite header", path)
	}
	if !bytes.Contains(raw, []byte(marker)) {
		t.Errorf("marker not found in the raw file %s after checkpoint", path)
	}
}

func TestSQLiteEachCallIsAFreshDatabase(t *testing.T) {
	a, pathA := testdb.SQLiteFile(t)
	_, pathB := testdb.SQLiteFile(t)
	b := testdb.SQLite(t)
	if pathA == pathB {
		t.Fatalf("two databases share the file %s", pathA)
	}
	if _, err := a.Exec(`CREATE TABLE only_in_a (x)`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Exec(`SELECT * FROM only_in_a`); err == nil {
		t.Error("table created in one database is visible in another")
	}
}

func TestSQLiteDSNEscapesAwkwardPaths(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "we?ird #dir% 25")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "a?b#c%41.db")
	db, err := testdb.DefaultOpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not created at the exact path: %v", err)
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal (query parameters lost?)", mode, err)
	}
}

func TestPostgresSchemaIsolation(t *testing.T) {
	a := testdb.Postgres(t)
	b := testdb.Postgres(t)
	if a.Schema == b.Schema {
		t.Fatalf("two calls share schema %s", a.Schema)
	}
	for _, p := range []*testdb.PG{a, b} {
		if !strings.HasPrefix(p.Schema, testdb.SchemaPrefix) {
			t.Errorf("schema %q lacks prefix %q", p.Schema, testdb.SchemaPrefix)
		}
		var cur string
		if err := p.DB.QueryRow(`SELECT current_schema()`).Scan(&cur); err != nil {
			t.Fatal(err)
		}
		if cur != p.Schema {
			t.Errorf("current_schema() = %q, want %q", cur, p.Schema)
		}
	}

	if _, err := a.DB.Exec(`CREATE TABLE widgets (id int PRIMARY KEY, name text)`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.Exec(`INSERT INTO widgets VALUES (1, 'one')`); err != nil {
		t.Fatal(err)
	}
	var found *string
	if err := b.DB.QueryRow(`SELECT to_regclass('widgets')::text`).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != nil {
		t.Errorf("table created in %s is visible from %s as %s", a.Schema, b.Schema, *found)
	}
	if _, err := b.DB.Exec(`CREATE TABLE widgets (id int PRIMARY KEY)`); err != nil {
		t.Errorf("same table name in another schema: %v", err)
	}
}

func TestPostgresSecondPoolSeesSameSchema(t *testing.T) {
	p := testdb.Postgres(t)
	other := p.Open(t)
	if other == p.DB {
		t.Fatal("Open returned the same pool")
	}
	ctx := context.Background()
	if _, err := p.DB.Exec(`CREATE TABLE events (id int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DB.Exec(`INSERT INTO events VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	// Distinct backends: the two pools are independent "processes".
	c1, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	var pid1, pid2, id int
	if err := c1.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid1); err != nil {
		t.Fatal(err)
	}
	if err := c2.QueryRowContext(ctx, `SELECT pg_backend_pid(), (SELECT id FROM events)`).Scan(&pid2, &id); err != nil {
		t.Fatal(err)
	}
	if pid1 == pid2 {
		t.Error("the two pools share a backend")
	}
	if id != 7 {
		t.Errorf("second pool read %d, want 7", id)
	}

	// A child process would connect with p.URL().
	conn, err := pgx.Connect(ctx, p.URL())
	if err != nil {
		t.Fatalf("connect with %s: %v", p.URL(), err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT id FROM events`).Scan(&id); err != nil || id != 7 {
		t.Errorf("via URL(): id=%d err=%v", id, err)
	}
}

func TestPostgresCleanupDropsSchema(t *testing.T) {
	var schema string
	var db *sql.DB
	t.Run("user", func(t *testing.T) {
		p := testdb.Postgres(t)
		schema, db = p.Schema, p.DB
		if _, err := p.DB.Exec(`CREATE TABLE doomed (id int)`); err != nil {
			t.Fatal(err)
		}
		// A second pool with an idle connection must not block the DROP.
		if _, err := p.Open(t).Exec(`SELECT count(*) FROM doomed`); err != nil {
			t.Fatal(err)
		}
	})
	if schema == "" {
		if testdb.RequirePG() {
			t.Fatal("the subtest got no schema although PostgreSQL is required")
		}
		t.Skip("the subtest got no schema (PostgreSQL unreachable; it skipped)")
	}
	if err := db.Ping(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("pool still usable after cleanup: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, testdb.PGURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("schema %s still exists after cleanup", schema)
	}
}

// TestPostgresUnreachable runs this test binary again against a closed port
// and checks that the helper skips by default and fails under CI.
func TestPostgresUnreachable(t *testing.T) {
	if os.Getenv("TESTDB_CHILD") == "1" {
		testdb.Postgres(t)
		t.Fatal("Postgres returned for an unreachable server")
	}
	// A server that accepts connections and never answers: the probe must
	// give up after its own short timeout instead of hanging.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	// Port 1 on loopback: nothing listens there, refused at once.
	const refused = "postgres://postgres@127.0.0.1:1/test?sslmode=disable"
	silentURL := "postgres://postgres@" + silent.Addr().String() + "/test?sslmode=disable"

	for _, tc := range []struct {
		name string
		url  string
		env  []string
		fail bool
	}{
		{"default skips", refused, nil, false},
		{"CI fails", refused, []string{"CI=true"}, true},
		{"GRASSROOTS_REQUIRE_PG fails", refused, []string{"GRASSROOTS_REQUIRE_PG=1"}, true},
		{"silent server skips after timeout", silentURL, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestPostgresUnreachable$", "-test.v", "-test.count=1")
			cmd.Env = append(cleanEnv(), "TESTDB_CHILD=1", "GRASSROOTS_PG_URL="+tc.url)
			cmd.Env = append(cmd.Env, tc.env...)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatalf("run child: %v", err)
			}
			s := string(out)
			switch {
			case tc.fail && (err == nil || !strings.Contains(s, "--- FAIL") || !strings.Contains(s, "PostgreSQL not reachable")):
				t.Errorf("want failure, got err=%v:\n%s", err, s)
			case !tc.fail && (err != nil || !strings.Contains(s, "--- SKIP") || !strings.Contains(s, "set CI=true or GRASSROOTS_REQUIRE_PG=1")):
				t.Errorf("want skip, got err=%v:\n%s", err, s)
			}
			t.Logf("child ran %v", time.Since(start).Round(time.Millisecond))
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("child took %v; the probe should give up within seconds", d)
			}
		})
	}
}

// cleanEnv is the environment without the variables that steer the helper.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "CI", "GRASSROOTS_REQUIRE_PG", "GRASSROOTS_PG_URL", "TESTDB_CHILD":
			continue
		}
		env = append(env, kv)
	}
	return env
}

func TestLong(t *testing.T) {
	t.Setenv("GRASSROOTS_LONG", "1")
	if !testdb.Long() {
		t.Error("Long() = false with GRASSROOTS_LONG=1")
	}
	t.Setenv("GRASSROOTS_LONG", "")
	if testdb.Long() {
		t.Error("Long() = true with GRASSROOTS_LONG empty")
	}
}

// TestPostgresSweepsStaleSchemas checks that a new test process drops the
// schemas of killed test processes once they are a day old, and only those.
func TestPostgresSweepsStaleSchemas(t *testing.T) {
	if os.Getenv("TESTDB_CHILD") == "sweep" {
		testdb.Postgres(t) // the first call in a process sweeps
		return
	}
	p := testdb.Postgres(t) // skips or fails like the others without a server
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testdb.PGURL())
	if err != nil {
		t.Fatal(err)
	}
	// A cleanup, not a defer: the drops registered below run before it.
	t.Cleanup(func() { conn.Close(context.Background()) })
	suffix := strings.TrimPrefix(p.Schema, testdb.SchemaPrefix)
	schemas := map[string]string{ // name -> comment
		testdb.SchemaPrefix + "stale" + suffix:   "grassroots testdb schema created " + time.Now().Add(-25*time.Hour).UTC().Format(time.RFC3339),
		testdb.SchemaPrefix + "fresh" + suffix:   "grassroots testdb schema created " + time.Now().Add(-23*time.Hour).UTC().Format(time.RFC3339),
		testdb.SchemaPrefix + "foreign" + suffix: "made by another tool",
	}
	for name, comment := range schemas {
		ident := pgx.Identifier{name}.Sanitize()
		if _, err := conn.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+ident+" CASCADE"); err != nil {
				t.Errorf("drop %s: %v", name, err)
			}
		})
		if _, err := conn.Exec(ctx, "COMMENT ON SCHEMA "+ident+" IS '"+comment+"'"); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPostgresSweepsStaleSchemas$", "-test.count=1")
	cmd.Env = append(cleanEnv(), "TESTDB_CHILD=sweep", "GRASSROOTS_PG_URL="+testdb.PGURL())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for name := range schemas {
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, name).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if want := !strings.Contains(name, "stale"); exists != want {
			t.Errorf("schema %s: exists = %v, want %v", name, exists, want)
		}
	}
}
