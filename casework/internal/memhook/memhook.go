// Package memhook lets the kernel's tamper tests edit a memory database's raw
// audit log, as an attacker with storage rights would. It is internal so that
// no importer of the module can reach the hook: casework/memstore sets it when
// it loads, and only packages under casework/ can call it.
package memhook

import "github.com/grassroots-policing/grassroots/casework"

// Func edits the raw audit entries, payloads and checkpoints in place.
type Func = func(entries *[]casework.AuditEntry, payloads map[int64][]byte, checkpoints *[]casework.Checkpoint)

// Tamper runs fn on db's audit log under db's write lock; db is a
// *memstore.DB (the hook cannot name the type: memstore imports this package).
var Tamper func(db any, fn Func)
