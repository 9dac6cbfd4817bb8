package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

// personCols leave out the phone_* columns: since kernel migration 7 a
// person's phones are in person_contacts, and those columns are NULL.
const personCols = `id, unit_id, name, gender, birth_date, doc_type, doc_sealed, doc_index, doc_masked,
	address_id, address, tags, sealed_tags, unidentified, description,
	version, created_at, updated_at, merged_into, merged_at`

func scanPerson(row interface{ Scan(...any) error }) (casework.PersonRecord, error) {
	var p casework.PersonRecord
	err := row.Scan(personDest(&p)...)
	return p, err
}

// personDest is where a row of personCols scans to.
func personDest(p *casework.PersonRecord) []any {
	return []any{&p.ID, &p.UnitID, &p.Name, &p.Gender, sqlx.Time{T: &p.BirthDate}, &p.DocType, &p.DocSealed,
		sqlx.Str{S: &p.DocIndex}, sqlx.Str{S: &p.DocMasked}, sqlx.Str{S: &p.AddressID}, sqlx.Str{S: &p.Address}, sqlx.JSON{V: &p.Tags}, &p.SealedTags, &p.Unidentified,
		sqlx.Str{S: &p.Description}, &p.Version, sqlx.Time{T: &p.CreatedAt}, sqlx.Time{T: &p.UpdatedAt},
		sqlx.Str{S: &p.MergedInto}, sqlx.Time{T: &p.MergedAt}}
}

// personByID reads a person and its contacts in one statement: a row per
// contact in order, or one row whose contact columns are NULL. Prepared
// once (Stmts), it makes an authorised read of a person one round trip.
var personByID = `SELECT p.` + strings.Join(strings.Fields(strings.ReplaceAll(personCols, ",", " ")), `, p.`) +
	`, c.kind, c.sealed, c.contact_index, c.masked
	FROM persons p LEFT JOIN person_contacts c ON c.person_id = p.id WHERE p.id = $1 ORDER BY c.seq`

func personArgs(p casework.PersonRecord) []any {
	return []any{p.ID, p.UnitID, p.Name, p.Gender, sqlx.T(p.BirthDate), p.DocType, p.DocSealed, sqlx.S(p.DocIndex), sqlx.S(p.DocMasked),
		sqlx.S(p.AddressID), sqlx.S(p.Address), sqlx.List(p.Tags),
		p.SealedTags, p.Unidentified, sqlx.S(p.Description), p.Version, sqlx.T(p.CreatedAt), sqlx.T(p.UpdatedAt),
		sqlx.S(p.MergedInto), sqlx.T(p.MergedAt)}
}

// CreatePerson implements casework.PersonStore.
func (s *Store) CreatePerson(ctx context.Context, p casework.PersonRecord, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO persons (`+personCols+`) VALUES
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, personArgs(p)...)
		if err != nil {
			return err
		}
		return insertContacts(ctx, tx, p)
	})
}

// UpdatePerson implements casework.PersonStore.
func (s *Store) UpdatePerson(ctx context.Context, p casework.PersonRecord, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE persons SET unit_id = $1, name = $2, gender = $3, birth_date = $4, doc_type = $5,
			doc_sealed = $6, doc_index = $7, doc_masked = $8,
			address_id = $9, address = $10, tags = $11, sealed_tags = $12, unidentified = $13, description = $14,
			version = $15, updated_at = $16, merged_into = $19, merged_at = $20 WHERE id = $17 AND version = $18`,
			p.UnitID, p.Name, p.Gender, sqlx.T(p.BirthDate), p.DocType, p.DocSealed, sqlx.S(p.DocIndex), sqlx.S(p.DocMasked),
			sqlx.S(p.AddressID), sqlx.S(p.Address),
			sqlx.List(p.Tags), p.SealedTags, p.Unidentified, sqlx.S(p.Description), p.Version, sqlx.T(p.UpdatedAt),
			p.ID, p.Version-1, sqlx.S(p.MergedInto), sqlx.T(p.MergedAt))
		if err != nil {
			return err
		}
		if err := sqlx.CheckCAS(ctx, tx, res, "persons", "person", p.ID, p.Version-1); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM person_contacts WHERE person_id = $1`, p.ID); err != nil {
			return err
		}
		return insertContacts(ctx, tx, p)
	})
}

var _ casework.PersonUnitStore = (*Store)(nil)

// GetPerson implements casework.PersonStore.
func (s *Store) GetPerson(ctx context.Context, id string) (casework.PersonRecord, error) {
	rows, err := s.stmts.QueryContext(ctx, personByID, id)
	if err != nil {
		return casework.PersonRecord{}, sqlx.Translate(err)
	}
	defer rows.Close()
	var (
		p     casework.PersonRecord
		found bool
	)
	for rows.Next() {
		var (
			c                   casework.ContactRecord
			kind, index, masked sql.NullString
		)
		if err := rows.Scan(append(personDest(&p), &kind, &c.Sealed, &index, &masked)...); err != nil {
			return casework.PersonRecord{}, sqlx.Translate(err)
		}
		found = true
		if kind.Valid {
			c.Kind, c.Index, c.Masked = casework.ContactKind(kind.String), index.String, masked.String
			p.Contacts = append(p.Contacts, c)
		}
	}
	if err := rows.Err(); err != nil {
		return casework.PersonRecord{}, sqlx.Translate(err)
	}
	if !found {
		return casework.PersonRecord{}, errs.NotFound("person", id)
	}
	return p, nil
}

// PersonUnit implements casework.PersonUnitStore: a reference to a person
// is checked against the actor's reach without reading the record and its
// contacts.
func (s *Store) PersonUnit(ctx context.Context, id string) (string, error) {
	var unit string
	err := s.stmts.QueryRow(ctx, `SELECT unit_id FROM persons WHERE id = $1`, id).Scan(&unit)
	return unit, sqlx.NotFound(err, "person", id)
}

// ListPersons implements casework.PersonStore.
func (s *Store) ListPersons(ctx context.Context, f casework.PersonFilter, p casework.Page) ([]casework.PersonRecord, error) {
	var a sqlx.Args
	q := `SELECT ` + personCols + ` FROM persons WHERE 1 = 1`
	if f.UnitUnder != "" {
		q += ` AND ` + sqlx.Under("unit_id", a.Add(f.UnitUnder))
	}
	if f.DocIndex != "" {
		q += ` AND doc_index = ` + a.Add(f.DocIndex)
	}
	if f.ContactIndexes != nil {
		q += ` AND id IN (SELECT person_id FROM person_contacts WHERE contact_index IN (` + sqlx.In(&a, f.ContactIndexes) + `))`
	}
	if f.Name != "" {
		q += ` AND name = ` + a.Add(f.Name)
	}
	if f.IDs != nil {
		q += ` AND id IN (` + sqlx.In(&a, f.IDs) + `)`
	}
	q, err := pageClause(q, &a, p)
	if err != nil {
		return nil, err
	}
	ps, err := sqlx.QueryAll(ctx, s.db, q, a.List, scanPerson)
	if err != nil {
		return nil, err
	}
	return ps, s.loadContacts(ctx, ps)
}

func insertContacts(ctx context.Context, tx *sql.Tx, p casework.PersonRecord) error {
	for i, c := range p.Contacts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_contacts (person_id, seq, kind, sealed, contact_index, masked)
			VALUES ($1, $2, $3, $4, $5, $6)`, p.ID, i, c.Kind, c.Sealed, c.Index, c.Masked); err != nil {
			return err
		}
	}
	return nil
}

// loadContacts fills the persons' contacts with one query.
func (s *Store) loadContacts(ctx context.Context, ps []casework.PersonRecord) error {
	if len(ps) == 0 {
		return nil
	}
	at := make(map[string]int, len(ps))
	ids := make([]string, len(ps))
	for i, p := range ps {
		at[p.ID], ids[i] = i, p.ID
	}
	var a sqlx.Args
	type row struct {
		personID string
		c        casework.ContactRecord
	}
	rows, err := sqlx.QueryAll(ctx, s.db, `SELECT person_id, kind, sealed, contact_index, masked FROM person_contacts
		WHERE person_id IN (`+sqlx.In(&a, ids)+`) ORDER BY person_id, seq`, a.List, func(sc sqlx.Scanner) (row, error) {
		var r row
		err := sc.Scan(&r.personID, &r.c.Kind, &r.c.Sealed, &r.c.Index, &r.c.Masked)
		return r, err
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		i := at[r.personID]
		ps[i].Contacts = append(ps[i].Contacts, r.c)
	}
	return nil
}
