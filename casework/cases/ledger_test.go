package cases_test

import (
	"errors"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/stretchr/testify/require"
)

// fieldsOf returns the fields an ErrInvalid names.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	require.ErrorIs(t, err, cases.ErrInvalid)
	var inv *cases.InvalidError
	require.True(t, errors.As(err, &inv))
	var out []string
	for _, f := range inv.Fields {
		out = append(out, f.Field)
	}
	return out
}

// requireNothingStored checks that no case and no hand-off was committed.
func requireNothingStored(t *testing.T, e *caseEnv) {
	t.Helper()
	list, _, err := e.svc.List(e.ctx, e.officer, cases.Query{})
	require.NoError(t, err)
	require.Empty(t, list, "the case is not stored")
	msgs, err := e.kstore.ListOutbox(e.ctx, cases.RecordCase, "")
	require.NoError(t, err)
	require.Empty(t, msgs, "and nothing is handed to recovery")
}

// TestReportChecksStolenItems: a case accepts only stolen items that the
// property ledger would register (PropertyLedger.CheckStolen), so that no
// hand-off is refused by recovery and retried for ever. A refused item
// fails the whole report — the case is not stored — with the ledger's field
// errors among the case's; a converted lead stays verified. Without a
// ledger a case with items is refused; one without items needs none.
func TestReportChecksStolenItems(t *testing.T) {
	t.Parallel()
	refuseValue := func(items casework.StolenItems) error {
		for _, it := range items.Items {
			if it.ValueFen == 0 {
				return &cases.InvalidError{Fields: []casework.FieldError{{Field: "items[0].value", Rule: "min", Message: "an e-bike has a value"}}}
			}
		}
		return nil
	}
	zeroValue := func(in *cases.ReportInput) { in.Items[0].ValueFen = 0 }
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Run("refused item", func(t *testing.T) {
				e := newCaseEnv(t, open)
				l := newCaseLedgerFake(e.k)
				l.refuse = refuseValue
				e.connect(l)
				in := e.reportInput()
				zeroValue(&in)
				in.Place = "" // a field error of the case itself, reported with the ledger's
				_, err := e.svc.Report(e.ctx, e.officer, in)
				require.ElementsMatch(t, []string{"items[0].value", "place"}, fieldsOf(t, err))
				require.Equal(t, 1, l.checked)
				requireNothingStored(t, e)

				// A database error of the ledger is returned as it is, not
				// as invalid input.
				boom := errors.New("ledger down")
				l.refuse = func(casework.StolenItems) error { return boom }
				_, err = e.svc.Report(e.ctx, e.officer, e.reportInput())
				require.ErrorIs(t, err, boom)
				require.NotErrorIs(t, err, cases.ErrInvalid)
				requireNothingStored(t, e)

				// An accepted item is reported.
				l.refuse = refuseValue
				c, err := e.svc.Report(e.ctx, e.officer, e.reportInput())
				require.NoError(t, err)
				require.Len(t, c.Items, 1)
			})
			t.Run("converted lead", func(t *testing.T) {
				e := newCaseEnv(t, open)
				l := newCaseLedgerFake(e.k)
				l.refuse = refuseValue
				e.connect(l)
				lead, err := e.svc.CreateLead(e.ctx, e.officer, cases.LeadInput{UnitID: e.team.ID, SourceKind: cases.LeadFromTip, Summary: "群众举报"})
				require.NoError(t, err)
				lead, err = e.svc.VerifyLead(e.ctx, e.officer, lead.ID, lead.Version, "")
				require.NoError(t, err)
				in := e.reportInput()
				zeroValue(&in)
				_, _, err = e.svc.ConvertLead(e.ctx, e.officer, lead.ID, lead.Version, in)
				require.Equal(t, []string{"items[0].value"}, fieldsOf(t, err))
				requireNothingStored(t, e)
				got, err := e.svc.GetLead(e.ctx, e.officer, lead.ID)
				require.NoError(t, err)
				require.Equal(t, cases.LeadVerified, got.State)
			})
			t.Run("no ledger", func(t *testing.T) {
				e := newCaseEnv(t, open, withoutLedger())
				_, err := e.svc.Report(e.ctx, e.officer, e.reportInput())
				require.Equal(t, []string{"items"}, fieldsOf(t, err))
				requireNothingStored(t, e)
				in := e.reportInput()
				in.Items = nil
				_, err = e.svc.Report(e.ctx, e.officer, in)
				require.NoError(t, err, "a case without stolen items needs no ledger")
			})
		})
	}
}
