package casework_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Importing a workflow package must not compile a database driver: an
// embedder who brings its own store gets neither SQLite nor pgx.
func TestWorkflowPackagesImportNoDriver(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("the go command is needed to list dependencies: %v", err)
	}
	for _, pkg := range []string{"casework", "casework/cases", "casework/reportview", "mediation", "outreach", "recovery"} {
		out, err := exec.Command("go", "list", "-deps", "github.com/grassroots-policing/grassroots/"+pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		for _, dep := range strings.Fields(string(out)) {
			require.False(t, strings.HasPrefix(dep, "modernc.org/sqlite") || strings.HasPrefix(dep, "github.com/jackc/pgx"),
				"%s imports %s", pkg, dep)
		}
	}
}

// The layering of architecture.md: the kernel imports no workflow, no
// workflow imports another, and no store imports another workflow's store.
func TestNoWorkflowImportsAnother(t *testing.T) {
	t.Parallel()
	const mod = "github.com/grassroots-policing/grassroots/"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", mod+"casework/...", mod+"mediation/...",
		mod+"outreach/...", mod+"recovery/...").CombinedOutput()
	require.NoError(t, err, "%s", out)
	workflowOf := func(pkg string) string {
		rel := strings.TrimPrefix(pkg, mod)
		for _, w := range []string{"casework/cases", "mediation", "outreach", "recovery"} {
			if rel == w || strings.HasPrefix(rel, w+"/") {
				return w
			}
		}
		if rel == "casework" || strings.HasPrefix(rel, "casework/") {
			return "kernel"
		}
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Greater(t, len(lines), 20)
	for _, line := range lines {
		fields := strings.Fields(line)
		from := workflowOf(fields[0])
		for _, imp := range fields[1:] {
			to := workflowOf(imp)
			if to == "" || to == "kernel" || to == from {
				continue
			}
			t.Errorf("%s (%s) imports %s (%s)", fields[0], from, imp, to)
		}
	}
}
