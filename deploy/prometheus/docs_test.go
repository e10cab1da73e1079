package prometheus

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate the alert list of docs/operating.md from rules/alerts.yml")

const (
	operatingDoc = "../../docs/operating.md"
	alertsFile   = "rules/alerts.yml"
	alertsBegin  = "<!-- The alert list is generated from deploy/prometheus/rules/alerts.yml: in deploy/, go test ./prometheus -run TestOperatingDocListsEveryAlert -update -->"
	alertsEnd    = "<!-- end of the generated alert list -->"
)

var labelTemplate = regexp.MustCompile(`\{\{ *\$labels\.([a-z_]+) *\}\}`)

// alertTable is the Markdown table of every alert of the rule file, in its
// order, with the summary its annotations give.
func alertTable(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("| alert | severity | for | summary |\n| --- | --- | --- | --- |\n")
	n := 0
	for _, r := range loadRules(t, alertsFile) {
		if r.Alert == "" {
			continue
		}
		n++
		summary := labelTemplate.ReplaceAllString(r.Annotations["summary"], "*$1*")
		summary = strings.ReplaceAll(summary, "|", `\|`)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.Alert, r.Labels["severity"], r.For, summary)
	}
	if n == 0 {
		t.Fatalf("%s has no alerts", alertsFile)
	}
	return b.String()
}

func TestOperatingDocListsEveryAlert(t *testing.T) {
	data, err := os.ReadFile(operatingDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	before, rest, ok := strings.Cut(doc, alertsBegin+"\n")
	if !ok {
		t.Fatalf("%s has no line %q", operatingDoc, alertsBegin)
	}
	current, after, ok := strings.Cut(rest, alertsEnd)
	if !ok {
		t.Fatalf("%s has no line %q after the list", operatingDoc, alertsEnd)
	}
	want := alertTable(t)
	if *update {
		if err := os.WriteFile(operatingDoc, []byte(before+alertsBegin+"\n"+want+alertsEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if current != want {
		t.Errorf("the alert list of %s is not the one of %s; run go test ./prometheus -run %s -update in deploy/\ngot:\n%s\nwant:\n%s", operatingDoc, alertsFile, t.Name(), current, want)
	}
}
