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
	for _, pkg := range []string{"casework", "mediation", "outreach", "recovery"} {
		out, err := exec.Command("go", "list", "-deps", "github.com/grassroots-policing/grassroots/"+pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		for _, dep := range strings.Fields(string(out)) {
			require.False(t, strings.HasPrefix(dep, "modernc.org/sqlite") || strings.HasPrefix(dep, "github.com/jackc/pgx"),
				"%s imports %s", pkg, dep)
		}
	}
}
