package sqlstore

import (
	"context"
	"database/sql"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/outreach"
)

const campaignCols = `id, unit_id, name, description, starts, ends, unit_ids, goals, created_by, version, created_at, updated_at`

func scanCampaign(r scanner) (outreach.Campaign, error) {
	var c outreach.Campaign
	err := r.Scan(&c.ID, &c.UnitID, &c.Name, sqlx.Str{S: &c.Description}, sqlx.Time{T: &c.Starts}, sqlx.Time{T: &c.Ends},
		sqlx.JSON{V: &c.UnitIDs}, sqlx.JSON{V: &c.Goals}, &c.CreatedBy, &c.Version, sqlx.Time{T: &c.CreatedAt}, sqlx.Time{T: &c.UpdatedAt})
	return c, err
}

func campaignArgs(c outreach.Campaign) []any {
	return []any{c.ID, c.UnitID, c.Name, sqlx.S(c.Description), micro(c.Starts), micro(c.Ends), sqlx.JSON{V: c.UnitIDs},
		sqlx.JSON{V: c.Goals}, c.CreatedBy, c.Version, sqlx.T(c.CreatedAt), sqlx.T(c.UpdatedAt)}
}

// CreateCampaign implements outreach.Store.
func (s *Store) CreateCampaign(ctx context.Context, c outreach.Campaign, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO outreach_campaigns (`+campaignCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
			$10, $11, $12)`, campaignArgs(c)...)
		return err
	})
}

// UpdateCampaign implements outreach.Store.
func (s *Store) UpdateCampaign(ctx context.Context, c outreach.Campaign, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		return update(ctx, tx, "outreach_campaigns", outreach.RecordCampaign, c.ID, c.Version, `UPDATE outreach_campaigns SET
			unit_id = $2, name = $3, description = $4, starts = $5, ends = $6, unit_ids = $7, goals = $8, created_by = $9,
			version = $10, created_at = $11, updated_at = $12 WHERE id = $1 AND version = $13`, append(campaignArgs(c), c.Version-1)...)
	})
}

// GetCampaign implements outreach.Store.
func (s *Store) GetCampaign(ctx context.Context, id string) (outreach.Campaign, error) {
	c, err := scanCampaign(s.db.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM outreach_campaigns WHERE id = $1`, id))
	return c, sqlx.NotFound(err, outreach.RecordCampaign, id)
}

// ListCampaigns implements outreach.Store.
func (s *Store) ListCampaigns(ctx context.Context, f outreach.CampaignFilter, p casework.Page) ([]outreach.Campaign, error) {
	var a sqlx.Args
	q := `SELECT ` + campaignCols + ` FROM outreach_campaigns WHERE 1 = 1`
	if f.Related != "" {
		// The running unit's path is a prefix of Related (a unit above) or
		// Related is a prefix of it (a unit below).
		ph := a.Add(f.Related)
		q += ` AND unit_id IN (SELECT id FROM units WHERE substr(` + ph + `, 1, length(path)) = path
			OR substr(path, 1, length(` + ph + `)) = ` + ph + `)`
	}
	if !f.ActiveAt.IsZero() {
		at := a.Add(f.ActiveAt.UnixMicro())
		q += ` AND starts <= ` + at + ` AND ends > ` + at
	}
	q, err := casesql.PageClause(q, &a, p, "starts", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanCampaign)
}
