package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/sqlstore"
)

// TestMigrationMovesThePhoneIntoContacts: a person written before contacts
// existed (one phone in the persons row, an absent phone as a sealed empty
// string) reads after migration 7 with that phone as their first contact:
// masked, revealed in clear, found by it; the old columns are emptied.
func TestMigrationMovesThePhoneIntoContacts(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *sql.DB, s *sqlstore.Store) {
		ctx := context.Background()
		require.NoError(t, sqlstore.MigrateKernelTo(ctx, s, 6))
		kf, _, err := casework.EnsureKeyFile(filepath.Join(t.TempDir(), "keys.json"))
		require.NoError(t, err)
		sealer, err := kf.Sealer()
		require.NoError(t, err)
		k, err := casework.New(s, &casework.Config{Sealer: sealer, Clock: casework.NewFixedClock(time.Date(2024, 5, 20, 1, 0, 0, 0, time.UTC))})
		require.NoError(t, err)
		// The root unit and its admin as the program before contacts wrote
		// them (the kernel reads columns later steps add).
		root := casework.Unit{ID: "u-root"}
		_, err = db.ExecContext(ctx, `INSERT INTO units (id, code, name, level, parent_id, path, version, created_at, updated_at)
			VALUES ('u-root', '370300', '淄博市公安局', 1, NULL, '/u-root/', 1, 1, 1)`)
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, `INSERT INTO staff (id, unit_id, name, roles, areas, person_id, active, version, created_at, updated_at)
			VALUES ('s-admin', 'u-root', '管理员', '["admin"]', '[]', NULL, true, 1, 1, 1)`)
		require.NoError(t, err)
		adm := casework.Actor{StaffID: "s-admin", UnitID: root.ID, Roles: []casework.Role{casework.RoleAdmin}}

		// Two rows as the program before contacts wrote them.
		old := func(id, phone, masked string) {
			sealed, err := sealer.Seal(ctx, []byte(phone), []byte("person:"+id+":phone"))
			require.NoError(t, err)
			idx, err := sealer.BlindIndex(ctx, "person.phone", []byte(phone))
			require.NoError(t, err)
			var m any
			if masked != "" {
				m = masked
			}
			_, err = db.ExecContext(ctx, `INSERT INTO persons (id, unit_id, name, gender, doc_type, phone_sealed, phone_index, phone_masked,
				tags, unidentified, version, created_at, updated_at) VALUES ($1, $2, $3, 'female', 'none', $4, $5, $6, '[]', false, 1, 1, 1)`,
				id, root.ID, "居民"+id, sealed, idx, m)
			require.NoError(t, err)
		}
		old("p-phone", "13812345678", "138****5678")
		old("p-none", "", "")
		require.NoError(t, s.Migrate(ctx))
		off, err := k.CreateStaff(ctx, adm, casework.StaffInput{UnitID: root.ID, Name: "民警", Roles: []casework.Role{casework.RoleOfficer}})
		require.NoError(t, err)
		oa := casework.Actor{StaffID: off.ID, UnitID: root.ID, Roles: off.Roles}

		p, err := k.GetPerson(ctx, oa, "p-phone")
		require.NoError(t, err)
		require.Equal(t, "138****5678", p.Phone)
		require.Equal(t, []casework.Contact{{Kind: casework.ContactMobile, Value: "138****5678"}}, p.Contacts)
		r, err := k.RevealPerson(ctx, oa, "p-phone", "核实联系方式")
		require.NoError(t, err)
		require.Equal(t, "13812345678", r.Phone)
		found, _, err := k.FindPersons(ctx, oa, casework.PersonQuery{Contact: "+86 138-1234-5678"})
		require.NoError(t, err)
		require.Len(t, found, 1)
		require.Equal(t, "p-phone", found[0].ID)
		none, err := k.GetPerson(ctx, oa, "p-none")
		require.NoError(t, err)
		require.Empty(t, none.Contacts, "an absent phone does not become a contact")
		var left int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons WHERE phone_sealed IS NOT NULL OR phone_index IS NOT NULL`).Scan(&left))
		require.Zero(t, left, "no copy of a phone is left in the persons row")
	})
}
