package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	casesql "github.com/grassroots-policing/grassroots/casework/sqlstore"
)

// A backup is a directory laid out as a data directory, so that restoring
// it is starting the server with -data pointing at it (or moving it into
// place): the database copy, the key files without which it cannot be
// read, the staff ids the server prints, and the attachment bytes kept
// beside a SQLite database. Every file is 0600 and every directory 0700:
// the keys in it unseal the personal data in the database.
const backupDBName = "grassroots.db"

// backupKeyFiles travel with the database: keys.json (sealing and
// checkpoint keys) is required, the rest are copied when present.
var backupKeyFiles = []struct {
	name     string
	required bool
}{
	{"keys.json", true},
	{secretFileName, false},
	{adminFileName, false},
	{demoFileName, false},
}

// runBackup is the backup subcommand:
//
//	server backup -to DIR [-data DIR] [-db sqlite:PATH] [-blobs DIR|db]
//
// It copies a live SQLite database with VACUUM INTO, which reads one
// consistent snapshot while the server goes on writing, then the key files
// and attachment bytes, into a new directory; it never overwrites.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := &config{}
	flags := flag.NewFlagSet("server backup", flag.ContinueOnError)
	flags.StringVar(&c.data, "data", "grassroots-data", "data directory of the server: keys.json and jwt-secret are read here")
	flags.StringVar(&c.db, "db", "", "database to copy: sqlite:PATH (default sqlite:DATA/grassroots.db); PostgreSQL is backed up with pg_dump")
	flags.StringVar(&c.blobs, "blobs", "", "the server's -blobs: a folder to copy, or db (default DATA/blobs on SQLite)")
	to := flags.String("to", "", "new directory to write the backup into (refused when it exists)")
	if err := parse(flags, args, getenv, stderr); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("backup: unexpected argument %q", flags.Arg(0))
	}
	if c.db == "" {
		c.db = "sqlite:" + filepath.Join(c.data, backupDBName)
	}
	src, err := backupSource(c.db)
	if err != nil {
		return err
	}
	if *to == "" {
		return errors.New("backup: -to is required: the new directory to write the backup into")
	}
	if _, err := os.Lstat(*to); err == nil {
		return fmt.Errorf("backup: -to %s exists: refusing to overwrite it (choose a new name)", *to)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: -to: %w", err)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("backup: database %s: %w", src, err)
	}
	tmp, err := reserveSibling(*to)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	sum, err := writeBackup(ctx, src, c, tmp)
	if err == nil {
		err = publish(tmp, *to)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("backup: %w", err), os.RemoveAll(tmp))
	}
	abs, _ := filepath.Abs(*to)
	fmt.Fprintf(stdout, "Backup written to %s: %s\n", abs, sum)
	fmt.Fprintf(stdout, "It holds the keys that unseal the database: keep it as safe as the data directory.\n")
	fmt.Fprintf(stdout, "Restore: stop the server, then start it with -data %s (or move the directory into place).\n", shellQuote(abs))
	return nil
}

// backupSource is the SQLite file -db names; other databases are refused
// with the tool that backs them up.
func backupSource(dsn string) (string, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:") && strings.TrimPrefix(dsn, "sqlite:") != "":
		return strings.TrimPrefix(dsn, "sqlite:"), nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "", errors.New("backup: -db is PostgreSQL: back it up with pg_dump (pg_dump -Fc -f grassroots.dump URL), " +
			"and keep keys.json and jwt-secret from the data directory with the dump: the database cannot be read without keys.json")
	case dsn == "memory":
		return "", errors.New("backup: -db memory keeps nothing to back up")
	default:
		return "", fmt.Errorf("backup: -db %q: want sqlite:PATH", dsn)
	}
}

// reserveSibling creates a private directory beside to (same filesystem,
// so that the final rename is atomic) for the backup to be written in.
func reserveSibling(to string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tmp := filepath.Clean(to) + ".partial-" + hex.EncodeToString(b[:])
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return "", err
	}
	return tmp, nil
}

// publish renames the finished backup into place, refusing once more a
// name that appeared meanwhile.
func publish(tmp, to string) error {
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("-to %s appeared while the backup was written: refusing to overwrite it", to)
	}
	if err := os.Rename(tmp, to); err != nil {
		return err
	}
	return syncDir(filepath.Dir(to))
}

// writeBackup fills dir: the database snapshot, checked, then the key
// files and the attachment bytes. It returns a one-line summary.
func writeBackup(ctx context.Context, src string, c *config, dir string) (string, error) {
	dst := filepath.Join(dir, backupDBName)
	if err := vacuumInto(ctx, src, dst); err != nil {
		return "", err
	}
	steps, err := checkCopy(ctx, dst)
	if err != nil {
		return "", err
	}
	for _, f := range backupKeyFiles {
		err := copyFile(filepath.Join(c.data, f.name), filepath.Join(dir, f.name))
		switch {
		case errors.Is(err, fs.ErrNotExist) && f.required:
			return "", fmt.Errorf("%s is missing from %s: the database cannot be read without it", f.name, c.data)
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return "", err
		}
	}
	blobs, err := copyBlobs(c, filepath.Join(dir, "blobs"))
	if err != nil {
		return "", err
	}
	st, err := os.Stat(dst)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("database %d bytes (schema %s), %d attachment files", st.Size(), steps, blobs), nil
}

// vacuumInto writes a consistent copy of the SQLite database at src to
// dst. VACUUM INTO reads one snapshot in a read transaction, so writers
// on the live database (WAL mode) go on meanwhile; the copy is compact and
// needs no -wal file beside it.
func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := casesql.OpenSQLite(src)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := schemaVersions(ctx, db); err != nil {
		return fmt.Errorf("%s is not a Grassroots database: %w", src, err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("copy the database: %w", err)
	}
	if err := os.Chmod(dst, 0o600); err != nil {
		return err
	}
	return syncFile(dst)
}

// checkCopy opens the copy, checks its pages and returns its schema steps.
func checkCopy(ctx context.Context, path string) (string, error) {
	db, err := casesql.OpenSQLite(path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&verdict); err != nil {
		return "", fmt.Errorf("check the copy: %w", err)
	}
	if verdict != "ok" {
		return "", fmt.Errorf("the copy fails its check: %s", verdict)
	}
	steps, err := schemaVersions(ctx, db)
	if err != nil {
		return "", err
	}
	parts := make([]string, 0, len(steps))
	for _, line := range slices.Sorted(maps.Keys(steps)) {
		parts = append(parts, fmt.Sprintf("%s %d", line, steps[line]))
	}
	return strings.Join(parts, ", "), nil
}

// copyBlobs copies the attachment bytes the server keeps in a folder
// (blobStore's choice) into dst, after the database snapshot: blobs are
// immutable and named by digest, and one is written before the row that
// names it, so every blob the snapshot names is there (a few newer ones
// may be too, which is harmless). In-flight uploads (tmp) are skipped.
func copyBlobs(c *config, dst string) (int, error) {
	src := c.blobs
	switch {
	case src == "db":
		return 0, nil
	case src == "":
		src = filepath.Join(c.data, "blobs")
		if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
	}
	n := 0
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && rel == "tmp":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		case !d.Type().IsRegular():
			return nil
		}
		n++
		return copyFile(path, filepath.Join(dst, rel))
	})
	if err != nil {
		return n, fmt.Errorf("copy the attachment bytes: %w", err)
	}
	return n, nil
}

// copyFile copies src to a new file dst (mode 0600), synced.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		return errors.Join(err, out.Close())
	}
	if err := out.Sync(); err != nil {
		return errors.Join(err, out.Close())
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
