package recovery_test

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/testdb"
	"github.com/grassroots-policing/grassroots/recovery"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// Sequence counts. The memory backend runs the full 10,000 random
// operation sequences by default; they are short (1 to 8 actions, an action
// being one operation or a run of up to five on one item, every operation
// followed by every invariant check), which keeps the run to seconds. The
// SQL backends run a few hundred by default and the full count with
// GRASSROOTS_LONG=1.
const (
	memorySequences = 10_000
	sqlSequences    = 300
	maxSteps        = 8
	// worldLife is how many sequences share one kernel and unit tree before
	// a fresh one is built, so that the register (which a sweep scans) stays
	// small. Each sequence works in a station of its own.
	worldLife = 250
)

// TestProperties runs random operation sequences against the service and
// checks after every step that each item has exactly one holder (its
// custody chain is unbroken and ends with the item's holder), custody
// entries are only ever appended, no item is returned without an approved
// return and a stored receipt, and the totals equal the sums over the
// items. Expected refusals (a requester approving their own return, a
// hand-over without a receipt or with the wrong ID number) are asserted as
// they happen.
func TestProperties(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			n := sqlSequences
			if backend == "memory" || testdb.Long() {
				n = memorySequences
			}
			workers := 1
			if backend == "memory" {
				workers = 2
			}
			for w := range workers {
				t.Run(fmt.Sprintf("worker%d", w), func(t *testing.T) {
					t.Parallel()
					runSequences(t, backend, n/workers)
				})
			}
		})
	}
}

// runSequences runs about n sequences in rounds of rapid.Check (whose
// per-call count is the -rapid.checks flag).
func runSequences(t *testing.T, backend string, n int) {
	per := 100
	if f := flag.Lookup("rapid.checks"); f != nil {
		if v, err := strconv.Atoi(f.Value.String()); err == nil && v > 0 {
			per = v
		}
	}
	var w *world
	stats := map[string][2]int{} // operation → [accepted, refused]
	done := 0
	start := time.Now()
	for done < n {
		rapid.Check(t, func(rt *rapid.T) {
			if w == nil || w.sequences >= worldLife {
				w = newWorld(t, backend)
				w.stats = stats
			}
			w.sequences++
			r := &run{w: w, seen: map[string][]recovery.CustodyEntry{}}
			r.station = w.newStation(rt)
			actions := []func(*rapid.T){r.report, r.found, r.recover, r.move, r.correct, r.identify, r.match,
				r.requestReturn, r.decideReturn, r.complete, r.event, r.sweep, r.dispose, r.advance,
				r.progress, r.progress, r.progress, r.progress, r.progress, r.progress}
			steps := rapid.IntRange(1, maxSteps).Draw(rt, "steps")
			for range steps {
				actions[rapid.IntRange(0, len(actions)-1).Draw(rt, "action")](rt)
				r.check(rt)
			}
		})
		done += per
	}
	t.Logf("%s: %d sequences of 1-%d steps in %v", backend, done, maxSteps, time.Since(start).Round(time.Millisecond))
	t.Logf("operations [accepted refused]: %v", stats)
}

// world is one kernel, service and unit tree shared by many sequences.
type world struct {
	*env
	sequences          int
	stations           int
	bOfficer, bWitness casework.Actor
	owners             []casework.Person
	receipt, auth      *casework.Attachment
	stats              map[string][2]int
}

func newWorld(t *testing.T, backend string) *world {
	e := newEnv(t, backend, &recovery.Config{HoldingPeriodDays: 30})
	w := &world{env: e, owners: []casework.Person{e.owner, e.owner2}}
	for i, name := range []string{"分局民警甲", "分局民警乙"} {
		s, err := e.k.CreateStaff(e.ctx, e.admin, casework.StaffInput{UnitID: e.branch.ID, Name: name, Roles: []casework.Role{casework.RoleOfficer}})
		require.NoError(t, err)
		if i == 0 {
			w.bOfficer = actor(s)
		} else {
			w.bWitness = actor(s)
		}
	}
	w.receipt = e.attach(t, w.bOfficer, "签收单.jpg", "签收")
	w.auth = e.attach(t, w.bOfficer, "授权委托书.jpg", "委托")
	return w
}

func (w *world) newStation(rt *rapid.T) casework.Unit {
	w.stations++
	u, err := w.k.CreateUnit(w.ctx, w.admin, casework.UnitInput{Code: fmt.Sprintf("P%06d", w.stations), Name: "派出所", Level: casework.LevelStation, ParentID: w.branch.ID})
	if err != nil {
		rt.Fatalf("create station: %v", err)
	}
	return u
}

// run is one sequence: its station and the records it made.
type run struct {
	w        *world
	station  casework.Unit
	items    []string
	returns  []string
	disposal []string
	seen     map[string][]recovery.CustodyEntry
}

// expected counts an operation's outcome and fails the sequence on any
// error but the service's refusals.
func (r *run) expected(rt *rapid.T, what string, err error) {
	v := r.w.stats[what]
	if err == nil {
		v[0]++
	} else {
		v[1]++
	}
	r.w.stats[what] = v
	if err == nil {
		return
	}
	for _, kind := range []error{recovery.ErrInvalid, recovery.ErrInvalidTransition, recovery.ErrForbidden, recovery.ErrConflict, recovery.ErrNotFound} {
		if errors.Is(err, kind) {
			return
		}
	}
	rt.Fatalf("%s: unexpected error %v", what, err)
}

func (r *run) pickItem(rt *rapid.T) (recovery.Item, bool) {
	if len(r.items) == 0 {
		return recovery.Item{}, false
	}
	id := r.items[rapid.IntRange(0, len(r.items)-1).Draw(rt, "item")]
	it, err := r.w.svc.Get(r.w.ctx, r.w.supervisor, id)
	if err != nil {
		rt.Fatalf("get %s: %v", id, err)
	}
	return it, true
}

func (r *run) pickReturn(rt *rapid.T) (recovery.Return, bool) {
	if len(r.returns) == 0 {
		return recovery.Return{}, false
	}
	id := r.returns[rapid.IntRange(0, len(r.returns)-1).Draw(rt, "return")]
	ret, err := r.w.svc.GetReturn(r.w.ctx, r.w.supervisor, id)
	if err != nil {
		rt.Fatalf("get return %s: %v", id, err)
	}
	return ret, true
}

var (
	propCategories = []string{"e_bike", "cage", "documents", "cash", "mobile_phone"}
	propValues     = []int64{0, 1, 150_000, 150_000, 260_000, 20_000_000}
)

// valueOK is the value rule, restated independently of the service:
// documents (NIBRS 48) must be zero, a cage (77 other) may be zero, the
// rest need a value.
func valueOK(cat string, v int64, confirm bool) bool {
	zero, zeroAllowed := cat == "documents", cat == "cage"
	return (zero && v == 0) || (!zero && (v > 0 || zeroAllowed && v == 0) && (v <= recovery.DefaultLargeValueFen || confirm))
}

func (r *run) itemInput(rt *rapid.T) recovery.ItemInput {
	return recovery.ItemInput{UnitID: r.station.ID, CaseID: "case-" + r.station.Code, Category: rapid.SampledFrom(propCategories).Draw(rt, "category"),
		Description: rapid.SampledFrom([]string{"白色雅迪电动车", "竹制鸟笼", "身份证", "现金", "华为手机"}).Draw(rt, "description"),
		Quantity:    rapid.IntRange(1, 3).Draw(rt, "quantity"), ValueFen: rapid.SampledFrom(propValues).Draw(rt, "value"),
		ConfirmLargeValue: rapid.Bool().Draw(rt, "confirm"), OwnerPersonID: rapid.SampledFrom(r.w.owners).Draw(rt, "owner").ID}
}

func (r *run) report(rt *rapid.T) {
	in := r.itemInput(rt)
	it, err := r.w.svc.ReportStolen(r.w.ctx, r.w.bOfficer, recovery.StolenInput{ItemInput: in, StolenAt: r.w.k.Now().Add(-time.Hour), StolenPlace: "张店区"})
	r.expected(rt, "report", err)
	if ok := valueOK(in.Category, in.ValueFen, in.ConfirmLargeValue); ok != (err == nil) {
		rt.Fatalf("report %s worth %d (confirmed %v): err %v", in.Category, in.ValueFen, in.ConfirmLargeValue, err)
	}
	if err == nil {
		r.items = append(r.items, it.ID)
	}
}

func (r *run) intake(rt *rapid.T) recovery.RecoveryInput {
	to := rapid.SampledFrom([]recovery.Holder{{Kind: recovery.HolderStaff, ID: r.w.bOfficer.StaffID}, {Kind: recovery.HolderLocation, ID: "L1"}}).Draw(rt, "intakeTo")
	return recovery.RecoveryInput{Place: "废品站", From: "嫌疑人", To: to,
		CustodyDetails: recovery.CustodyDetails{WitnessID: r.w.bWitness.StaffID, Condition: "完好", Seal: recovery.SealIntact}}
}

func (r *run) found(rt *rapid.T) {
	in := r.itemInput(rt)
	in.OwnerPersonID = ""
	it, err := r.w.svc.RecordFound(r.w.ctx, r.w.bOfficer, recovery.FoundInput{ItemInput: in, RecoveryInput: r.intake(rt)})
	r.expected(rt, "found", err)
	if err == nil {
		r.items = append(r.items, it.ID)
	}
}

func (r *run) recover(rt *rapid.T) {
	if it, ok := r.pickItem(rt); ok {
		r.recoverItem(rt, it)
	}
}

func (r *run) recoverItem(rt *rapid.T, it recovery.Item) {
	_, err := r.w.svc.RecordRecovery(r.w.ctx, r.w.bOfficer, it.ID, it.Version, r.intake(rt))
	r.expected(rt, "recover", err)
	if want := it.State == recovery.StateReportedStolen && it.MatchedItemID == ""; want != (err == nil) {
		rt.Fatalf("recover %s in %s: err %v", it.ID, it.State, err)
	}
}

var locations = []recovery.Holder{{Kind: recovery.HolderLocation, ID: "L1"}, {Kind: recovery.HolderLocation, ID: "L2"}, {Kind: recovery.HolderLocation, ID: "L3"}}

func (r *run) move(rt *rapid.T) {
	it, ok := r.pickItem(rt)
	if !ok {
		return
	}
	to := rapid.SampledFrom(append(locations, recovery.Holder{Kind: recovery.HolderStaff, ID: r.w.custodian2.StaffID})).Draw(rt, "to")
	next, err := r.w.svc.Move(r.w.ctx, r.w.custodian, it.ID, it.Version, recovery.MoveInput{To: to,
		CustodyDetails: recovery.CustodyDetails{WitnessID: r.w.custodian2.StaffID, Reason: "调库", Condition: "完好", Seal: recovery.SealIntact}})
	r.expected(rt, "move", err)
	if want := it.State.InCustody() && !to.Same(it.Holder); want != (err == nil) {
		rt.Fatalf("move %s in %s from %v to %v: err %v", it.ID, it.State, it.Holder, to, err)
	}
	if err == nil && !next.Holder.Same(to) {
		rt.Fatalf("moved to %v but held by %v", to, next.Holder)
	}
}

func (r *run) correct(rt *rapid.T) {
	it, ok := r.pickItem(rt)
	if !ok {
		return
	}
	in := recovery.CorrectionInput{Corrects: int64(rapid.IntRange(0, int(it.CustodySeq)+1).Draw(rt, "corrects")),
		CustodyDetails: recovery.CustodyDetails{Reason: "登记有误", Condition: "完好", Seal: recovery.SealResealed}}
	if rapid.Bool().Draw(rt, "newHolder") {
		in.To = rapid.SampledFrom(locations).Draw(rt, "correctTo")
	}
	_, err := r.w.svc.Correct(r.w.ctx, r.w.custodian, it.ID, it.Version, in)
	r.expected(rt, "correct", err)
	want := it.CustodySeq > 0 && in.Corrects >= 1 && in.Corrects <= it.CustodySeq && (in.To.IsZero() || it.State.InCustody())
	if want != (err == nil) {
		rt.Fatalf("correct %s (%d entries, %s) entry %d to %v: err %v", it.ID, it.CustodySeq, it.State, in.Corrects, in.To, err)
	}
}

func (r *run) identify(rt *rapid.T) {
	if it, ok := r.pickItem(rt); ok {
		r.identifyItem(rt, it)
	}
}

func (r *run) identifyItem(rt *rapid.T, it recovery.Item) {
	owner := rapid.SampledFrom(r.w.owners).Draw(rt, "owner")
	_, err := r.w.svc.Identify(r.w.ctx, r.w.bOfficer, it.ID, it.Version, recovery.IdentifyInput{OwnerPersonID: owner.ID})
	r.expected(rt, "identify", err)
	if err == nil && it.State != recovery.StateRecovered && it.State != recovery.StateUnclaimed {
		rt.Fatalf("identified %s from %s", it.ID, it.State)
	}
}

func (r *run) match(rt *rapid.T) {
	found, ok := r.pickItem(rt)
	if !ok {
		return
	}
	rep, _ := r.pickItem(rt)
	r.matchItems(rt, found, rep)
}

func (r *run) matchItems(rt *rapid.T, found, rep recovery.Item) {
	if found.State == recovery.StateRecovered {
		_, err := r.w.svc.Match(r.w.ctx, r.w.bOfficer, found.ID, 3)
		r.expected(rt, "match", err)
	}
	_, err := r.w.svc.ConfirmMatch(r.w.ctx, r.w.bOfficer, found.ID, found.Version, rep.ID, "")
	r.expected(rt, "confirm match", err)
}

func (r *run) requestReturn(rt *rapid.T) {
	if it, ok := r.pickItem(rt); ok {
		r.requestReturnFor(rt, it)
	}
}

func (r *run) requestReturnFor(rt *rapid.T, it recovery.Item) {
	in := recovery.ReturnInput{ItemID: it.ID}
	switch rapid.IntRange(0, 3).Draw(rt, "recipient") {
	case 0:
		in.Recipient = recovery.Holder{Kind: recovery.HolderPerson, ID: it.OwnerPersonID}
	case 1:
		in.Recipient, in.Authorisation = recovery.Holder{Kind: recovery.HolderPerson, ID: r.w.delegate.ID}, r.w.auth
	case 2:
		in.Recipient = recovery.Holder{Kind: recovery.HolderPerson, ID: r.w.delegate.ID}
	case 3:
		in.Recipient = recovery.Holder{Kind: recovery.HolderStaff, ID: r.w.bOfficer.StaffID}
	}
	requester := rapid.SampledFrom([]casework.Actor{r.w.bOfficer, r.w.supervisor2}).Draw(rt, "requester")
	ret, err := r.w.svc.RequestReturn(r.w.ctx, requester, in)
	r.expected(rt, "request return", err)
	if err == nil {
		if in.Recipient.Kind != recovery.HolderPerson || (ret.Delegate && ret.Authorisation == nil) || it.State != recovery.StateIdentified {
			rt.Fatalf("return %+v accepted for %s in %s", in, it.ID, it.State)
		}
		r.returns = append(r.returns, ret.ID)
	}
}

func (r *run) decideReturn(rt *rapid.T) {
	if ret, ok := r.pickReturn(rt); ok {
		r.decide(rt, ret)
	}
}

func (r *run) decide(rt *rapid.T, ret recovery.Return) {
	approver := rapid.SampledFrom([]casework.Actor{r.w.supervisor, r.w.supervisor2, r.w.bOfficer}).Draw(rt, "approver")
	var err error
	if rapid.IntRange(0, 4).Draw(rt, "reject") == 0 {
		_, err = r.w.svc.RejectReturn(r.w.ctx, approver, ret.ID, ret.Version, "材料不全")
	} else {
		_, err = r.w.svc.ApproveReturn(r.w.ctx, approver, ret.ID, ret.Version, "")
		if ret.State == recovery.ReturnRequested && (approver.StaffID == ret.RequestedBy || approver.StaffID == r.w.bOfficer.StaffID) && !errors.Is(err, recovery.ErrForbidden) {
			rt.Fatalf("approval of %s requested by %s by %s: %v", ret.ID, ret.RequestedBy, approver.StaffID, err)
		}
	}
	r.expected(rt, "decide return", err)
}

func (r *run) handover(rt *rapid.T, ret recovery.Return) (recovery.Handover, bool) {
	h := recovery.Handover{ReturnID: ret.ID}
	good := true
	if rapid.IntRange(0, 5).Draw(rt, "absent") == 0 {
		return recovery.Handover{ReturnID: ret.ID, Absent: true, Reason: "未到场"}, true
	}
	if rapid.IntRange(0, 5).Draw(rt, "noReceipt") > 0 {
		h.Receipt = r.w.receipt
	} else {
		good = false
	}
	h.RecipientDocNumber = r.w.docs[ret.RecipientPersonID]
	if rapid.IntRange(0, 5).Draw(rt, "wrongDoc") == 0 {
		h.RecipientDocNumber, good = r.w.docs[r.w.owner2.ID], good && ret.RecipientPersonID == r.w.owner2.ID
	}
	if ret.Delegate {
		h.OwnerDocNumber = r.w.docs[ret.OwnerPersonID]
	}
	return h, good
}

func (r *run) complete(rt *rapid.T) {
	if ret, ok := r.pickReturn(rt); ok {
		r.completeReturn(rt, ret)
	}
}

func (r *run) completeReturn(rt *rapid.T, ret recovery.Return) {
	h, good := r.handover(rt, ret)
	done, err := r.w.svc.CompleteReturn(r.w.ctx, r.w.bOfficer, ret.ID, ret.Version, h)
	r.expected(rt, "complete return", err)
	if err == nil && !h.Absent && (!good || ret.State != recovery.ReturnApproved || done.Receipt == nil) {
		rt.Fatalf("hand-over %+v of return %s in %s accepted", h, ret.ID, ret.State)
	}
}

func (r *run) event(rt *rapid.T) {
	ev, err := r.w.svc.PlanEvent(r.w.ctx, r.w.bOfficer, recovery.EventInput{UnitID: r.station.ID, Name: "返还会", Date: r.w.k.Now(), Place: "所里"})
	if err != nil {
		rt.Fatalf("plan event: %v", err)
	}
	var planned []recovery.Return
	var ids []string
	for _, id := range r.returns {
		ret, err := r.w.svc.GetReturn(r.w.ctx, r.w.supervisor, id)
		if err != nil {
			rt.Fatalf("get return: %v", err)
		}
		if ret.State == recovery.ReturnApproved && rapid.Bool().Draw(rt, "plan") {
			planned, ids = append(planned, ret), append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	ev, err = r.w.svc.AddReturns(r.w.ctx, r.w.bOfficer, ev.ID, ev.Version, ids)
	r.expected(rt, "add returns", err)
	if err != nil {
		return
	}
	var hs []recovery.Handover
	allGood := true
	for _, ret := range planned {
		h, good := r.handover(rt, ret)
		hs, allGood = append(hs, h), allGood && good
	}
	held, err := r.w.svc.HoldEvent(r.w.ctx, r.w.bOfficer, ev.ID, ev.Version, hs)
	r.expected(rt, "hold event", err)
	if err == nil && !allGood {
		rt.Fatalf("event held with a bad hand-over: %+v", hs)
	}
	if err == nil && len(held.Results) != len(ids) {
		rt.Fatalf("event has %d results for %d returns", len(held.Results), len(ids))
	}
}

func (r *run) sweep(rt *rapid.T) {
	r.w.clock.Advance(time.Duration(rapid.IntRange(0, 40).Draw(rt, "days")) * 24 * time.Hour)
	_, err := r.w.svc.Sweep(r.w.ctx, r.w.k.Now())
	if err != nil {
		rt.Fatalf("sweep: %v", err)
	}
}

func (r *run) dispose(rt *rapid.T) {
	if it, ok := r.pickItem(rt); ok {
		r.disposeItem(rt, it)
	}
}

func (r *run) disposeItem(rt *rapid.T, it recovery.Item) {
	method := rapid.SampledFrom([]recovery.DisposalMethod{recovery.DisposeAuction, recovery.DisposeDestruction, recovery.DisposeTreasury}).Draw(rt, "method")
	d, err := r.w.svc.RequestDisposal(r.w.ctx, r.w.custodian, recovery.DisposalInput{ItemID: it.ID, Method: method, Reason: "保管期满"})
	r.expected(rt, "request disposal", err)
	if err != nil {
		return
	}
	r.disposal = append(r.disposal, d.ID)
	d, err = r.w.svc.ApproveDisposal(r.w.ctx, rapid.SampledFrom([]casework.Actor{r.w.supervisor, r.w.custodian}).Draw(rt, "disposalApprover"), d.ID, d.Version, "")
	r.expected(rt, "approve disposal", err)
	if err != nil {
		return
	}
	proceeds := int64(0)
	if method != recovery.DisposeDestruction {
		proceeds = int64(rapid.IntRange(0, 100_000).Draw(rt, "proceeds"))
	}
	_, err = r.w.svc.CompleteDisposal(r.w.ctx, r.w.custodian, d.ID, d.Version, recovery.DisposalCompletion{ProceedsFen: proceeds,
		Recipient: "拍卖中心", Document: r.w.receipt, WitnessID: r.w.custodian2.StaffID, Condition: "完好"})
	r.expected(rt, "complete disposal", err)
}

// progress takes an item one step along its lifecycle with mostly valid
// input, so that short sequences reach returns, events and disposals; the
// other actions poke at random.
func (r *run) progress(rt *rapid.T) {
	it, ok := r.pickItem(rt)
	if !ok {
		return
	}
	for k := rapid.IntRange(1, 5).Draw(rt, "drive"); k > 0; k-- {
		r.step(rt, it.ID)
		if k > 1 {
			r.check(rt)
		}
	}
}

// step takes one item one step further.
func (r *run) step(rt *rapid.T, id string) {
	it, err := r.w.svc.Get(r.w.ctx, r.w.supervisor, id)
	if err != nil {
		rt.Fatalf("get %s: %v", id, err)
	}
	if it.ReturnID != "" {
		ret, err := r.w.svc.GetReturn(r.w.ctx, r.w.supervisor, it.ReturnID)
		if err != nil {
			rt.Fatalf("get return: %v", err)
		}
		switch ret.State {
		case recovery.ReturnRequested:
			r.decide(rt, ret)
			return
		case recovery.ReturnApproved:
			if rapid.Bool().Draw(rt, "atEvent") {
				r.event(rt)
			} else {
				r.completeReturn(rt, ret)
			}
			return
		}
	}
	switch it.State {
	case recovery.StateReportedStolen:
		r.recoverItem(rt, it)
	case recovery.StateRecovered:
		if rapid.IntRange(0, 3).Draw(rt, "waitOut") == 0 {
			// Nobody claims it: the holding period runs out.
			if due := it.HoldUntil.Add(time.Minute); due.After(r.w.k.Now()) {
				r.w.clock.Set(due)
			}
			if _, err := r.w.svc.Sweep(r.w.ctx, r.w.k.Now()); err != nil {
				rt.Fatalf("sweep: %v", err)
			}
			return
		}
		for _, id := range r.items {
			if rep, err := r.w.svc.Get(r.w.ctx, r.w.supervisor, id); err == nil && rep.State == recovery.StateReportedStolen &&
				rep.MatchedItemID == "" && it.Origin == recovery.OriginFound && rapid.Bool().Draw(rt, "viaMatch") {
				r.matchItems(rt, it, rep)
				return
			}
		}
		r.identifyItem(rt, it)
	case recovery.StateIdentified:
		r.requestReturnFor(rt, it)
	case recovery.StateUnclaimed:
		r.disposeItem(rt, it)
	}
}

func (r *run) advance(rt *rapid.T) {
	r.w.clock.Advance(time.Duration(rapid.IntRange(1, 600).Draw(rt, "minutes")) * time.Minute)
}

// check asserts the invariants over the sequence's station.
func (r *run) check(rt *rapid.T) {
	ctx, svc, sup := r.w.ctx, r.w.svc, r.w.supervisor
	var want recovery.Totals
	for _, id := range r.items {
		it, err := svc.Get(ctx, sup, id)
		if err != nil {
			rt.Fatalf("get %s: %v", id, err)
		}
		chain, err := svc.Custody(ctx, sup, id)
		if err != nil {
			rt.Fatalf("custody %s: %v", id, err)
		}
		// Exactly one holder: an unbroken chain whose end is the holder.
		if err := recovery.CheckChain(chain); err != nil {
			rt.Fatalf("item %s: %v", id, err)
		}
		if int64(len(chain)) != it.CustodySeq {
			rt.Fatalf("item %s: %d entries, custodySeq %d", id, len(chain), it.CustodySeq)
		}
		if len(chain) > 0 && chain[len(chain)-1].To != it.Holder {
			rt.Fatalf("item %s held by %v, chain ends with %v", id, it.Holder, chain[len(chain)-1].To)
		}
		switch {
		case it.State == recovery.StateReportedStolen:
			if len(chain) != 0 {
				rt.Fatalf("reported item %s has custody entries", id)
			}
		case it.State.InCustody():
			if it.Holder.Kind != recovery.HolderStaff && it.Holder.Kind != recovery.HolderLocation {
				rt.Fatalf("item %s in custody held by %v", id, it.Holder)
			}
		case it.State == recovery.StateDisposed:
			if it.Holder.Kind != recovery.HolderExternal {
				rt.Fatalf("disposed item %s held by %v", id, it.Holder)
			}
		}
		// Append-only: what was seen is still there, unchanged.
		prev := r.seen[id]
		if len(chain) < len(prev) {
			rt.Fatalf("item %s lost custody entries", id)
		}
		for i := range prev {
			if !equalEntry(prev[i], chain[i]) {
				rt.Fatalf("item %s custody entry %d changed: %+v → %+v", id, i+1, prev[i], chain[i])
			}
		}
		r.seen[id] = chain
		// No return without approval and receipt.
		if it.State == recovery.StateReturned || it.State == recovery.StateReturnApproved {
			ret, err := svc.GetReturn(ctx, sup, it.ReturnID)
			if err != nil {
				rt.Fatalf("item %s in %s: return %q: %v", id, it.State, it.ReturnID, err)
			}
			if ret.DecidedBy == "" || ret.DecidedBy == ret.RequestedBy {
				rt.Fatalf("item %s in %s: return %s approved by %q, requested by %q", id, it.State, ret.ID, ret.DecidedBy, ret.RequestedBy)
			}
			if it.State == recovery.StateReturned && (ret.State != recovery.ReturnCompleted || ret.Receipt == nil || !ret.IdentityChecked ||
				it.Holder != (recovery.Holder{Kind: recovery.HolderPerson, ID: ret.RecipientPersonID, Name: it.Holder.Name})) {
				rt.Fatalf("item %s returned without a completed return and receipt: %+v", id, ret)
			}
			if it.State == recovery.StateReturnApproved && ret.State != recovery.ReturnApproved {
				rt.Fatalf("item %s approved but its return is %s", id, ret.State)
			}
		}
		if !it.RecoveredAt.IsZero() {
			want.ItemsRecovered++
			want.ValueRecoveredFen += it.ValueFen
		}
		if !it.ReturnedAt.IsZero() {
			want.ItemsReturned++
			want.ValueReturnedFen += it.ValueFen
		}
		if !it.UnclaimedAt.IsZero() {
			want.ItemsUnclaimed++
		}
		if !it.DisposedAt.IsZero() {
			want.ItemsDisposed++
		}
	}
	for _, id := range r.returns {
		ret, err := svc.GetReturn(ctx, sup, id)
		if err != nil {
			rt.Fatalf("return %s: %v", id, err)
		}
		if ret.State == recovery.ReturnCompleted {
			it, _ := svc.Get(ctx, sup, ret.ItemID)
			if it.State != recovery.StateReturned || ret.Receipt == nil {
				rt.Fatalf("return %s completed but item %s is %s", id, it.ID, it.State)
			}
		}
	}
	evs, _, err := svc.ListEvents(ctx, sup, recovery.EventQuery{UnitID: r.station.ID, States: []recovery.EventState{recovery.EventHeld}, Page: casework.Page{Limit: casework.MaxPageLimit}})
	if err != nil {
		rt.Fatalf("events: %v", err)
	}
	want.ReturnEvents = int64(len(evs))
	for _, id := range r.disposal {
		d, err := svc.GetDisposal(ctx, sup, id)
		if err != nil {
			rt.Fatalf("disposal %s: %v", id, err)
		}
		if d.State == recovery.DisposalCompleted {
			want.DisposalProceedsFen += d.ProceedsFen
		}
	}
	zone := r.w.k.Zone()
	got, err := svc.Totals(ctx, sup, casework.ReportQuery{UnitID: r.station.ID, From: time.Date(2019, 1, 1, 0, 0, 0, 0, zone), To: r.w.k.Now().In(zone).AddDate(0, 0, 1)})
	if err != nil {
		rt.Fatalf("totals: %v", err)
	}
	if got != want {
		rt.Fatalf("totals %+v, sums over the items %+v", got, want)
	}
}

func equalEntry(a, b recovery.CustodyEntry) bool {
	if len(a.Photos) != len(b.Photos) {
		return false
	}
	for i := range a.Photos {
		if a.Photos[i] != b.Photos[i] {
			return false
		}
	}
	a.Photos, b.Photos = nil, nil
	return a.ItemID == b.ItemID && a.Seq == b.Seq && a.Kind == b.Kind && a.From == b.From && a.To == b.To &&
		a.ActorID == b.ActorID && a.UnitID == b.UnitID && a.WitnessID == b.WitnessID && a.At.Equal(b.At) &&
		a.Reason == b.Reason && a.Condition == b.Condition && a.Seal == b.Seal && a.SealNumber == b.SealNumber &&
		a.Corrects == b.Corrects && a.CreatedAt.Equal(b.CreatedAt)
}
