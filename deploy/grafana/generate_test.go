package grafana

import (
	"bytes"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate "+DashboardFile+" from the dashboard's code")

// TestDashboardFileIsGenerated checks that the shipped dashboard is what
// the code generates, so that every other test of the file tests the code.
func TestDashboardFileIsGenerated(t *testing.T) {
	generated, err := DashboardJSON()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(DashboardFile, generated, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shipped, err := os.ReadFile(DashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(generated, shipped) {
		t.Errorf("%s differs from the generated dashboard; run go test -run %s -update\n%s",
			DashboardFile, t.Name(), firstDifferentLine(shipped, generated))
	}
}

// firstDifferentLine shows where two texts first differ.
func firstDifferentLine(shipped, generated []byte) string {
	a, b := strings.Split(string(shipped), "\n"), strings.Split(string(generated), "\n")
	for i := range max(len(a), len(b)) {
		var la, lb string
		if i < len(a) {
			la = a[i]
		}
		if i < len(b) {
			lb = b[i]
		}
		if la != lb {
			return "line " + strconv.Itoa(i+1) + ":\n  file:      " + la + "\n  generated: " + lb
		}
	}
	return ""
}
