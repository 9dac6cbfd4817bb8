package testdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// Statements counts the SQL statements a pool sends, for tests that prove
// a list costs the same number of queries at any size.
type Statements struct{ n atomic.Int64 }

// N is the number of statements sent so far.
func (s *Statements) N() int64 { return s.n.Load() }

// CountingSQLite is SQLite (a fresh file in t.TempDir()) through a driver
// wrapper that counts every statement the pool executes or queries,
// prepared or not (each run of a prepared statement counts), transactions'
// BEGIN and COMMIT not included.
func CountingSQLite(t testing.TB) (*sql.DB, *Statements) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	plain, err := sql.Open(SQLiteDriver, SQLiteDSN(path))
	if err != nil {
		t.Fatalf("testdb: open SQLite %s: %v", path, err)
	}
	st := &Statements{}
	db := sql.OpenDB(countingConnector{d: plain.Driver(), dsn: SQLiteDSN(path), st: st})
	_ = plain.Close()
	t.Cleanup(func() { _ = db.Close() })
	return db, st
}

type countingConnector struct {
	d   driver.Driver
	dsn string
	st  *Statements
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.d.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{conn: conn, st: c.st}, nil
}

func (c countingConnector) Driver() driver.Driver { return c.d }

// countingConn passes everything to the driver's connection, which
// implements the context interfaces (modernc.org/sqlite does).
type countingConn struct {
	conn driver.Conn
	st   *Statements
}

func (c countingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return countingStmt{Stmt: s, st: c.st}, nil
}

// countingStmt counts each run of a prepared statement (a statement
// prepared once and run many times counts each time it runs). database/sql
// runs it through the context methods, which the wrapped statement
// (modernc.org/sqlite's) implements.
type countingStmt struct {
	driver.Stmt
	st *Statements
}

func (s countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.st.n.Add(1)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.st.n.Add(1)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (c countingConn) Close() error { return c.conn.Close() }

func (c countingConn) Begin() (driver.Tx, error) { //nolint:staticcheck // required by driver.Conn
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.st.n.Add(1)
	return c.conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.st.n.Add(1)
	return c.conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}
