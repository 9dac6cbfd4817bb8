package recovery

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Actions of the recovery workflow. New adds their default policy rows; an
// integrator's rows (casework.Policy.Set before New) win.
const (
	ActionRead            casework.Action = "recovery.read"
	ActionReport          casework.Action = "recovery.report"           // report items stolen (also a case's hand-off)
	ActionRecover         casework.Action = "recovery.recover"          // record a recovery, take into custody
	ActionIdentify        casework.Action = "recovery.identify"         // confirm a match or an owner
	ActionTrace           casework.Action = "recovery.trace"            // mark items traced after an arrest
	ActionMove            casework.Action = "recovery.custody.move"     // hand an item to another holder
	ActionCorrect         casework.Action = "recovery.custody.correct"  // correct a custody entry
	ActionRequestReturn   casework.Action = "recovery.return.request"   // ask for a return
	ActionApproveReturn   casework.Action = "recovery.return.approve"   // approve or reject a return
	ActionHandOver        casework.Action = "recovery.return.hand_over" // hand an item back
	ActionEvent           casework.Action = "recovery.event"            // plan and hold return events
	ActionRequestDisposal casework.Action = "recovery.disposal.request" // ask to dispose of an unclaimed item
	ActionApproveDisposal casework.Action = "recovery.disposal.approve" // approve or reject a disposal
	ActionDispose         casework.Action = "recovery.disposal.complete"
)

// Record types in the audit log.
const (
	RecordItem     = "recovery_item"
	RecordCustody  = "recovery_custody"
	RecordReturn   = "recovery_return"
	RecordEvent    = "recovery_event"
	RecordDisposal = "recovery_disposal"
)

// DefaultRules are the policy rows New adds: officers report and recover;
// custodians (涉案财物管理员) move items; returns and disposals are approved
// by a supervisor at branch (分局) level or above, as domain.md requires;
// auditors only read.
func DefaultRules() []casework.Rule {
	officers := []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleSupervisor}
	return []casework.Rule{
		{Action: ActionRead, Kind: casework.KindRead, Roles: []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer,
			casework.RoleCustodian, casework.RoleSupervisor, casework.RoleAuditor}},
		{Action: ActionReport, Kind: casework.KindWrite, Roles: officers},
		{Action: ActionRecover, Kind: casework.KindWrite, Roles: officers},
		{Action: ActionIdentify, Kind: casework.KindWrite, Roles: officers},
		{Action: ActionTrace, Kind: casework.KindWrite, Roles: officers},
		{Action: ActionMove, Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleCustodian}},
		{Action: ActionCorrect, Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleCustodian, casework.RoleSupervisor}},
		{Action: ActionRequestReturn, Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleCustodian}},
		{Action: ActionApproveReturn, Kind: casework.KindApprove, Roles: []casework.Role{casework.RoleSupervisor}, MinLevel: casework.LevelBranch},
		{Action: ActionHandOver, Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleOfficer, casework.RoleCommunityOfficer, casework.RoleCustodian}},
		{Action: ActionEvent, Kind: casework.KindWrite, Roles: officers},
		{Action: ActionRequestDisposal, Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleOfficer, casework.RoleCustodian}},
		{Action: ActionApproveDisposal, Kind: casework.KindApprove, Roles: []casework.Role{casework.RoleSupervisor}, MinLevel: casework.LevelBranch},
		{Action: ActionDispose, Kind: casework.KindWrite, Roles: []casework.Role{casework.RoleCustodian}},
	}
}

// Config tunes the service. A nil *Config, and every zero field, means the
// default.
type Config struct {
	// HoldingPeriodDays is how long a recovered item nobody claims is held
	// before it becomes unclaimed and may be disposed of: counted as "within
	// N days" (the day of recovery not counted, ending at 24:00 local time).
	// Default 180.
	HoldingPeriodDays int
	// LargeValueFen is the value above which an item needs
	// ConfirmLargeValue. Default 10,000,000 fen (100,000 yuan): far above a
	// small case's e-bike or phone, so it catches an extra zero, the NIBRS
	// reason for the rule.
	LargeValueFen int64
	// Weights tune the matcher. Default DefaultWeights.
	Weights *Weights
	// MatchWindowDays bounds how far back a found item looks for its theft.
	// Default 730.
	MatchWindowDays int
	// MaxCandidates bounds the items one comparison scores. Default 5000.
	MaxCandidates int
	// Categories are the integrator's property categories, each with the
	// one NIBRS property description code it maps to (required: New
	// refuses a category without one). A category of a built-in code
	// replaces the built-in.
	Categories []Category
}

// Defaults.
const (
	DefaultHoldingPeriodDays = 180
	DefaultLargeValueFen     = 10_000_000
	DefaultMatchWindowDays   = 730
	DefaultMaxCandidates     = 5000
)

// Service is the recovery workflow: the only way to change its records. It
// checks permissions (casework.Kernel.Authorize with a Target for every
// record), validates, enforces the state machines and commits each change
// with its audit entries in one transaction.
type Service struct {
	k     *casework.Kernel
	store Store
	cfg   Config
	w     Weights
}

// New builds the service and registers with the kernel all that it
// provides (Provides): its policy rows and code lists, its report figures,
// its sweep (unclaimed items) and the receivers of the case workflow's
// stolen items and arrests, so the kernel's one Report, one Sweep and one
// outbox cover recovery too.
func New(k *casework.Kernel, store Store, cfg *Config) (*Service, error) {
	if k == nil || store == nil {
		return nil, errors.New("recovery: New needs a kernel and a store")
	}
	c := Config{}
	if cfg != nil {
		c = *cfg
	}
	if c.HoldingPeriodDays <= 0 {
		c.HoldingPeriodDays = DefaultHoldingPeriodDays
	}
	if c.LargeValueFen <= 0 {
		c.LargeValueFen = DefaultLargeValueFen
	}
	if c.MatchWindowDays <= 0 {
		c.MatchWindowDays = DefaultMatchWindowDays
	}
	if c.MaxCandidates <= 0 {
		c.MaxCandidates = DefaultMaxCandidates
	}
	w := DefaultWeights
	if c.Weights != nil {
		w = *c.Weights
	}
	c.Categories = slices.Clone(c.Categories)
	s := &Service{k: k, cfg: c, w: w}
	s.store = nibrsStore{Store: store, s: s}
	if err := s.checkCategories(); err != nil {
		return nil, err
	}
	if err := k.Register(s); err != nil {
		return nil, err
	}
	return s, nil
}

var _ casework.Workflow = (*Service)(nil)

// Provides lists what recovery brings to the kernel.
func (s *Service) Provides() casework.Provision {
	return casework.Provision{
		Name:    "recovery",
		Rules:   DefaultRules(),
		Codes:   s.codeLists(),
		Figures: s,
		Sweeper: s,
		Mover:   s,
		Receivers: map[string]casework.Receiver{
			casework.KindStolenItems: casework.Receive(s.RegisterStolen),
			casework.KindTraceItems:  casework.Receive(s.MarkTraced),
		},
		PersonReferences: s,
	}
}

// Kernel returns the kernel the service is built on.
func (s *Service) Kernel() *casework.Kernel { return s.k }

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// target is the permission target of an item: its unit, and the units its
// case or the item itself is shared with (a case shared under 同步共享
// shares its property too, read-only).
func (s *Service) target(ctx context.Context, recordType, id string, it Item) (casework.Target, error) {
	t := casework.Target{RecordType: recordType, RecordID: id, UnitID: it.UnitID}
	shared, err := s.k.ActiveShares(ctx, RecordItem, it.ID, it.UnitID)
	if err != nil {
		return t, err
	}
	if it.CaseID != "" {
		cs, err := s.k.ActiveShares(ctx, "case", it.CaseID, it.UnitID) // the case's items are registered in its unit
		if err != nil {
			return t, err
		}
		shared = append(shared, cs...)
	}
	t.SharedWith = shared
	return t, nil
}

// loadItem reads an item and checks the action on it: reach first, so an
// item out of reach is ErrNotFound, as if it did not exist, then the
// permission.
func (s *Service) loadItem(ctx context.Context, actor casework.Actor, action casework.Action, id string) (Item, error) {
	if !validID(id) {
		return Item{}, errs.NotFound(RecordItem, "")
	}
	it, err := s.store.GetItem(ctx, id)
	if err != nil {
		return Item{}, err
	}
	t, err := s.target(ctx, RecordItem, it.ID, it)
	if err != nil {
		return Item{}, err
	}
	if err := s.k.Check(ctx, actor, action, t); err != nil {
		return Item{}, err
	}
	return it, nil
}

// changes collects the audit records of one Apply.
type changes struct {
	s     *Service
	ctx   context.Context
	actor casework.Actor
	ch    casework.Change
	err   error
}

func (s *Service) changes(ctx context.Context, actor casework.Actor) *changes {
	return &changes{s: s, ctx: ctx, actor: actor}
}

// add appends the audit record of one record's change (before nil for a
// create). The first error sticks and is returned by done.
func (c *changes) add(action, recordType, id string, before, after any) {
	if c.err != nil {
		return
	}
	rec, err := c.s.k.AuditRecord(c.ctx, c.actor, casework.Action(action), recordType, id, before, after)
	if err != nil {
		c.err = err
		return
	}
	c.ch.Audit = append(c.ch.Audit, rec)
}

// custody audits a custody entry under its own record id, so that the
// chain holds a digest of every entry's content (its payload's After is
// custodyDigest of the entry): VerifyCustody checks the stored rows
// against it.
func (c *changes) custody(e CustodyEntry) {
	if c.err == nil {
		c.err = c.s.k.LinkAttachments(c.ctx, e.Photos...) // the sweep keeps the entry's photos
	}
	c.add("recovery.custody."+string(e.Kind), RecordCustody, custodyRecordID(e), nil, custodyState(e))
}

func custodyRecordID(e CustodyEntry) string { return e.ItemID + "#" + strconv.Itoa(int(e.Seq)) }

// keyed ties a create's request key to the record it answers, so that a
// retry with the key returns that record.
func (c *changes) keyed(rk *casework.RequestKey, recordType, id string, result any) {
	if c.err == nil {
		c.err = c.ch.Keyed(rk, recordType, id, result)
	}
}

// apply is the one tail of every recovery write: b commits with the
// collected audit records (and request key, and hand-off mark) in one
// transaction, or nothing does.
func (c *changes) apply(b Batch) error {
	if c.err != nil {
		return c.err
	}
	return c.s.store.Apply(c.ctx, b, c.ch)
}

// commit applies b and returns v, or v's zero value and the error.
func commit[T any](c *changes, b Batch, v T) (T, error) {
	if err := c.apply(b); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// stale is the error for a caller whose version is not the stored one.
func stale(recordType, id string, version int64) error {
	return errs.Stale(recordType, id, version)
}

func trimmed(s string) string { return strings.TrimSpace(s) }
