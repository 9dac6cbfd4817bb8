package cases_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/stretchr/testify/require"
)

// caseOp is one operation of the workflow, applied to a case.
type caseOp struct {
	name string
	do   func(e *caseEnv, c cases.Case) (cases.Case, error)
}

func caseOps() []caseOp {
	return []caseOp{
		{"dispatch_file", func(e *caseEnv, c cases.Case) (cases.Case, error) {
			return e.svc.DispatchAndFile(e.ctx, e.officer, c.ID, c.Version, cases.DispatchInput{Note: "出警"})
		}},
		{"start", func(e *caseEnv, c cases.Case) (cases.Case, error) {
			return e.svc.StartInvestigation(e.ctx, e.officer, c.ID, c.Version, "开始侦查")
		}},
		{"survey", func(e *caseEnv, c cases.Case) (cases.Case, error) {
			return e.svc.Survey(e.ctx, e.officer, c.ID, c.Version, cases.SurveyInput{Description: "树枝折断"})
		}},
		{"analyse", func(e *caseEnv, c cases.Case) (cases.Case, error) {
			return e.svc.AnalyseAndShare(e.ctx, e.officer, c.ID, c.Version, cases.AnalysisInput{Findings: "监控研判",
				ShareWith: []cases.ShareInput{{UnitID: e.station.ID, Reason: "嫌疑人落脚点在辖区"}}})
		}},
		{"arrest", func(e *caseEnv, c cases.Case) (cases.Case, error) {
			return e.svc.Arrest(e.ctx, e.officer, c.ID, c.Version, cases.ArrestInput{SuspectID: e.suspect.ID, Place: "某小区"})
		}},
		{"review", func(e *caseEnv, c cases.Case) (cases.Case, error) {
			return e.svc.Review(e.ctx, e.officer, c.ID, c.Version, cases.ReviewInput{Findings: "倒查无其他案件"})
		}},
		{"drop", func(e *caseEnv, c cases.Case) (cases.Case, error) {
			return e.svc.Drop(e.ctx, e.supervisor, c.ID, c.Version, "不构成犯罪")
		}},
		{"close", func(e *caseEnv, c cases.Case) (cases.Case, error) {
			return e.svc.Close(e.ctx, e.officer, c.ID, c.Version, "结案")
		}},
	}
}

// TestCaseTransitions applies every operation to a case in every state:
// the allowed ones reach the expected state with an audited history entry,
// the others are refused with ErrInvalidTransition and change nothing.
func TestCaseTransitions(t *testing.T) {
	t.Parallel()
	// allowed[from][op] is the state the operation leads to.
	allowed := map[cases.State]map[string]cases.State{
		cases.StateReported:      {"dispatch_file": cases.StateFiled, "drop": cases.StateDropped},
		cases.StateFiled:         {"start": cases.StateInvestigating, "survey": cases.StateInvestigating, "analyse": cases.StateFiled, "arrest": cases.StateSolved, "drop": cases.StateDropped},
		cases.StateInvestigating: {"survey": cases.StateInvestigating, "analyse": cases.StateInvestigating, "arrest": cases.StateSolved, "drop": cases.StateDropped},
		cases.StateSolved:        {"arrest": cases.StateSolved, "review": cases.StateSolved, "close": cases.StateClosed},
		cases.StateClosed:        {},
		cases.StateDropped:       {},
	}
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			for _, from := range []cases.State{cases.StateReported, cases.StateFiled, cases.StateInvestigating,
				cases.StateSolved, cases.StateClosed, cases.StateDropped} {
				for _, op := range caseOps() {
					c := e.to(t, from)
					got, err := op.do(e, c)
					to, ok := allowed[from][op.name]
					if !ok {
						require.ErrorIs(t, err, casework.ErrInvalidTransition, "%s from %s", op.name, from)
						var te *casework.TransitionError
						require.ErrorAs(t, err, &te)
						require.Equal(t, string(from), te.From)
						after, err := e.svc.Get(e.ctx, e.officer, c.ID)
						require.NoError(t, err)
						require.Equal(t, c.Version, after.Version, "a refused %s changes nothing", op.name)
						continue
					}
					require.NoError(t, err, "%s from %s", op.name, from)
					require.Equal(t, to, got.State, "%s from %s", op.name, from)
					require.Equal(t, c.Version+1, got.Version)
					trail := e.trail(t, cases.RecordCase, c.ID)
					require.Contains(t, trail[len(c.History)+caseHandoffCount(c):], "case."+map[string]string{"dispatch_file": "dispatch_file", "start": "start", "survey": "survey",
						"analyse": "analyse_share", "arrest": "arrest", "review": "review", "drop": "drop", "close": "close"}[op.name], "the step is audited")
					if to != from {
						last := got.History[len(got.History)-1]
						require.Equal(t, cases.Transition{From: string(from), To: string(to), At: e.clock.Now(),
							ActorID: map[bool]string{true: e.supervisor.StaffID, false: e.officer.StaffID}[op.name == "drop"],
							Action:  last.Action, Reason: last.Reason}, last)
					}
					switch op.name {
					case "drop":
						require.NotNil(t, got.Drop)
						require.Equal(t, "不构成犯罪", got.Drop.Reason)
						require.Equal(t, e.supervisor.StaffID, got.Drop.SupervisorID)
						if from == cases.StateReported {
							require.Equal(t, cases.DropNotFiled, got.Drop.Kind)
							require.Empty(t, got.Number, "不立案 uses no case number")
						} else {
							require.Equal(t, cases.DropWithdrawn, got.Drop.Kind)
							require.Equal(t, c.Number, got.Number, "撤案 keeps the number")
						}
					case "dispatch_file":
						require.NotEmpty(t, got.Number)
						require.Equal(t, e.clock.Now(), got.FiledAt)
					case "arrest":
						require.Equal(t, e.clock.Now(), got.SolvedAt)
					}
				}
			}
			// Numbers were used only by filings: gap-free 1..n.
			all, _, err := e.svc.List(e.ctx, e.officer, cases.Query{Page: casework.Page{Limit: casework.MaxPageLimit}})
			require.NoError(t, err)
			var numbers []string
			for _, c := range all {
				if c.Number != "" {
					numbers = append(numbers, c.Number)
				}
			}
			slices.Sort(numbers)
			for i, n := range numbers {
				require.Equal(t, fmt.Sprintf("370302DQC-2020-%06d", i+1), n)
			}
			e.verify(t)
		})
	}
}

func caseHandoffCount(c cases.Case) int { return len(c.Handoffs) }

func TestCaseDropNeedsSupervisorAndReason(t *testing.T) {
	t.Parallel()
	e := newCaseEnv(t, caseBackends()["memory"])
	c := e.report(t)
	_, err := e.svc.Drop(e.ctx, e.officer, c.ID, c.Version, "不构成犯罪")
	require.ErrorIs(t, err, casework.ErrForbidden)
	_, err = e.svc.Drop(e.ctx, e.supervisor, c.ID, c.Version, "  ")
	require.ErrorIs(t, err, casework.ErrInvalid)
	var inv *casework.InvalidError
	require.ErrorAs(t, err, &inv)
	require.Equal(t, "reason", inv.Fields[0].Field)
	_, err = e.svc.Drop(e.ctx, e.supervisor, c.ID, c.Version+1, "不构成犯罪")
	require.ErrorIs(t, err, casework.ErrConflict)
	_, err = e.svc.Drop(e.ctx, e.staff(t, e.other, "淄川所长", casework.RoleSupervisor), c.ID, c.Version, "不构成犯罪")
	require.ErrorIs(t, err, casework.ErrNotFound, "out of reach is not found")
}

// caseFaultyStore injects a failure into the second half of a step, inside the
// real store's transaction, so the test sees whether the first half is
// rolled back with it.
type caseFaultyStore struct {
	cases.Store
	mu sync.Mutex
	// failFiling fails the filing callback after the number was taken.
	failFiling bool
	// duplicateTrace gives the trace hand-off the id of an outbox message
	// that exists, so the store refuses the outbox row.
	duplicateTrace string
}

func (f *caseFaultyStore) FileCase(ctx context.Context, key cases.NumberKey, file func(int64) (cases.Case, casework.Change, error)) (cases.Case, error) {
	f.mu.Lock()
	fail := f.failFiling
	f.mu.Unlock()
	return f.Store.FileCase(ctx, key, func(seq int64) (cases.Case, casework.Change, error) {
		c, ch, err := file(seq)
		if fail {
			return cases.Case{}, casework.Change{}, errors.New("filing failed after the number was taken")
		}
		return c, ch, err
	})
}

func (f *caseFaultyStore) CommitCases(ctx context.Context, w cases.Write, ch casework.Change) error {
	f.mu.Lock()
	dup := f.duplicateTrace
	f.mu.Unlock()
	for i := range ch.Outbox {
		if dup != "" && ch.Outbox[i].Kind == casework.KindTraceItems {
			ch.Outbox[i].ID = dup
		}
	}
	return f.Store.CommitCases(ctx, w, ch)
}

// TestCasePairsAllOrNothing fails the second half of each pair and checks
// that no trace of the first half is left: same version, same state, no
// step recorded, no share, no hand-off, no audit entry.
func TestCasePairsAllOrNothing(t *testing.T) {
	t.Parallel()
	type tc struct {
		name  string
		state cases.State
		// fail breaks the second half; do runs the pair.
		fail func(e *caseEnv, f *caseFaultyStore, l *caseLedgerFake, c cases.Case)
		do   func(e *caseEnv, c cases.Case) (cases.Case, error)
		want error
		// ok runs the pair again once the fault is gone.
		after func(t *testing.T, e *caseEnv, c cases.Case)
	}
	tests := []tc{
		{name: "dispatch_file: numbering fails", state: cases.StateReported,
			fail: func(_ *caseEnv, f *caseFaultyStore, _ *caseLedgerFake, _ cases.Case) { f.failFiling = true },
			do:   caseOps()[0].do,
			after: func(t *testing.T, e *caseEnv, c cases.Case) {
				got, err := e.svc.DispatchAndFile(e.ctx, e.officer, c.ID, c.Version, cases.DispatchInput{})
				require.NoError(t, err)
				require.Equal(t, "370302DQC-2020-000001", got.Number, "the failed filing used no number")
			}},
		{name: "survey: comparison fails", state: cases.StateFiled,
			fail: func(_ *caseEnv, _ *caseFaultyStore, l *caseLedgerFake, _ cases.Case) {
				l.compareErr = errors.New("register unreachable")
			},
			do: caseOps()[2].do},
		{name: "analyse: a share is refused", state: cases.StateInvestigating,
			do: func(e *caseEnv, c cases.Case) (cases.Case, error) {
				return e.svc.AnalyseAndShare(e.ctx, e.officer, c.ID, c.Version, cases.AnalysisInput{Findings: "监控研判",
					ShareWith: []cases.ShareInput{{UnitID: e.station.ID}, {UnitID: "no-such-unit"}}})
			}, want: casework.ErrInvalid},
		{name: "analyse: sharing with its own unit", state: cases.StateFiled,
			do: func(e *caseEnv, c cases.Case) (cases.Case, error) {
				return e.svc.AnalyseAndShare(e.ctx, e.officer, c.ID, c.Version, cases.AnalysisInput{Findings: "监控研判",
					ShareWith: []cases.ShareInput{{UnitID: e.team.ID}}})
			}, want: casework.ErrInvalid},
		{name: "arrest: the trace hand-off fails", state: cases.StateInvestigating,
			fail: func(e *caseEnv, f *caseFaultyStore, _ *caseLedgerFake, c cases.Case) {
				msgs, _ := e.kstore.ListOutbox(e.ctx, cases.RecordCase, c.ID)
				f.duplicateTrace = msgs[0].ID
			},
			do: caseOps()[4].do, want: casework.ErrConflict},
		{name: "review: a linked case is out of reach", state: cases.StateSolved,
			do: func(e *caseEnv, c cases.Case) (cases.Case, error) {
				return e.svc.Review(e.ctx, e.officer, c.ID, c.Version, cases.ReviewInput{Findings: "倒查",
					Links: []cases.LinkInput{{CaseID: "no-such-case", Reason: cases.LinkSameSuspect}}})
			}, want: casework.ErrInvalid},
	}
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					var f *caseFaultyStore
					e := newCaseEnv(t, open, withCaseStore(func(s cases.Store) cases.Store {
						f = &caseFaultyStore{Store: s}
						return f
					}))
					l := newCaseLedgerFake(e.k)
					e.connect(l)
					c := e.to(t, tc.state)
					trail := e.trail(t, cases.RecordCase, c.ID)
					outbox, err := e.kstore.ListOutbox(e.ctx, "", "")
					require.NoError(t, err)
					head, err := e.kstore.AuditHead(e.ctx)
					require.NoError(t, err)
					if tc.fail != nil {
						f.mu.Lock()
						tc.fail(e, f, l, c)
						f.mu.Unlock()
					}
					_, err = tc.do(e, c)
					require.Error(t, err)
					if tc.want != nil {
						require.ErrorIs(t, err, tc.want)
					}
					got, err := e.cases.GetCase(e.ctx, c.ID)
					require.NoError(t, err)
					c.SharedWith = nil
					require.Equal(t, c, got, "no trace of the first half")
					require.Equal(t, trail, e.trail(t, cases.RecordCase, c.ID))
					after, err := e.kstore.ListOutbox(e.ctx, "", "")
					require.NoError(t, err)
					require.Equal(t, outbox, after)
					h, err := e.kstore.AuditHead(e.ctx)
					require.NoError(t, err)
					require.Equal(t, head, h)
					shares, err := e.kstore.ListShares(e.ctx, cases.RecordCase, c.ID)
					require.NoError(t, err)
					require.Empty(t, shares)
					if tc.after != nil {
						f.mu.Lock()
						f.failFiling, f.duplicateTrace = false, ""
						f.mu.Unlock()
						tc.after(t, e, c)
					}
					e.verify(t)
				})
			}
		})
	}
}

// TestCaseDeliveryAfterCrash plays a process that dies between the
// receiver's commit and the acknowledgement, and one that dies holding the
// lease: after the FixedClock passes the lease, DeliverPending delivers
// again and recovery has every item exactly once, the case records the
// hand-off once.
func TestCaseDeliveryAfterCrash(t *testing.T) {
	t.Parallel()
	for name, open := range caseBackends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newCaseEnv(t, open)
			l := newCaseLedgerFake(e.k)
			e.connect(l)
			c := e.report(t, func(in *cases.ReportInput) {
				in.Items = append(in.Items, cases.ItemInput{Category: "birds_animals", Description: "画眉鸟", Quantity: 2})
			})
			require.Len(t, c.Items, 2)
			require.NotEqual(t, c.Items[0].ItemID, c.Items[1].ItemID)
			msgs, err := e.kstore.ListOutbox(e.ctx, cases.RecordCase, c.ID)
			require.NoError(t, err)
			require.Len(t, msgs, 1, "the stolen items were handed over in the report's transaction")
			require.Equal(t, casework.KindStolenItems, msgs[0].Kind)

			// Crash 1: the receiver commits, then the process dies.
			ctx, cancel := context.WithCancel(e.ctx)
			l.afterCommit = cancel
			n, err := e.k.DeliverPending(ctx, nil)
			require.ErrorIs(t, err, context.Canceled)
			require.Zero(t, n)
			l.afterCommit = nil
			require.Equal(t, map[string]int{c.Items[0].ItemID: 1, c.Items[1].ItemID: 1}, l.registered)
			n, err = e.k.DeliverPending(e.ctx, nil)
			require.NoError(t, err)
			require.Zero(t, n, "the dead process still holds the lease")
			e.clock.Advance(31 * time.Second)
			n, err = e.k.DeliverPending(e.ctx, nil)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			require.Equal(t, map[string]int{c.Items[0].ItemID: 1, c.Items[1].ItemID: 1}, l.registered, "received once in effect")
			got, err := e.svc.Get(e.ctx, e.officer, c.ID)
			require.NoError(t, err)
			require.Equal(t, []cases.Handoff{{Kind: casework.KindStolenItems, Step: "stolen", ResultID: "batch-" + c.ID, At: e.clock.Now()}}, got.Handoffs)

			// Crash 2: a process claims the trace hand-off and dies before
			// delivering it.
			got, err = e.svc.DispatchAndFile(e.ctx, e.officer, c.ID, got.Version, cases.DispatchInput{})
			require.NoError(t, err)
			got, err = e.svc.Arrest(e.ctx, e.officer, c.ID, got.Version, cases.ArrestInput{SuspectID: e.suspect.ID})
			require.NoError(t, err)
			arrest := got.Arrests[0]
			require.Equal(t, []string{c.Items[0].ItemID, c.Items[1].ItemID}, arrest.ItemIDs)
			for _, it := range got.Items {
				require.Equal(t, []string{arrest.ID}, it.TracedBy)
			}
			claimed, err := e.kstore.ClaimOutbox(e.ctx, "dead-process", e.clock.Now(), 30*time.Second, 10)
			require.NoError(t, err)
			require.Len(t, claimed, 1)
			require.Equal(t, "arrest/"+arrest.ID, claimed[0].Step)
			n, err = e.k.DeliverPending(e.ctx, nil)
			require.NoError(t, err)
			require.Zero(t, n)
			e.clock.Advance(31 * time.Second)
			for range 2 {
				_, err = e.k.DeliverPending(e.ctx, nil)
				require.NoError(t, err)
			}
			require.Equal(t, map[string][]string{c.Items[0].ItemID: {arrest.ID}, c.Items[1].ItemID: {arrest.ID}}, l.traced)
			got, err = e.svc.Get(e.ctx, e.officer, c.ID)
			require.NoError(t, err)
			require.Len(t, got.Handoffs, 2)
			require.Equal(t, "trace-"+arrest.ID, got.Handoffs[1].ResultID)
			all, err := e.kstore.ListOutbox(e.ctx, cases.RecordCase, c.ID)
			require.NoError(t, err)
			for _, m := range all {
				require.True(t, m.Delivered(), m.Step)
			}
			require.Equal(t, []string{"case.report", "case.handoff", "case.dispatch_file", "case.arrest", "case.handoff"}, e.trail(t, cases.RecordCase, c.ID))
			e.verify(t)
		})
	}
}
