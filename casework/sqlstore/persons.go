package sqlstore

import (
	"context"
	"database/sql"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
)

const personCols = `id, unit_id, name, gender, birth_date, doc_type, doc_sealed, doc_index, doc_masked,
	phone_sealed, phone_index, phone_masked, address_id, address, tags, sealed_tags, unidentified, description,
	version, created_at, updated_at`

func scanPerson(row interface{ Scan(...any) error }) (casework.PersonRecord, error) {
	var p casework.PersonRecord
	err := row.Scan(&p.ID, &p.UnitID, &p.Name, &p.Gender, sqlx.Time{T: &p.BirthDate}, &p.DocType, &p.DocSealed,
		sqlx.Str{S: &p.DocIndex}, sqlx.Str{S: &p.DocMasked}, &p.PhoneSealed, sqlx.Str{S: &p.PhoneIndex}, sqlx.Str{S: &p.PhoneMasked},
		sqlx.Str{S: &p.AddressID}, sqlx.Str{S: &p.Address}, sqlx.JSON{V: &p.Tags}, &p.SealedTags, &p.Unidentified,
		sqlx.Str{S: &p.Description}, &p.Version, sqlx.Time{T: &p.CreatedAt}, sqlx.Time{T: &p.UpdatedAt})
	return p, err
}

func personArgs(p casework.PersonRecord) []any {
	return []any{p.ID, p.UnitID, p.Name, p.Gender, sqlx.T(p.BirthDate), p.DocType, p.DocSealed, sqlx.S(p.DocIndex), sqlx.S(p.DocMasked),
		p.PhoneSealed, sqlx.S(p.PhoneIndex), sqlx.S(p.PhoneMasked), sqlx.S(p.AddressID), sqlx.S(p.Address), sqlx.List(p.Tags),
		p.SealedTags, p.Unidentified, sqlx.S(p.Description), p.Version, sqlx.T(p.CreatedAt), sqlx.T(p.UpdatedAt)}
}

// CreatePerson implements casework.PersonStore.
func (s *Store) CreatePerson(ctx context.Context, p casework.PersonRecord, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO persons (`+personCols+`) VALUES
			($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`, personArgs(p)...)
		return err
	})
}

// UpdatePerson implements casework.PersonStore.
func (s *Store) UpdatePerson(ctx context.Context, p casework.PersonRecord, ch casework.Change) error {
	return s.Write(ctx, ch, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE persons SET unit_id = $1, name = $2, gender = $3, birth_date = $4, doc_type = $5,
			doc_sealed = $6, doc_index = $7, doc_masked = $8, phone_sealed = $9, phone_index = $10, phone_masked = $11,
			address_id = $12, address = $13, tags = $14, sealed_tags = $15, unidentified = $16, description = $17,
			version = $18, updated_at = $19 WHERE id = $20 AND version = $21`,
			p.UnitID, p.Name, p.Gender, sqlx.T(p.BirthDate), p.DocType, p.DocSealed, sqlx.S(p.DocIndex), sqlx.S(p.DocMasked),
			p.PhoneSealed, sqlx.S(p.PhoneIndex), sqlx.S(p.PhoneMasked), sqlx.S(p.AddressID), sqlx.S(p.Address),
			sqlx.List(p.Tags), p.SealedTags, p.Unidentified, sqlx.S(p.Description), p.Version, sqlx.T(p.UpdatedAt),
			p.ID, p.Version-1)
		if err != nil {
			return err
		}
		return sqlx.CheckCAS(ctx, tx, res, "persons", "person", p.ID, p.Version-1)
	})
}

// GetPerson implements casework.PersonStore.
func (s *Store) GetPerson(ctx context.Context, id string) (casework.PersonRecord, error) {
	p, err := scanPerson(s.stmts.QueryRow(ctx, `SELECT `+personCols+` FROM persons WHERE id = $1`, id))
	return p, sqlx.NotFound(err, "person", id)
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
	if f.PhoneIndex != "" {
		q += ` AND phone_index = ` + a.Add(f.PhoneIndex)
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
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanPerson)
}
