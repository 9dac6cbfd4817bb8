package sqlx

import (
	"path/filepath"
	"strings"
)

// SQLiteDSN returns the modernc.org/sqlite DSN every SQLite store opens: each
// pooled connection waits up to 10 s on a lock, uses WAL with
// synchronous=FULL, enforces foreign keys and begins transactions IMMEDIATE
// (so a read-then-write transaction cannot fail with SQLITE_BUSY on upgrade),
// and keeps temporary B-trees in memory (a report's GROUP BY sorts its rows
// there; a temporary file per statement cost ten times the query).
// The path is escaped: the driver splits the DSN at the first '?', and SQLite
// percent-decodes the path and stops it at '#'.
func SQLiteDSN(path string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path)) +
		"?_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=temp_store(2)" +
		"&_txlock=immediate"
}
