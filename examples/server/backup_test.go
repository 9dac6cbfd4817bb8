package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/grassroots-policing/grassroots/casework"
)

// A backup taken while the services keep writing restores into a server
// that reads everything the snapshot holds: the audit chain verifies
// against checkpoints exported before the backup, sealed identity numbers
// open with the keys that travelled with it, attachment bytes are there,
// and tokens from the server's secret still work.
func TestBackupUnderWriteLoadRestores(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	ctx := context.Background()
	k := r.app.kernel
	adminStaff, err := k.Store().GetStaff(ctx, r.app.admin)
	require.NoError(t, err)
	admin := actorOf(adminStaff)
	s, err := k.CreateStaff(ctx, admin, casework.StaffInput{UnitID: admin.UnitID, Name: "市局督察",
		Roles: []casework.Role{casework.RoleOfficer, casework.RoleSupervisor, casework.RoleAuditor}})
	require.NoError(t, err)
	chief := actorOf(s)
	person, err := k.CreatePerson(ctx, chief, casework.PersonInput{UnitID: chief.UnitID, Name: "张某",
		DocType: casework.DocResidentID, DocNumber: "370302198003150012", Address: "淄川区某小区3号楼2单元402室"})
	require.NoError(t, err)
	page := []byte("调解协议书签名页")
	att, err := k.PutAttachment(ctx, chief, "签名.jpg", "image/jpeg", strings.NewReader(string(page)))
	require.NoError(t, err)

	// Write load: staff records (each an audit entry) and attachments,
	// until told to stop.
	var (
		wrote atomic.Int64
		stop  = make(chan struct{})
		wg    sync.WaitGroup
		fail  atomic.Value
	)
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var err error
			if i%5 == 4 {
				_, err = k.PutAttachment(ctx, chief, fmt.Sprintf("现场照片%d.jpg", i), "image/jpeg", strings.NewReader(fmt.Sprintf("photo %d", i)))
			} else {
				_, err = k.CreateStaff(ctx, admin, casework.StaffInput{UnitID: admin.UnitID, Name: fmt.Sprintf("民警%d", i), Roles: []casework.Role{casework.RoleOfficer}})
			}
			if err != nil {
				fail.Store(err)
				return
			}
			wrote.Add(1)
		}
	})
	require.Eventually(t, func() bool { return wrote.Load() >= 20 || fail.Load() != nil }, 20*time.Second, time.Millisecond)
	cp, err := k.Checkpoint(ctx, true)
	require.NoError(t, err)
	require.NotNil(t, cp)
	exported, err := k.ExportCheckpoints(ctx, chief)
	require.NoError(t, err)
	require.NotEmpty(t, exported)

	to := filepath.Join(t.TempDir(), "backup-2020-05-06")
	var out syncBuffer
	startWrites := wrote.Load()
	require.NoError(t, run(ctx, []string{"backup", "-to", to, "-data", r.data}, noEnv, &out, io.Discard))
	t.Logf("writes during the backup: %d; %s", wrote.Load()-startWrites, out.String())
	endWrites := wrote.Load()
	require.Eventually(t, func() bool { return wrote.Load() > endWrites+5 || fail.Load() != nil }, 20*time.Second, time.Millisecond)
	close(stop)
	wg.Wait()
	require.Nil(t, fail.Load(), "the writer")
	require.Contains(t, out.String(), "Backup written to "+to)
	require.Contains(t, out.String(), "-data "+to)

	require.NoError(t, filepath.WalkDir(to, func(path string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		require.Equal(t, want, info.Mode().Perm(), path)
		return nil
	}))
	for _, name := range []string{backupDBName, "keys.json", secretFileName, adminFileName} {
		require.FileExists(t, filepath.Join(to, name))
	}

	restored := start(t, "-data", to, "-demo=false", "-sweep-every", "1h")
	rk := restored.app.kernel
	require.Equal(t, r.app.admin, restored.app.admin)
	rep, err := rk.VerifyAuditAgainst(ctx, chief, exported)
	require.NoError(t, err)
	require.True(t, rep.OK, rep.Reason)
	head, err := rk.Store().AuditHead(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, head.Seq, cp.Seq, "the copy holds everything up to the exported checkpoint")
	live, err := k.Store().AuditHead(ctx)
	require.NoError(t, err)
	require.Less(t, head.Seq, live.Seq, "writes after the backup are not in it")

	got, err := rk.RevealPerson(ctx, chief, person.ID, "核对备份")
	require.NoError(t, err)
	require.Equal(t, "370302198003150012", got.DocNumber, "the sealing key travelled with the database")
	_, rc, err := rk.OpenAttachment(ctx, chief, att.SHA256)
	require.NoError(t, err)
	b, err := io.ReadAll(rc)
	require.NoError(t, rc.Close())
	require.NoError(t, err)
	require.Equal(t, page, b, "the attachment bytes travelled with the database")

	require.Equal(t, http.StatusOK, restored.get(t, "/readyz", "").StatusCode)
	resp := restored.get(t, "/v1/units", "Bearer "+r.token(t, r.app.admin))
	require.Equal(t, http.StatusOK, resp.StatusCode, "a token of the original server is good on the restored one")
}

// What the backup refuses, each with a message saying what to do, and
// without leaving a partial directory behind.
func TestBackupRefuses(t *testing.T) {
	t.Parallel()
	r := startServer(t)
	ctx := context.Background()
	dir := t.TempDir()
	exists := filepath.Join(dir, "exists")
	require.NoError(t, os.Mkdir(exists, 0o700))
	noKeys := filepath.Join(dir, "no-keys")
	require.NoError(t, os.Mkdir(noKeys, 0o700))
	foreign := filepath.Join(dir, "foreign.db")
	require.NoError(t, os.WriteFile(foreign, nil, 0o600))
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no -to":               {[]string{"-data", r.data}, "-to is required"},
		"-to exists":           {[]string{"-data", r.data, "-to", exists}, "refusing to overwrite"},
		"postgres":             {[]string{"-db", "postgres://grassroots@db.example/grassroots", "-to", filepath.Join(dir, "pg")}, "pg_dump"},
		"memory":               {[]string{"-db", "memory", "-to", filepath.Join(dir, "mem")}, "nothing to back up"},
		"no database":          {[]string{"-data", filepath.Join(dir, "empty"), "-to", filepath.Join(dir, "none")}, "no such file"},
		"not a Grassroots one": {[]string{"-data", r.data, "-db", "sqlite:" + foreign, "-to", filepath.Join(dir, "foreign")}, "is not a Grassroots database"},
		"keys.json missing": {[]string{"-data", noKeys, "-db", "sqlite:" + filepath.Join(r.data, backupDBName), "-to", filepath.Join(dir, "keyless")},
			"keys.json is missing from " + noKeys + ": the database cannot be read without it"},
	} {
		t.Run(name, func(t *testing.T) {
			err := run(ctx, append([]string{"backup"}, tc.args...), noEnv, io.Discard, io.Discard)
			require.ErrorContains(t, err, tc.want)
		})
	}
	left, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.ElementsMatch(t, []string{exists, noKeys, foreign}, left, "nothing written, no partial directory left")
	entries, err := os.ReadDir(exists)
	require.NoError(t, err)
	require.Empty(t, entries, "the existing directory is untouched")
}

// The attachment bytes travel wherever -blobs keeps them: a folder of the
// operator's choice is copied into the backup's blobs, the database's own
// table comes with the database.
func TestBackupCarriesAttachmentsWhereverTheyLive(t *testing.T) {
	t.Parallel()
	for name, blobs := range map[string]string{"folder": filepath.Join(t.TempDir(), "evidence"), "db": "db"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := startServer(t, "-blobs", blobs)
			ctx := context.Background()
			k := r.app.kernel
			adminStaff, err := k.Store().GetStaff(ctx, r.app.admin)
			require.NoError(t, err)
			s, err := k.CreateStaff(ctx, actorOf(adminStaff), casework.StaffInput{UnitID: adminStaff.UnitID, Name: "值班民警", Roles: []casework.Role{casework.RoleOfficer}})
			require.NoError(t, err)
			officer := actorOf(s)
			att, err := k.PutAttachment(ctx, officer, "现场照片.jpg", "image/jpeg", strings.NewReader("photo of the scene"))
			require.NoError(t, err)

			to := filepath.Join(t.TempDir(), "backup")
			require.NoError(t, run(ctx, []string{"backup", "-to", to, "-data", r.data, "-blobs", blobs}, noEnv, io.Discard, io.Discard))
			restoredBlobs := "db"
			if blobs != "db" {
				restoredBlobs = filepath.Join(to, "blobs")
			} else {
				require.NoDirExists(t, filepath.Join(to, "blobs"))
			}
			restored := start(t, "-data", to, "-demo=false", "-blobs", restoredBlobs)
			_, rc, err := restored.app.kernel.OpenAttachment(ctx, officer, att.SHA256)
			require.NoError(t, err)
			b, err := io.ReadAll(rc)
			require.NoError(t, rc.Close())
			require.NoError(t, err)
			require.Equal(t, "photo of the scene", string(b))
		})
	}
}
