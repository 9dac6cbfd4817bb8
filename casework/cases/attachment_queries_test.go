package cases_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/grassroots-policing/grassroots/casework/cases"
	"github.com/grassroots-policing/grassroots/casework/cases/sqlstore"
	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
	"github.com/grassroots-policing/grassroots/internal/testdb"
)

// TestGetWithAttachmentsCostsOneQuery counts the SQL statements of a
// case's read with its attachments: one more than the read alone, with
// none attached and with five; an officer of another branch gets not
// found and nothing else.
func TestGetWithAttachmentsCostsOneQuery(t *testing.T) {
	t.Parallel()
	var st *testdb.Statements
	e := newCaseEnv(t, func(t *testing.T) (casework.KernelStore, cases.Store, func(*testing.T) (casework.KernelStore, cases.Store)) {
		sdb, s := testdb.CountingSQLite(t)
		st = s
		k, err := casesql.New(sdb, casesql.SQLite)
		require.NoError(t, err)
		require.NoError(t, k.Migrate(context.Background()))
		c := sqlstore.New(k)
		require.NoError(t, c.Migrate(context.Background()))
		return k, c, nil
	})
	at := e.clock.Now().Add(-time.Hour)
	c := cases.Case{ID: "c-1", UnitID: e.team.ID, Kind: cases.KindTheft, State: cases.StateReported, Summary: "鸟笼被盗",
		IncidentAt: at, Place: "门前", ReportedAt: at, ReportedBy: e.officer.StaffID, Version: 1, CreatedAt: at, UpdatedAt: at}
	require.NoError(t, e.cases.CommitCases(e.ctx, cases.Write{NewCases: []cases.Case{c}}, casework.Change{}))
	cost := func() (get, withFiles int64, files []casework.RecordAttachment) {
		_, err := e.svc.Get(e.ctx, e.officer, c.ID) // warms the kernel's caches
		require.NoError(t, err)
		before := st.N()
		_, err = e.svc.Get(e.ctx, e.officer, c.ID)
		require.NoError(t, err)
		mid := st.N()
		_, files, err = e.svc.GetWithAttachments(e.ctx, e.officer, c.ID)
		require.NoError(t, err)
		return mid - before, st.N() - mid, files
	}
	get, withFiles, files := cost()
	require.Empty(t, files)
	require.Equal(t, get+1, withFiles, "none attached")
	for i := range 5 {
		a, err := e.k.PutAttachment(e.ctx, e.officer, fmt.Sprintf("现场%d.jpg", i), "image/jpeg", strings.NewReader(fmt.Sprintf("photo %d", i)))
		require.NoError(t, err)
		_, err = e.svc.Attach(e.ctx, e.officer, c.ID, a)
		require.NoError(t, err)
	}
	get5, withFiles5, files := cost()
	require.Len(t, files, 5)
	require.Equal(t, get5+1, withFiles5, "five attached")
	t.Logf("statements: read %d, read with attachments %d (none) and %d (five)", get, withFiles, withFiles5)

	got, none, err := e.svc.GetWithAttachments(e.ctx, e.outsider, c.ID)
	require.ErrorIs(t, err, cases.ErrNotFound)
	require.Zero(t, got)
	require.Nil(t, none)
}
