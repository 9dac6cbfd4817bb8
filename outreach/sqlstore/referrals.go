package sqlstore

import (
	"time"

	"context"
	"database/sql"

	"github.com/grassroots-policing/grassroots/casework"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/sqlx"
	"github.com/grassroots-policing/grassroots/outreach"
)

const referralCols = `id, unit_id, visit_id, sensitive, agency, agency_name, request, owner_id, due, status, follow_ups, outcome,
	outcome_note, closed_at, closed_by, created_by, version, created_at, updated_at, overdue_noticed_at`

func scanReferral(r scanner) (outreach.Referral, error) {
	var x outreach.Referral
	err := r.Scan(&x.ID, &x.UnitID, &x.VisitID, &x.Sensitive, &x.Agency, sqlx.Str{S: &x.AgencyName}, &x.Request, &x.OwnerID,
		sqlx.Time{T: &x.Due}, &x.Status, sqlx.JSON{V: &x.FollowUps}, sqlx.Str{S: (*string)(&x.Outcome)}, sqlx.Str{S: &x.OutcomeNote},
		sqlx.Time{T: &x.ClosedAt}, sqlx.Str{S: &x.ClosedBy}, &x.CreatedBy, &x.Version, sqlx.Time{T: &x.CreatedAt}, sqlx.Time{T: &x.UpdatedAt},
		sqlx.Time{T: &x.OverdueNoticedAt})
	return x, err
}

func referralArgs(x outreach.Referral) []any {
	return []any{x.ID, x.UnitID, x.VisitID, x.Sensitive, string(x.Agency), sqlx.S(x.AgencyName), x.Request, x.OwnerID, micro(x.Due),
		string(x.Status), sqlx.JSON{V: x.FollowUps}, sqlx.S(string(x.Outcome)), sqlx.S(x.OutcomeNote), sqlx.T(x.ClosedAt),
		sqlx.S(x.ClosedBy), x.CreatedBy, x.Version, micro(x.CreatedAt), sqlx.T(x.UpdatedAt), sqlx.T(x.OverdueNoticedAt)}
}

// CreateReferral implements outreach.Store.
func (s *Store) CreateReferral(ctx context.Context, r outreach.Referral, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO outreach_referrals (`+referralCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
			$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, referralArgs(r)...)
		return err
	})
}

// UpdateReferral implements outreach.Store. The visit, unit, sensitivity
// and creation never change and are not written.
func (s *Store) UpdateReferral(ctx context.Context, r outreach.Referral, ch casework.Change) error {
	return s.k.Write(ctx, ch, func(tx *sql.Tx) error {
		return update(ctx, tx, "outreach_referrals", outreach.RecordReferral, r.ID, r.Version, `UPDATE outreach_referrals SET
			unit_id = $1, agency = $2, agency_name = $3, request = $4, owner_id = $5, due = $6, status = $7, follow_ups = $8, outcome = $9,
			outcome_note = $10, closed_at = $11, closed_by = $12, version = $13, updated_at = $14, overdue_noticed_at = $15
			WHERE id = $16 AND version = $17`,
			r.UnitID, string(r.Agency), sqlx.S(r.AgencyName), r.Request, r.OwnerID, micro(r.Due), string(r.Status), sqlx.JSON{V: r.FollowUps},
			sqlx.S(string(r.Outcome)), sqlx.S(r.OutcomeNote), sqlx.T(r.ClosedAt), sqlx.S(r.ClosedBy), r.Version, sqlx.T(r.UpdatedAt),
			sqlx.T(r.OverdueNoticedAt), r.ID, r.Version-1)
	})
}

// GetReferral implements outreach.Store.
func (s *Store) GetReferral(ctx context.Context, id string) (outreach.Referral, error) {
	r, err := scanReferral(s.db.QueryRowContext(ctx, `SELECT `+referralCols+` FROM outreach_referrals WHERE id = $1`, id))
	return r, sqlx.NotFound(err, outreach.RecordReferral, id)
}

// ListReferrals implements outreach.Store.
func (s *Store) ListReferrals(ctx context.Context, f outreach.ReferralFilter, p casework.Page) ([]outreach.Referral, error) {
	var a sqlx.Args
	q := under(`SELECT `+referralCols+` FROM outreach_referrals WHERE 1 = 1`, &a, f.UnitUnder)
	if len(f.Status) > 0 {
		q += ` AND status IN (` + sqlx.In(&a, strs(f.Status)) + `)`
	}
	if f.OwnerID != "" {
		q += ` AND owner_id = ` + a.Add(f.OwnerID)
	}
	if f.VisitID != "" {
		q += ` AND visit_id = ` + a.Add(f.VisitID)
	}
	if !f.OverdueAt.IsZero() {
		// Referral.Overdue, in SQL.
		q += ` AND status = 'open' AND due <= ` + a.Add(f.OverdueAt.UnixMicro())
	}
	if f.Unnoticed {
		q += ` AND overdue_noticed_at IS NULL`
	}
	q, err := casesql.PageClause(q, &a, p, "created_at", "id")
	if err != nil {
		return nil, err
	}
	return sqlx.QueryAll(ctx, s.db, q, a.List, scanReferral)
}

// referralBranches are TallyReferralsGrid's branches, kept as roll-up
// rows: referrals made, and closed by outcome.
var referralBranches = []casesql.GridBranch{
	{Table: "outreach_referrals", Time: "created_at", Aggs: []string{"COUNT(*)"}, Kind: outreach.RecordReferral, Rollup: "outreach_referrals_made"},
	{Table: "outreach_referrals", Time: "closed_at", Where: "t.status = '" + string(outreach.ReferralClosed) + "'", Key: "t.outcome",
		Aggs: []string{"COUNT(*)"}, Kind: outreach.RecordReferral, Rollup: "outreach_referrals_closed"},
}

// TallyReferralsGrid implements outreach.Store: one statement, a grouped
// branch for referrals made (created_at) and one for those closed
// (closed_at) grouped by outcome, each on its (unit_id, time) index.
func (s *Store) TallyReferralsGrid(ctx context.Context, g casework.Grid) ([]outreach.ReferralTally, error) {
	out := make([]outreach.ReferralTally, g.Len())
	err := casesql.QueryGrid(ctx, s.k, g, referralBranches, func(x casesql.GridCell) {
		t := &out[g.Cell(x.R, x.C)]
		if x.Branch == 0 {
			t.Made = x.V[0]
			return
		}
		t.Closed += x.V[0]
		if t.ClosedBy == nil {
			t.ClosedBy = map[outreach.ReferralOutcome]int64{}
		}
		t.ClosedBy[outreach.ReferralOutcome(x.Key)] += x.V[0]
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TallyReferrals implements outreach.Store: referrals made in the period
// by created_at, closed in it by closed_at (by outcome), in one query. A report's
// period (a subtree and both bounds) is a grid of one cell, whose
// predicates are on the indexes.
func (s *Store) TallyReferrals(ctx context.Context, f outreach.TallyFilter) (outreach.ReferralTally, error) {
	if f.UnitUnder != "" && !f.From.IsZero() && !f.To.IsZero() {
		t, err := s.TallyReferralsGrid(ctx, casework.Grid{Paths: []string{f.UnitUnder}, Bounds: []time.Time{f.From, f.To}})
		if err != nil {
			return outreach.ReferralTally{}, err
		}
		return t[0], nil
	}
	var a sqlx.Args
	made := period(`created_at = created_at`, &a, "created_at", f.From, f.To)
	closed := period(`status = 'closed'`, &a, "closed_at", f.From, f.To)
	q := under(`SELECT COALESCE(outcome, ''), CAST(COALESCE(SUM(CASE WHEN `+made+` THEN 1 ELSE 0 END), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN `+closed+` THEN 1 ELSE 0 END), 0) AS BIGINT) FROM outreach_referrals WHERE 1 = 1`, &a, f.UnitUnder)
	type group struct {
		outcome      string
		made, closed int64
	}
	groups, err := sqlx.QueryAll(ctx, s.db, q+` GROUP BY COALESCE(outcome, '')`, a.List, func(r scanner) (group, error) {
		var g group
		return g, r.Scan(&g.outcome, &g.made, &g.closed)
	})
	if err != nil {
		return outreach.ReferralTally{}, err
	}
	var t outreach.ReferralTally
	for _, g := range groups {
		t.Made += g.made
		if g.closed == 0 {
			continue
		}
		t.Closed += g.closed
		if t.ClosedBy == nil {
			t.ClosedBy = map[outreach.ReferralOutcome]int64{}
		}
		t.ClosedBy[outreach.ReferralOutcome(g.outcome)] += g.closed
	}
	return t, nil
}
