package casework

import (
	"slices"
	"sync"

	"github.com/grassroots-policing/grassroots/internal/errs"
)

// Code is one value of an enumeration: a stable lower_snake code that the
// API and the database store, its Chinese and English labels for reports and
// the docs page, and an optional parent for two-level lists (a dispute
// category "neighbour/noise" has parent "neighbour").
type Code struct {
	Value  string `json:"code"`
	Parent string `json:"parent,omitempty"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}

// CodeList is a named enumeration.
type CodeList struct {
	Name  string `json:"name"`
	Codes []Code `json:"codes"`
}

// CodeLists is the one mechanism behind every enumeration of every package.
// Packages register their built-in lists; an integrator adds codes (or
// relabels built-in ones) through Config.Codes. Codes are never removed,
// because stored records keep them.
type CodeLists struct {
	mu    sync.RWMutex
	lists map[string][]Code
}

// NewCodeLists returns an empty registry.
func NewCodeLists() *CodeLists { return &CodeLists{lists: map[string][]Code{}} }

// Add merges a list: new codes are appended, existing ones relabelled.
func (c *CodeLists) Add(l CodeList) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.lists[l.Name]
	for _, code := range l.Codes {
		if i := slices.IndexFunc(cur, func(x Code) bool { return x.Value == code.Value }); i >= 0 {
			cur[i] = code
		} else {
			cur = append(cur, code)
		}
	}
	c.lists[l.Name] = cur
}

// Default adds only the codes a list does not hold yet, so a package's
// built-ins never undo an integrator's relabelling.
func (c *CodeLists) Default(l CodeList) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.lists[l.Name]
	for _, code := range l.Codes {
		if !slices.ContainsFunc(cur, func(x Code) bool { return x.Value == code.Value }) {
			cur = append(cur, code)
		}
	}
	c.lists[l.Name] = cur
}

// Lookup returns a code of a list.
func (c *CodeLists) Lookup(list, value string) (Code, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	i := slices.IndexFunc(c.lists[list], func(x Code) bool { return x.Value == value })
	if i < 0 {
		return Code{}, false
	}
	return c.lists[list][i], true
}

// List returns a list's codes in registration order.
func (c *CodeLists) List(list string) []Code {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.lists[list])
}

// Names returns the names of every list, sorted.
func (c *CodeLists) Names() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	names := make([]string, 0, len(c.lists))
	for n := range c.lists {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Check returns an invalid-input error naming field when value is not a
// code of list.
func (c *CodeLists) Check(field, list, value string) error {
	if _, ok := c.Lookup(list, value); !ok {
		return errs.Invalid(field, "code", "%q is not a code of list %s", value, list)
	}
	return nil
}

// Label returns the Chinese label of a code, or the code itself.
func (c *CodeLists) Label(list, value string) string {
	if code, ok := c.Lookup(list, value); ok && code.ZH != "" {
		return code.ZH
	}
	return value
}
