package sqlx

import (
	"database/sql"
	"runtime"
	"sync"
	"sync/atomic"
	"weak"
)

// writeCounts holds each database's count of Tx's transactions begun and
// ended in this process, keyed weakly as groups is.
var writeCounts sync.Map // weak.Pointer[sql.DB] → *atomic.Uint64

// WriteCount is a number that moves when a transaction of Tx on db begins
// in this process, and again once it has committed or rolled back; nothing
// else moves it. So what a read found after it said n holds, as far as
// this process's writes go, for as long as it still says n: a write in
// flight at the time moves it when it ends, and any later one when it
// begins. A cache keyed by it (casework.WriteCounter) relies on that. A
// write inside a transaction the application opened (WithTx) ends when its
// savepoint is released, before that transaction commits. The counter is
// the same for every call with db: a caller may keep it.
func WriteCount(db *sql.DB) *atomic.Uint64 {
	key := weak.Make(db)
	if c, ok := writeCounts.Load(key); ok {
		return c.(*atomic.Uint64)
	}
	c, loaded := writeCounts.LoadOrStore(key, new(atomic.Uint64))
	if !loaded {
		runtime.AddCleanup(db, func(k weak.Pointer[sql.DB]) { writeCounts.Delete(k) }, key)
	}
	return c.(*atomic.Uint64)
}
