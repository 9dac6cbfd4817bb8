package sqlx

import (
	"path/filepath"
	"strings"
)

// SQLiteDSN returns the modernc.org/sqlite DSN every SQLite store opens: each
// pooled connection waits up to 10 s on a lock, uses WAL with
// synchronous=FULL, enforces foreign keys and begins transactions IMMEDIATE
// (so a read-then-write transaction cannot fail with SQLITE_BUSY on upgrade),
// keeps temporary B-trees in memory (a report's GROUP BY sorts its rows
// there; a temporary file per statement cost ten times the query), and
// caches at most 512 KiB of pages: the server keeps a connection for each
// request it ran at once (up to 64 under the load test), and SQLite's
// default 2 MB each took the server to 180 MB; pages a connection drops
// are read again from the operating system's file cache, and the reports
// over the 1M city cost the same (examples/citygen -bench-report 20).
// The path is escaped: the driver splits the DSN at the first '?', and SQLite
// percent-decodes the path and stops it at '#'.
func SQLiteDSN(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path)) +
		"?_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=temp_store(2)" +
		"&_pragma=cache_size(-512)" +
		"&_txlock=immediate"
}
