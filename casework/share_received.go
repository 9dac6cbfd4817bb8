package casework

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// ShareNoticeKind is the outbox kind of the notice a share sends to its
// receiving unit. The kernel receives it itself (New registers the
// receiver): the notice is committed with the share and handed to the
// Notifier by DeliverPending, at least once, so a notifier that is down
// when the share is made delays the notice and loses nothing.
const ShareNoticeKind = "kernel.share_notice"

// shareNotice is the outbox message telling the receiving unit of s. It
// carries ids and codes only (a Notice), never the reason's text, which
// may name people.
func (k *Kernel) shareNotice(s Share) (OutboxMessage, error) {
	n := Notice{Kind: NoticeShared, UnitID: s.UnitID, RecordType: s.RecordType, RecordID: s.RecordID,
		Reason: "shared", Due: s.ExpiresAt}
	return k.NewOutboxMessage(ShareNoticeKind, Source{Kind: "share", ID: s.ID, Step: "notice"}, n)
}

// receiveShareNotice hands a share's notice to the Notifier. A notifier
// error leaves the message pending, retried with the outbox's back-off.
func (k *Kernel) receiveShareNotice(ctx context.Context, msg OutboxMessage) (string, error) {
	var n Notice
	if err := json.Unmarshal(msg.Payload, &n); err != nil {
		return "", errs.Wrap(errs.ErrInvalid, err, "share notice payload")
	}
	if err := k.notifier.Notify(ctx, n); err != nil {
		return "", err
	}
	return msg.SourceID, nil
}

// SharesReceivedFilter narrows ListSharesReceived.
type SharesReceivedFilter struct {
	// All includes revoked and expired shares; by default only the shares
	// granting access now are listed.
	All bool
}

// ListSharesReceived lists the shares other units made to the actor's
// unit — what it was shared, by whom, why and until when — paged by
// (CreatedAt, ID). A share to a unit is read in that unit's subtree, so an
// officer sees the shares to its own unit and to the units above it (those
// grant it read access), and the shares to the units below it (its
// stations' inboxes). Listing is a read of the actor's unit (ActionRead);
// the records themselves are read through their workflow, which checks the
// share again.
func (k *Kernel) ListSharesReceived(ctx context.Context, actor Actor, f SharesReceivedFilter, p Page) ([]Share, string, error) {
	if err := k.checkUnit(ctx, actor, ActionRead, ""); err != nil {
		return nil, "", err
	}
	path, err := k.Scope(ctx, actor, "")
	if err != nil {
		return nil, "", err
	}
	sf := ShareFilter{UnitIDs: strings.FieldsFunc(path, func(r rune) bool { return r == '/' }), UnitUnder: path}
	if !f.All {
		sf.ActiveAt = k.Now()
	}
	p = p.Normalize()
	rows, err := k.store.ListSharesTo(ctx, sf, Page{Limit: p.Limit + 1, After: p.After})
	if err != nil {
		return nil, "", err
	}
	out, next := PageOf(rows, p.Limit, func(s Share) Cursor { return Cursor{At: s.CreatedAt, ID: s.ID} })
	return out, next, nil
}
