package plan

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoIO keeps the package free of I/O: nothing it imports, directly or
// not, may be net/http (or any net package, or os/exec).
func TestNoIO(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not installed")
	}
	out, err := exec.Command(goCmd, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 5 {
		t.Fatalf("go list -deps listed only %v", deps)
	}
	for _, dep := range deps {
		if dep == "net" || strings.HasPrefix(dep, "net/") || dep == "os/exec" {
			t.Errorf("the package depends on %s", dep)
		}
	}
}
