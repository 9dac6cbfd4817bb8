package casework

import (
	"fmt"
	"slices"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Workflow is what every workflow service (mediation, outreach, recovery,
// casework/cases, or an integrator's own) is to the kernel. Each package
// checks it at compile time (var _ casework.Workflow = (*Service)(nil)) and
// its New calls Kernel.Register once, so an embedder who builds a service
// has it fully wired: there is no second place that registers a figure, a
// sweeper or a receiver, and a hand-off kind can have only one receiver.
type Workflow interface {
	// Provides lists everything the service brings to the kernel.
	Provides() Provision
}

// Provision is what one workflow gives the kernel.
type Provision struct {
	// Name identifies the workflow ("mediation"); one registration a name.
	Name string
	// Rules are the workflow's default permission rows; an integrator's
	// Policy.Set made before or after wins.
	Rules []Rule
	// Codes are the workflow's default code lists; Config.Codes win.
	Codes []CodeList
	// Figures are its numbers for the one report.
	Figures FigureSource
	// Sweeper runs its time-driven changes in Kernel.Sweep; nil when the
	// workflow has none.
	Sweeper Sweeper
	// Receivers take the hand-off kinds this workflow receives.
	Receivers map[string]Receiver
	// Writebacks record on this workflow's records the ids that receivers
	// returned for the hand-offs it sent.
	Writebacks map[string]Writeback
	// PersonReferences moves this workflow's references from one person to
	// another when two person records are merged; nil when its records
	// name no person.
	PersonReferences PersonReferences
	// Mover lists and moves the workflow's open records when a staff
	// member's work is handed over or a unit is closed; nil when it has
	// none to move.
	Mover AssignmentMover
}

// Register wires a workflow into the kernel: its policy rows, code lists,
// figures, sweeper, receivers and write-backs. It checks everything before
// it changes anything, so a refused registration leaves the kernel as it
// was. A second workflow of the same name, or a second receiver or
// write-back for one hand-off kind, is refused: one kind, one receiver.
func (k *Kernel) Register(w Workflow) error {
	if w == nil {
		return errs.Invalid("w", "required", "Register needs a workflow")
	}
	p := w.Provides()
	if p.Name == "" {
		return errs.Invalid("name", "required", "a workflow needs a name")
	}
	for _, r := range p.Rules {
		if err := r.check(); err != nil {
			return fmt.Errorf("casework: workflow %s: %w", p.Name, err)
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if slices.Contains(k.workflows, p.Name) {
		return errs.New(errs.ErrConflict, "casework: workflow %s is already registered", p.Name)
	}
	for kind, r := range p.Receivers {
		if r == nil {
			return errs.Invalid("receivers."+kind, "required", "workflow %s names no receiver for %s", p.Name, kind)
		}
		if _, dup := k.receivers[kind]; dup {
			return errs.New(errs.ErrConflict, "casework: workflow %s: hand-off kind %s already has a receiver", p.Name, kind)
		}
	}
	for kind, wb := range p.Writebacks {
		if wb == nil {
			return errs.Invalid("writebacks."+kind, "required", "workflow %s names no write-back for %s", p.Name, kind)
		}
		if _, dup := k.writebacks[kind]; dup {
			return errs.New(errs.ErrConflict, "casework: workflow %s: hand-off kind %s already has a write-back", p.Name, kind)
		}
	}
	if err := k.policy.Default(p.Rules...); err != nil {
		return fmt.Errorf("casework: workflow %s: %w", p.Name, err)
	}
	for _, l := range p.Codes {
		k.codes.Default(l)
	}
	k.workflows = append(k.workflows, p.Name)
	if p.Figures != nil {
		k.figures = append(k.figures, p.Figures)
	}
	if p.Sweeper != nil {
		k.sweepers = append(k.sweepers, p.Sweeper)
	}
	if p.PersonReferences != nil {
		k.personRefs = append(k.personRefs, namedPersonRefs{p.Name, p.PersonReferences})
	}
	if p.Mover != nil {
		k.movers[p.Name] = p.Mover
	}
	for kind, r := range p.Receivers {
		k.receivers[kind] = r
	}
	for kind, wb := range p.Writebacks {
		k.writebacks[kind] = wb
	}
	return nil
}

// Workflows names the registered workflows in registration order.
func (k *Kernel) Workflows() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return slices.Clone(k.workflows)
}
