package e2e

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	dashboardFile     = "../grafana/dashboards/securitycopilot.json"
	recordingRuleFile = "../prometheus/rules/recording.yml"
)

// dashboardVariables are the values the test gives Grafana's variables:
// "All" for the tenant and workspace variables, and what Grafana computes
// for its built-in interval variables at a short time range.
var dashboardVariables = strings.NewReplacer(
	"${tenant}", ".*", "$tenant", ".*",
	"${workspace}", ".*", "$workspace", ".*",
	"$__rate_interval", "1m", "$__interval", "15s", "$__range", "1h",
)

var unresolvedVariable = regexp.MustCompile(`\$\{?\w+`)

type panel struct {
	Title   string `json:"title"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // of collapsed rows
}

// dashboardQueries returns the dashboard's PromQL queries by panel title,
// with the variables substituted.
func dashboardQueries(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	queries := map[string][]string{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, target := range p.Targets {
				expr := dashboardVariables.Replace(target.Expr)
				if v := unresolvedVariable.FindString(expr); v != "" {
					t.Fatalf("panel %q uses the variable %s, which the test does not know: %s", p.Title, v, target.Expr)
				}
				queries[p.Title] = append(queries[p.Title], expr)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	if len(queries) == 0 {
		t.Fatalf("%s has no panel queries", dashboardFile)
	}
	return queries
}

// recordedNames returns the series names the shipped recording rules
// record, with the expression of each.
func recordedNames(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(recordingRuleFile)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Rules []struct {
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		t.Fatalf("%s: %v", recordingRuleFile, err)
	}
	records := map[string]string{}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				records[r.Record] = r.Expr
			}
		}
	}
	if len(records) == 0 {
		t.Fatalf("%s has no recording rules", recordingRuleFile)
	}
	return records
}

func (c *checker) dashboardHasData(queries map[string][]string, records map[string]string) {
	for title, exprs := range queries {
		for _, expr := range exprs {
			if len(c.query(expr)) == 0 {
				c.errorf("dashboard panel %q returns no data: %s", title, expr)
			}
		}
	}
}

func (c *checker) recordingRulesHaveData(records map[string]string) {
	for name, expr := range records {
		if len(c.query(name)) == 0 {
			c.errorf("recording rule %s has recorded no series; its expression: %s", name, expr)
		}
	}
}
