package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/memstore"
	"github.com/grassroots-policing/grassroots/casework/storetest"
	"github.com/stretchr/testify/require"
)

// Deliberately broken stores: each wraps a correct memory store and breaks
// one promise of the KernelStore contract. The suite must catch every one.

// ignoresVersion writes whatever version the caller read: last writer wins.
type ignoresVersion struct{ *memstore.DB }

func (s ignoresVersion) UpdateStaff(ctx context.Context, m casework.Staff, ch casework.Change) error {
	cur, err := s.DB.GetStaff(ctx, m.ID)
	if err != nil {
		return err
	}
	m.Version = cur.Version + 1
	return s.DB.UpdateStaff(ctx, m, ch)
}

// aliased hands out the same slices every time, so a caller's mutation of a
// result shows up in the next read.
type aliased struct {
	*memstore.DB
	mu    sync.Mutex
	cache map[string]casework.Staff
}

func (s *aliased) GetStaff(ctx context.Context, id string) (casework.Staff, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.cache[id]; ok {
		return m, nil
	}
	m, err := s.DB.GetStaff(ctx, id)
	if err == nil {
		s.cache[id] = m
	}
	return m, err
}

// dropsFilter ignores the role filter of staff lists.
type dropsFilter struct{ *memstore.DB }

func (s dropsFilter) ListStaff(ctx context.Context, f casework.StaffFilter, p casework.Page) ([]casework.Staff, error) {
	f.Role = ""
	return s.DB.ListStaff(ctx, f, p)
}

// ignoresCancel carries on with a cancelled context.
type ignoresCancel struct{ *memstore.DB }

func (s ignoresCancel) UpdateStaff(_ context.Context, m casework.Staff, ch casework.Change) error {
	return s.DB.UpdateStaff(context.Background(), m, ch)
}

func (s ignoresCancel) GetStaff(_ context.Context, id string) (casework.Staff, error) {
	return s.DB.GetStaff(context.Background(), id)
}

var broken = map[string]func() casework.KernelStore{
	"ignores_version": func() casework.KernelStore { return ignoresVersion{memstore.New()} },
	"aliased":         func() casework.KernelStore { return &aliased{DB: memstore.New(), cache: map[string]casework.Staff{}} },
	"drops_filter":    func() casework.KernelStore { return dropsFilter{memstore.New()} },
	"ignores_cancel":  func() casework.KernelStore { return ignoresCancel{memstore.New()} },
}

// TestBrokenStore runs the suite against the broken store named by
// GRASSROOTS_BROKEN_STORE. It is the child half of TestSuiteCatchesBrokenStores
// and does nothing when run directly.
func TestBrokenStore(t *testing.T) {
	newStore, ok := broken[os.Getenv("GRASSROOTS_BROKEN_STORE")]
	if !ok {
		return
	}
	storetest.Run(t, func(*testing.T) casework.KernelStore { return newStore() })
}

// TestSuiteCatchesBrokenStores runs the suite in a child process against
// each broken store and requires it to fail, naming the subtests that caught
// the defect.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"ignores_version": "ConcurrentCompareAndSwap|StaleVersion",
		"aliased":         "NoAliasing",
		"drops_filter":    "StaffFiltersOrderPaging",
		"ignores_cancel":  "CancelledContext",
	}
	failing := regexp.MustCompile(`--- FAIL: TestBrokenStore/(\w+)`)
	for name, caught := range want {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenStore$", "-test.count=1")
			cmd.Env = append(os.Environ(), "GRASSROOTS_BROKEN_STORE="+name)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite passed a store that %s:\n%s", name, out)
			var names []string
			for _, m := range failing.FindAllStringSubmatch(string(out), -1) {
				names = append(names, m[1])
			}
			require.NotEmpty(t, names, "%s", out)
			require.True(t, slices.ContainsFunc(names, regexp.MustCompile("^("+caught+")$").MatchString),
				"failing subtests %v do not include %s", names, caught)
			t.Logf("%s caught by %v", name, names)
		})
	}
}
