package cases

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
)

// Connect is the sender side of the hand-off to the stolen-property
// register: a report checks its stolen items with the ledger before it
// commits (PropertyLedger.CheckStolen) and the survey compares against its
// register. The items and trace marks themselves travel through the
// outbox (the kernel's DeliverPending hands them to the receivers of
// KindStolenItems and KindTraceItems); the id the ledger returns for each
// hand-off is written back on the case (Case.Handoffs) as a new version, so
// a caller holding an older version re-reads the case after a delivery.
// Until a ledger is connected, a case that carries stolen items is refused.
func (s *Service) Connect(l casework.PropertyLedger) {
	s.mu.Lock()
	s.ledger = l
	s.mu.Unlock()
}

func (s *Service) propertyLedger() casework.PropertyLedger {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ledger
}

// Scores of a comparison with other cases. An identifier is near proof; a
// shared suspect strong; the same modus operandi a pattern worth a look.
const (
	scoreIdentifier = 1.0
	scoreSuspect    = 0.8
	scorePattern    = 0.5
)

// compare runs the survey's comparison: against the property register when
// a ledger is connected, and against the open cases in the actor's reach.
// Property matches come first, then cases, each by score then id.
func (s *Service) compare(ctx context.Context, actor casework.Actor, c Case) ([]Match, error) {
	var out []Match
	idents := caseIdentifiers(c)
	if l := s.propertyLedger(); l != nil {
		q := casework.PropertyQuery{Identifiers: idents, Description: surveyDescription(c), At: c.IncidentAt, Place: c.Place, UnitID: c.UnitID}
		if cats := itemCategories(c); len(cats) == 1 {
			q.Category = cats[0]
		}
		found, err := l.CompareProperty(ctx, actor, q)
		if err != nil {
			return nil, fmt.Errorf("compare with the property register: %w", err)
		}
		var prop []Match
		for _, m := range found {
			prop = append(prop, Match{Source: MatchProperty, ID: m.ItemID, State: m.State, Score: m.Score, Reasons: slices.Clone(m.Reasons)})
		}
		out = append(out, sortMatches(prop)...)
	}
	cases, err := s.compareCases(ctx, actor, c)
	if err != nil {
		return nil, err
	}
	out = append(out, cases...)
	if len(out) == 0 {
		return nil, nil // stores keep no empty list: nil reads back as nil
	}
	return out, nil
}

func (s *Service) compareCases(ctx context.Context, actor casework.Actor, c Case) ([]Match, error) {
	path, err := s.k.Scope(ctx, actor, "")
	if err != nil {
		return nil, err
	}
	hits := map[string]*Match{}
	add := func(f Filter, score float64, reason string) error {
		f.UnitUnder, f.States = path, OpenStates
		after := ""
		for {
			rows, err := s.store.ListCases(ctx, f, casework.Page{Limit: casework.MaxPageLimit, After: after})
			if err != nil {
				return err
			}
			for _, o := range rows {
				if o.ID == c.ID {
					continue
				}
				m := hits[o.ID]
				if m == nil {
					m = &Match{Source: MatchCase, ID: o.ID, State: string(o.State)}
					hits[o.ID] = m
				}
				m.Score = min(1, m.Score+score)
				m.Reasons = append(m.Reasons, reason)
			}
			if len(rows) < casework.MaxPageLimit {
				return nil
			}
			after = caseCursor(rows[len(rows)-1]).Encode()
		}
	}
	for _, key := range c.IdentifierKeys() {
		if err := add(Filter{Identifier: key}, scoreIdentifier, "identifier "+key); err != nil {
			return nil, err
		}
	}
	if sus := c.SuspectKeys(); len(sus) > 0 {
		if err := add(Filter{SuspectIDs: sus}, scoreSuspect, "same suspect"); err != nil {
			return nil, err
		}
	}
	if mo := c.MOKey(); mo != "" {
		if err := add(Filter{ModusOperandi: mo}, scorePattern, "same modus operandi"); err != nil {
			return nil, err
		}
	}
	out := make([]Match, 0, len(hits))
	for _, m := range hits {
		out = append(out, *m)
	}
	return sortMatches(out), nil
}

func sortMatches(ms []Match) []Match {
	slices.SortFunc(ms, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return ms
}

// caseIdentifiers is every identifier of the case's items and survey, once.
func caseIdentifiers(c Case) []casework.Identifier {
	var out []casework.Identifier
	seen := map[string]bool{}
	add := func(ids []casework.Identifier) {
		for _, id := range ids {
			if k := identifierKey(id.Value); k != "" && !seen[k] {
				seen[k] = true
				out = append(out, id)
			}
		}
	}
	for _, it := range c.Items {
		add(it.Identifiers)
	}
	if c.Survey != nil {
		add(c.Survey.Identifiers)
	}
	return out
}

func itemCategories(c Case) []string {
	var cats []string
	for _, it := range c.Items {
		cats = append(cats, it.Category)
	}
	slices.Sort(cats)
	return slices.Compact(cats)
}

// surveyDescription is what the register compares descriptions with: the
// survey's description, else the items' descriptions.
func surveyDescription(c Case) string {
	if c.Survey != nil && c.Survey.Description != "" {
		return c.Survey.Description
	}
	var parts []string
	for _, it := range c.Items {
		parts = append(parts, it.Description)
	}
	return strings.Join(parts, "; ")
}
