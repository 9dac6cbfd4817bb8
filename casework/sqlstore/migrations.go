package sqlstore

import (
	"context"

	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// The migration refusals, for errors.Is. Both stop before anything is
// applied.
var (
	// ErrSchemaNewer: the database holds a step a newer program applied
	// ("database schema kernel v12 is newer than this program knows (v10);
	// upgrade the program").
	ErrSchemaNewer = sqlx.ErrSchemaNewer
	// ErrMigrationChanged: a step applied to the database differs from the
	// program's (its checksum changed); the error names the line and step.
	ErrMigrationChanged = sqlx.ErrMigrationChanged
)

// MigrationLine is a store's named line of migration steps. Only the
// stores of this module build one, since the steps' statements are written
// against the module's internal SQL dialect; a store of an integrator's own
// migrates its tables itself, after MigrateAll.
type MigrationLine = sqlx.Line

// Migrator is a store that owns a migration line: every workflow's SQL
// store (cases, mediation, outreach, recovery).
type Migrator interface {
	MigrationLine() MigrationLine
}

// MigrateAll is the one migration entry point: it migrates the kernel's
// line and then each workflow's, in the order given, on this store's
// database. Every line is checked first, so a database newer than the
// program (ErrSchemaNewer) or an applied step that was since edited
// (ErrMigrationChanged) is refused before anything changes. Each step
// records the checksum of its statements; a database migrated before
// checksums existed adopts the program's checksums on its first run.
// Rerunning it is a no-op.
func (s *Store) MigrateAll(ctx context.Context, workflows ...Migrator) error {
	lines := []sqlx.Line{{Name: "kernel", Steps: kernelMigrations}}
	for _, w := range workflows {
		lines = append(lines, w.MigrationLine())
	}
	return sqlx.MigrateLines(ctx, s.db, s.d, lines...)
}

// kernelMigrations is the kernel's migration line. Sensitive personal data
// is sealed from the first step: the persons table has no plaintext column
// for identity numbers, phones or sensitive tags.
var kernelMigrations = []sqlx.Step{{
	Version: 1,
	Stmts: func(d *sqlx.Dialect) []string {
		stmts := []string{
			`CREATE TABLE units (
				id TEXT PRIMARY KEY,
				code TEXT NOT NULL UNIQUE,
				name TEXT NOT NULL,
				level BIGINT NOT NULL,
				parent_id TEXT REFERENCES units (id),
				path TEXT NOT NULL UNIQUE,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE TABLE persons (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				name TEXT NOT NULL,
				gender TEXT NOT NULL,
				birth_date BIGINT,
				doc_type TEXT NOT NULL,
				doc_sealed BYTES,
				doc_index TEXT UNIQUE,
				doc_masked TEXT,
				phone_sealed BYTES,
				phone_index TEXT,
				phone_masked TEXT,
				address_id TEXT,
				address TEXT,
				tags TEXT NOT NULL,
				sealed_tags BYTES,
				unidentified BOOLEAN NOT NULL,
				description TEXT,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX persons_unit ON persons (unit_id, created_at, id)`,
			`CREATE INDEX persons_phone ON persons (phone_index)`,
			// One root: two concurrent bootstraps cannot both succeed.
			`CREATE UNIQUE INDEX units_one_root ON units ((parent_id IS NULL)) WHERE parent_id IS NULL`,
			`CREATE TABLE staff (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				name TEXT NOT NULL,
				roles TEXT NOT NULL,
				areas TEXT NOT NULL,
				person_id TEXT REFERENCES persons (id),
				active BOOLEAN NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX staff_unit ON staff (unit_id)`,
			`CREATE TABLE addresses (
				id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL REFERENCES units (id),
				code TEXT,
				text TEXT NOT NULL,
				community TEXT,
				registry TEXT NOT NULL,
				version BIGINT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL)`,
			`CREATE INDEX addresses_unit ON addresses (unit_id, created_at, id)`,
			`CREATE TABLE shares (
				id TEXT PRIMARY KEY,
				record_type TEXT NOT NULL,
				record_id TEXT NOT NULL,
				owner_unit_id TEXT NOT NULL REFERENCES units (id),
				unit_id TEXT NOT NULL REFERENCES units (id),
				granted_by TEXT NOT NULL,
				reason TEXT,
				created_at BIGINT NOT NULL,
				revoked_at BIGINT,
				revoked_by TEXT,
				version BIGINT NOT NULL)`,
			`CREATE INDEX shares_record ON shares (record_type, record_id)`,
			`CREATE INDEX shares_unit ON shares (unit_id)`,
			`CREATE TABLE audit_head (
				id BIGINT PRIMARY KEY CHECK (id = 1),
				seq BIGINT NOT NULL,
				hash BYTES NOT NULL)`,
			`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ` + zeroHash(d) + `)`,
			`CREATE TABLE audit_log (
				seq BIGINT PRIMARY KEY,
				at BIGINT NOT NULL,
				actor_id TEXT NOT NULL,
				unit_id TEXT NOT NULL,
				action TEXT NOT NULL,
				record_type TEXT NOT NULL,
				record_id TEXT NOT NULL,
				request_id TEXT NOT NULL,
				payload_digest BYTES NOT NULL,
				prev_hash BYTES NOT NULL,
				hash BYTES NOT NULL)`,
			`CREATE INDEX audit_log_record ON audit_log (record_type, record_id, seq)`,
			`CREATE TABLE audit_payloads (
				seq BIGINT PRIMARY KEY,
				payload BYTES NOT NULL)`,
			`CREATE TABLE audit_checkpoints (
				seq BIGINT PRIMARY KEY,
				hash BYTES NOT NULL,
				at BIGINT NOT NULL,
				key_id TEXT NOT NULL,
				signature BYTES NOT NULL)`,
			`CREATE TABLE request_keys (
				actor_id TEXT NOT NULL,
				key TEXT NOT NULL,
				fingerprint TEXT NOT NULL,
				record_type TEXT NOT NULL,
				record_id TEXT NOT NULL,
				result BYTES,
				created_at BIGINT NOT NULL,
				PRIMARY KEY (actor_id, key))`,
			`CREATE TABLE inbox (
				source_kind TEXT NOT NULL,
				source_id TEXT NOT NULL,
				step TEXT NOT NULL,
				record_type TEXT NOT NULL,
				record_id TEXT NOT NULL,
				created_at BIGINT NOT NULL,
				PRIMARY KEY (source_kind, source_id, step))`,
			`CREATE TABLE outbox (
				id TEXT PRIMARY KEY,
				kind TEXT NOT NULL,
				source_kind TEXT NOT NULL,
				source_id TEXT NOT NULL,
				step TEXT NOT NULL,
				payload TEXT NOT NULL,
				created_at BIGINT NOT NULL,
				attempts BIGINT NOT NULL DEFAULT 0,
				lease_owner TEXT,
				lease_until BIGINT,
				next_attempt BIGINT,
				delivered_at BIGINT,
				result_id TEXT,
				last_error TEXT)`,
			`CREATE INDEX outbox_pending ON outbox (delivered_at, created_at)`,
			`CREATE INDEX outbox_source ON outbox (source_kind, source_id)`,
		}
		stmts = append(stmts, d.AppendOnly("audit_log")...)
		return append(stmts, d.AppendOnly("audit_checkpoints")...)
	},
}, {
	// Dead hand-offs: a message out of attempts is kept with its last error
	// until an admin replays it (casework.Kernel.ReplayHandoff).
	Version: 2,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`ALTER TABLE outbox ADD COLUMN dead_at BIGINT`,
			`ALTER TABLE outbox ADD COLUMN replays BIGINT NOT NULL DEFAULT 0`,
			`CREATE INDEX outbox_dead ON outbox (dead_at, id)`,
		}
	},
}, {
	// SQLite's REPLACE deletes the row it replaces without firing the
	// DELETE trigger: refuse an INSERT over an existing row.
	Version: 3,
	Stmts: func(d *sqlx.Dialect) []string {
		return append(d.NoReplace("audit_log", "seq"), d.NoReplace("audit_checkpoints", "seq")...)
	},
}, {
	// Attachment bytes kept in the database itself (Store.DefaultBlobs),
	// by their SHA-256, unless the kernel is given another blob store.
	Version: 4,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{`CREATE TABLE attachment_blobs (
			sha256 TEXT PRIMARY KEY,
			size BIGINT NOT NULL,
			data BYTES NOT NULL)`}
	},
}, {
	// Uploads: who stored which bytes and whether a record links them
	// (casework.Upload). unit_id has no foreign key: the rows this step
	// adds for bytes stored before uploads were recorded have no unit
	// (nobody's reach) and count as linked since 1970, so the sweep never
	// removes bytes an older record may name.
	Version: 5,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{`CREATE TABLE attachment_uploads (
			id TEXT PRIMARY KEY,
			sha256 TEXT NOT NULL,
			size BIGINT NOT NULL,
			media_type TEXT NOT NULL,
			name TEXT NOT NULL,
			unit_id TEXT NOT NULL,
			staff_id TEXT NOT NULL,
			uploaded_at BIGINT NOT NULL,
			linked_at BIGINT)`,
			`CREATE INDEX attachment_uploads_sha256 ON attachment_uploads (sha256, uploaded_at, id)`,
			`CREATE INDEX attachment_uploads_stale ON attachment_uploads (uploaded_at, id) WHERE linked_at IS NULL`,
			`INSERT INTO attachment_uploads (id, sha256, size, media_type, name, unit_id, staff_id, uploaded_at, linked_at)
			SELECT 'before-uploads-' || sha256, sha256, size, 'application/octet-stream', sha256, '', 'system', 0, 0 FROM attachment_blobs`,
		}
	},
}, {
	// Request keys expire (casework.Config.RequestKeyTTL): the sweep
	// deletes those created before a cutoff, by this index rather than by
	// reading the whole table.
	Version: 6,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{`CREATE INDEX request_keys_created ON request_keys (created_at)`}
	},
}, {
	// Several contacts per person (casework.Contact), each sealed with its
	// blind index and masked form. A person's one phone moves in as their
	// first contact, kind mobile (the only kind a phone could be), with its
	// ciphertext, index and mask as they are: the first contact is sealed
	// under the field name the phone was and indexed the same way, so it
	// opens and is found as before. The phone columns are then emptied, so
	// no copy is left behind. Before contacts an absent phone was stored as
	// a sealed empty string with an empty mask; it does not move.
	Version: 7,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{`CREATE TABLE person_contacts (
			person_id TEXT NOT NULL REFERENCES persons (id),
			seq BIGINT NOT NULL,
			kind TEXT NOT NULL,
			sealed BYTES NOT NULL,
			contact_index TEXT NOT NULL,
			masked TEXT NOT NULL,
			PRIMARY KEY (person_id, seq))`,
			`CREATE INDEX person_contacts_index ON person_contacts (contact_index)`,
			`INSERT INTO person_contacts (person_id, seq, kind, sealed, contact_index, masked)
			SELECT id, 0, 'mobile', phone_sealed, phone_index, phone_masked FROM persons
			WHERE phone_sealed IS NOT NULL AND phone_index IS NOT NULL AND phone_masked IS NOT NULL AND phone_masked <> ''`,
			`UPDATE persons SET phone_sealed = NULL, phone_index = NULL, phone_masked = NULL`,
		}
	},
}, {
	// Shares expire and are revoked with a reason (casework.Share); a unit
	// lists the shares it received by (unit_id, created_at, id). Records
	// link uploaded attachments (casework.RecordAttachment), found by
	// record for the list and by digest for a download's reach.
	Version: 8,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{
			`ALTER TABLE shares ADD COLUMN expires_at BIGINT`,
			`ALTER TABLE shares ADD COLUMN revoke_reason TEXT`,
			`CREATE INDEX shares_received ON shares (unit_id, created_at, id)`,
			`CREATE TABLE record_attachments (
				record_type TEXT NOT NULL,
				record_id TEXT NOT NULL,
				sha256 TEXT NOT NULL,
				owner_unit_id TEXT NOT NULL REFERENCES units (id),
				name TEXT NOT NULL,
				media_type TEXT NOT NULL,
				size BIGINT NOT NULL,
				attached_by TEXT NOT NULL,
				attached_at BIGINT NOT NULL,
				PRIMARY KEY (record_type, record_id, sha256))`,
			`CREATE INDEX record_attachments_sha256 ON record_attachments (sha256)`,
		}
	},
}, {
	// A merged person (casework.Kernel.MergePersons) stays as a tombstone
	// naming the survivor it was merged into, and when.
	Version: 9,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{`ALTER TABLE persons ADD COLUMN merged_into TEXT REFERENCES persons (id)`,
			`ALTER TABLE persons ADD COLUMN merged_at BIGINT`}
	},
}, {
	// A closed unit says when and into which unit it was closed
	// (casework.Kernel.CloseUnit), and every open record its closing moved
	// is kept as a record move (casework.RecordMove), found by record for
	// its history and by the units it left and entered for the grid's
	// correction (QueryGrid), so past figures stay where they were counted.
	Version: 10,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{`ALTER TABLE units ADD COLUMN closed_at BIGINT`,
			`ALTER TABLE units ADD COLUMN closed_into TEXT REFERENCES units (id)`,
			`CREATE TABLE record_moves (
				kind TEXT NOT NULL,
				record_id TEXT NOT NULL,
				from_unit TEXT NOT NULL REFERENCES units (id),
				to_unit TEXT NOT NULL REFERENCES units (id),
				moved_at BIGINT NOT NULL)`,
			`CREATE INDEX record_moves_record ON record_moves (kind, record_id, moved_at)`,
			`CREATE INDEX record_moves_from ON record_moves (kind, from_unit)`,
			`CREATE INDEX record_moves_to ON record_moves (kind, to_unit)`,
		}
	},
}, {
	// On PostgreSQL a write queues its audit records and the database
	// places them in the chain at commit (auditChainSQL), so the chain
	// head is locked only for the commit itself.
	Version: 11,
	Stmts: func(d *sqlx.Dialect) []string {
		if d.Engine != sqlx.Postgres {
			return nil
		}
		return auditChainSQL()
	},
}, {
	// The roll-up series the workflows' migrations made (RollupStmts):
	// each one's source table and the statement that fills its rows from
	// that table, which a Fresh bulk load runs again after loading with the
	// roll-up triggers dropped (internal/bulkload).
	Version: 12,
	Stmts: func(*sqlx.Dialect) []string {
		return []string{`CREATE TABLE grid_rollups (
				series TEXT PRIMARY KEY,
				source TEXT NOT NULL,
				fill TEXT NOT NULL)`}
	},
}, {
	// On PostgreSQL the roll-up triggers add to rows of the writing
	// transaction's own shard, and run before the audit chain's head is
	// locked: the records are chained in a second round of the commit's
	// deferred triggers (rollup_shard.go). The workflows' migrations shard
	// their roll-up tables (ShardRollups).
	Version: 13,
	Stmts:   shardStep,
}}

func zeroHash(d *sqlx.Dialect) string {
	if d.Engine == sqlx.Postgres {
		return `'\x` + zeros64 + `'::bytea`
	}
	return `x'` + zeros64 + `'`
}

const zeros64 = "0000000000000000000000000000000000000000000000000000000000000000"
