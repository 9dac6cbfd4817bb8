package casework

import (
	"context"
	"errors"
	"strings"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// FigureHandoffsDead is the kernel's own report figure: the hand-offs dead
// now (out of attempts, waiting for an admin's replay).
const FigureHandoffsDead = "handoffs.dead"

// deadHandoffRecord is the record type of a hand-off in audit entries and errors.
const deadHandoffRecord = "handoff"

// DeadHandoffs lists the hand-offs that ran out of attempts, oldest death
// first, each with its last error, and the cursor of the next page. A
// hand-off belongs to no one unit (it runs between workflows), so only an
// admin of the root unit may see them: another role is ErrForbidden, an
// admin of a lower unit ErrNotFound, as for any record out of reach.
func (k *Kernel) DeadHandoffs(ctx context.Context, actor Actor, p Page) ([]OutboxMessage, string, error) {
	if err := k.authorizeHandoffAdmin(ctx, actor, ActionReadDeadHandoffs, ""); err != nil {
		return nil, "", err
	}
	p = p.Normalize()
	rows, err := k.store.ListDeadOutbox(ctx, Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	out, next := PageOf(rows, p.Limit, func(m OutboxMessage) Cursor { return Cursor{At: m.DeadAt, ID: m.ID} })
	return out, next, nil
}

// ReplayHandoff makes a dead hand-off pending again after a fix, with its
// attempts reset, so the next DeliverPending tries it at once. replays is
// the message's Replays as the admin read it (compare-and-swap: a message
// replayed or changed meanwhile is ErrConflict). The replay is audited in
// the same transaction. It returns the message as now stored.
func (k *Kernel) ReplayHandoff(ctx context.Context, actor Actor, id string, replays int) (OutboxMessage, error) {
	if err := k.authorizeHandoffAdmin(ctx, actor, ActionReplayHandoff, id); err != nil {
		return OutboxMessage{}, err
	}
	cur, err := k.store.GetOutbox(ctx, id)
	if err != nil {
		return OutboxMessage{}, err
	}
	if !cur.Dead() || cur.Replays != replays {
		return OutboxMessage{}, errs.Stale(deadHandoffRecord, id, int64(replays))
	}
	type state struct {
		Kind      string `json:"kind"`
		Dead      bool   `json:"dead"`
		Attempts  int    `json:"attempts"`
		LastError string `json:"lastError,omitempty"`
		Replays   int    `json:"replays"`
	}
	before := state{Kind: cur.Kind, Dead: true, Attempts: cur.Attempts, LastError: cur.LastError, Replays: cur.Replays}
	after := state{Kind: cur.Kind, LastError: cur.LastError, Replays: cur.Replays + 1}
	ch, err := k.Change(ctx, actor, ActionReplayHandoff, deadHandoffRecord, id, before, after)
	if err != nil {
		return OutboxMessage{}, err
	}
	if err := k.store.ReplayOutbox(ctx, id, cur.Replays+1, ch); err != nil {
		return OutboxMessage{}, err
	}
	return k.store.GetOutbox(ctx, id)
}

// authorizeHandoffAdmin checks an action on dead hand-offs against the root
// unit, which is the first element of every unit path. A hand-off belongs
// to no unit, so a staff member's role is refused as such (ErrForbidden);
// only an actor who is no staff member learns nothing (ErrNotFound), as
// for a hand-off that does not exist.
func (k *Kernel) authorizeHandoffAdmin(ctx context.Context, actor Actor, action Action, id string) error {
	return k.authorizeRootAdmin(ctx, actor, action, deadHandoffRecord, id)
}

// authorizeRootAdmin checks an action on the deployment's plumbing (dead
// hand-offs, audit payloads) against the root unit, which is the first
// element of every unit path.
func (k *Kernel) authorizeRootAdmin(ctx context.Context, actor Actor, action Action, recordType, id string) error {
	if err := k.Reach(ctx, actor, unitTarget(actor, "")); errors.Is(err, errs.ErrNotFound) {
		return errs.NotFound(recordType, id)
	} else if err != nil {
		return err
	}
	path, err := k.Scope(ctx, actor, "")
	if err != nil {
		return err
	}
	root, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return k.Authorize(ctx, actor, action, Target{RecordType: recordType, RecordID: id, UnitID: root})
}

// deadHandoffFigures contributes FigureHandoffsDead. The count is a state
// of now, not an event of a period, and hand-offs belong to no one unit: so
// it appears only in a report of the whole deployment (the root unit's
// subtree), only in a period that reaches the present, and only when some
// hand-off is dead — a warning light, absent when all is well.
type deadHandoffFigures struct{ k *Kernel }

// GridFigures implements FigureSource period by period: the figure asks
// at most one cheap count, and only of the periods that reach now.
func (s deadHandoffFigures) GridFigures(ctx context.Context, g Grid) ([][]Figure, error) {
	return GridPeriods(ctx, g, s.Figures)
}

func (s deadHandoffFigures) Figures(ctx context.Context, p Period) ([]Figure, error) {
	if strings.Count(p.UnitPath, "/") != 2 || !p.End.After(s.k.Now()) {
		return nil, nil
	}
	n, err := s.k.store.CountDeadOutbox(ctx)
	if err != nil || n == 0 {
		return nil, err
	}
	return []Figure{{Key: FigureHandoffsDead, LabelZH: "移交失败待处理", LabelEN: "dead hand-offs", Value: n, Unit: "条"}}, nil
}
