package outreach

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// campaignTarget makes a campaign readable in every unit taking part (and
// below), while only its running unit's subtree may change it.
func campaignTarget(c Campaign) casework.Target {
	return casework.Target{RecordType: RecordCampaign, RecordID: c.ID, UnitID: c.UnitID, SharedWith: slices.Clone(c.UnitIDs)}
}

func checkGoals(f *errs.Fields, goals []Goal) {
	seen := map[TargetKind]bool{}
	for i, g := range goals {
		p := "goals[" + strconv.Itoa(i) + "]."
		if !g.Kind.Valid() {
			f.Add(p+"kind", "code", "%q is not a target kind", g.Kind)
		}
		if seen[g.Kind] {
			f.Add(p+"kind", "unique", "%s has a goal already", g.Kind)
		}
		seen[g.Kind] = true
		if g.Count <= 0 {
			f.Add(p+"count", "min", "must be at least 1")
		}
	}
}

// CreateCampaign starts a campaign run by a unit in the actor's subtree,
// over local dates From to To (both included), for the units it names
// (each with its subtree; default the running unit).
func (s *Service) CreateCampaign(ctx context.Context, actor casework.Actor, in CampaignInput) (Campaign, error) {
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	if err := s.k.UnitInReach(ctx, actor, in.UnitID); err != nil {
		return Campaign{}, err
	}
	if err := s.k.Authorize(ctx, actor, ActionCampaign, casework.Target{RecordType: RecordCampaign, UnitID: in.UnitID}); err != nil {
		return Campaign{}, err
	}
	if len(in.UnitIDs) == 0 {
		in.UnitIDs = []string{in.UnitID}
	}
	in.UnitIDs = slices.Compact(slices.Sorted(slices.Values(in.UnitIDs)))
	var f errs.Fields
	f.Merge("", s.k.Validate(in))
	checkGoals(&f, in.Goals)
	if !in.From.IsZero() && !in.To.IsZero() && in.To.Before(in.From) {
		f.Add("to", "gtefield", "may not be before from")
	}
	for i, u := range in.UnitIDs {
		if err := s.k.UnitInReach(ctx, actor, u); err != nil {
			if !isReach(err) {
				return Campaign{}, err
			}
			f.Add("unitIds["+strconv.Itoa(i)+"]", "exists", "no unit %q in reach", u)
		}
	}
	if err := f.Err(); err != nil {
		return Campaign{}, err
	}
	zone := s.k.Zone()
	starts := time.Date(in.From.Year(), in.From.Month(), in.From.Day(), 0, 0, 0, 0, zone).UTC()
	ends := time.Date(in.To.Year(), in.To.Month(), in.To.Day()+1, 0, 0, 0, 0, zone).UTC()
	return casework.CreateOnce(ctx, s.k, actor, in.RequestKey, in, func(rk *casework.RequestKey) (Campaign, error) {
		now := s.k.Now()
		c := Campaign{ID: s.k.NewID(), UnitID: in.UnitID, Name: in.Name, Description: in.Description, Starts: starts, Ends: ends,
			UnitIDs: slices.Clone(in.UnitIDs), Goals: slices.Clone(in.Goals), CreatedBy: actor.StaffID, Version: 1, CreatedAt: now, UpdatedAt: now}
		return created(ctx, s, actor, rk, "campaign.create", RecordCampaign, c.ID, c, s.store.CreateCampaign)
	})
}

// UpdateCampaign changes a campaign's name, description or goals
// (compare-and-swap on version).
func (s *Service) UpdateCampaign(ctx context.Context, actor casework.Actor, id string, version int64, up CampaignUpdate) (Campaign, error) {
	cur, err := load(ctx, s, actor, ActionCampaign, id, s.store.GetCampaign, campaignTarget)
	if err != nil {
		return Campaign{}, err
	}
	next := cur.Clone()
	if up.Name != nil {
		next.Name = strings.TrimSpace(*up.Name)
	}
	if up.Description != nil {
		next.Description = strings.TrimSpace(*up.Description)
	}
	if up.Goals != nil {
		next.Goals = slices.Clone(up.Goals)
	}
	var f errs.Fields
	f.Merge("", s.k.Validate(CampaignInput{UnitID: next.UnitID, Name: next.Name, Description: next.Description,
		From: next.Starts, To: next.Ends, UnitIDs: next.UnitIDs, Goals: next.Goals}))
	checkGoals(&f, next.Goals)
	if err := f.Err(); err != nil {
		return Campaign{}, err
	}
	if cur.Version != version {
		return Campaign{}, errs.Stale(RecordCampaign, id, version)
	}
	next.Version, next.UpdatedAt = cur.Version+1, s.k.Now()
	ch, err := s.k.Change(ctx, actor, "campaign.update", RecordCampaign, id, cur, next)
	if err != nil {
		return Campaign{}, err
	}
	if err := s.store.UpdateCampaign(ctx, next, ch); err != nil {
		return Campaign{}, err
	}
	return next, nil
}

// GetCampaign returns a campaign the actor's unit runs or takes part in.
func (s *Service) GetCampaign(ctx context.Context, actor casework.Actor, id string) (Campaign, error) {
	return load(ctx, s, actor, ActionRead, id, s.store.GetCampaign, campaignTarget)
}

// ListCampaigns lists the campaigns the actor's unit runs, takes part in, or
// that run below it; activeAt, when set, keeps those running at that time.
func (s *Service) ListCampaigns(ctx context.Context, actor casework.Actor, activeAt time.Time, page casework.Page) ([]Campaign, string, error) {
	path, err := s.scope(ctx, actor, ActionRead, "")
	if err != nil {
		return nil, "", err
	}
	p := page.Normalize()
	rows, err := s.store.ListCampaigns(ctx, CampaignFilter{Related: path, ActiveAt: casework.Truncate(activeAt)}, casework.Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	rows, next := casework.PageOf(rows, p.Limit, func(c Campaign) casework.Cursor { return casework.Cursor{At: c.Starts, ID: c.ID} })
	// A campaign run above the actor's unit is listed only where it takes
	// part; the page may come out shorter, never wrong.
	out := rows[:0]
	for _, c := range rows {
		if err := s.k.Authorize(ctx, actor, ActionRead, campaignTarget(c)); err == nil {
			out = append(out, c)
		} else if !isReach(err) {
			return nil, "", err
		}
	}
	return out, next, nil
}

// CampaignProgress counts the visits recorded against a campaign for each
// of its goals: visits (户次), or distinct targets for security key sites
// and struggling enterprises (处, 家).
func (s *Service) CampaignProgress(ctx context.Context, actor casework.Actor, id string) (Progress, error) {
	c, err := s.GetCampaign(ctx, actor, id)
	if err != nil {
		return Progress{}, err
	}
	// Every visit recorded against the campaign counts, whichever taking
	// part unit recorded it: RecordVisit let none in from outside.
	t, err := s.store.Tally(ctx, TallyFilter{From: c.Starts, To: c.Ends, CampaignID: c.ID})
	if err != nil {
		return Progress{}, err
	}
	p := Progress{Campaign: c}
	for _, g := range c.Goals {
		got := t.Visits[g.Kind]
		if g.Kind.Distinct() {
			got = t.Targets[g.Kind]
		}
		p.Goals = append(p.Goals, GoalProgress{Kind: g.Kind, Target: g.Count, Achieved: got, Unit: g.Kind.CountUnit(),
			Permille: got * 1000 / g.Count})
	}
	return p, nil
}
