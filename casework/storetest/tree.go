package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/require"
)

// UnitTree creates a bureau with the given number of branches, each with
// the given number of stations, and returns the bureau and the stations in
// tree order: the small city a workflow's report benchmark spreads its
// records over.
func UnitTree(t testing.TB, s casework.KernelStore, branches, stations int) (casework.Unit, []casework.Unit) {
	t.Helper()
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(id string, level casework.Level, parent *casework.Unit) casework.Unit {
		u := casework.Unit{ID: id, Code: id, Name: id, Level: level, Version: 1, CreatedAt: at, UpdatedAt: at}
		pp := ""
		if parent != nil {
			u.ParentID, pp = parent.ID, parent.Path
		}
		u.Path = casework.UnitPath(pp, id)
		require.NoError(t, s.CreateUnit(context.Background(), u, casework.Change{}))
		return u
	}
	root := mk("bureau", casework.LevelBureau, nil)
	var out []casework.Unit
	for i := range branches {
		br := mk(fmt.Sprintf("branch%d", i), casework.LevelBranch, &root)
		for j := range stations {
			out = append(out, mk(fmt.Sprintf("station%d-%d", i, j), casework.LevelStation, &br))
		}
	}
	return root, out
}
