package grafana

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	dashboardFile       = "dashboards/securitycopilot.json"
	datasourceFile      = "provisioning/datasources/prometheus.yml"
	dashboardProvider   = "provisioning/dashboards/securitycopilot.yml"
	dashboardsMountPath = "/var/lib/grafana/dashboards"

	datasourceUID   = "${datasource}"
	tenantFilter    = `tenant=~"$tenant"`
	workspaceFilter = `workspace=~"$workspace"`
)

// scope says which template-variable filters a metric's selectors need.
type scope int

const (
	global       scope = iota // no tenant label
	perTenant                 // tenant label only
	perWorkspace              // tenant and workspace labels
)

// documentedMetrics are the metrics the exporter documents, with the labels
// that identify where they come from.
var documentedMetrics = map[string]scope{
	"securitycopilot_up":                                        perWorkspace,
	"securitycopilot_sessions":                                  perWorkspace,
	"securitycopilot_sessions_created":                          perWorkspace,
	"securitycopilot_sessions_active":                           perWorkspace,
	"securitycopilot_sessions_newest_created_timestamp_seconds": perWorkspace,
	"securitycopilot_sessions_oldest_created_timestamp_seconds": perWorkspace,
	"securitycopilot_sessions_last_modified_timestamp_seconds":  perWorkspace,
	"securitycopilot_scrape_duration_seconds":                   perWorkspace,
	"securitycopilot_last_success_timestamp_seconds":            perWorkspace,
	"securitycopilot_workspace_discovery_success":               perTenant,
	"securitycopilot_graph_requests_total":                      global,
	"securitycopilot_graph_request_duration_seconds":            global,
	"securitycopilot_graph_retries_total":                       global,
	"securitycopilot_token_requests_total":                      perTenant,
	"securitycopilot_exporter_build_info":                       global,
	"securitycopilot_exporter_config_last_reload_successful":    global,
}

// histograms are exposed as _bucket, _sum and _count series.
var histograms = map[string]bool{
	"securitycopilot_graph_request_duration_seconds": true,
}

var metricRE = regexp.MustCompile(`securitycopilot_[a-z_]+`)

type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	Editable      bool    `json:"editable"`
	SchemaVersion int     `json:"schemaVersion"`
	Refresh       string  `json:"refresh"`
	Panels        []panel `json:"panels"`
	Time          struct {
		From string `json:"from"`
	} `json:"time"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID          *int           `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	GridPos     *gridPos       `json:"gridPos"`
	Datasource  *datasourceRef `json:"datasource"`
	Targets     []target       `json:"targets"`
	Panels      []panel        `json:"panels"` // collapsed rows
}

type gridPos struct {
	H, W, X, Y *int
}

type target struct {
	RefID        string         `json:"refId"`
	Expr         string         `json:"expr"`
	LegendFormat *string        `json:"legendFormat"`
	Datasource   *datasourceRef `json:"datasource"`
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

// allPanels flattens rows, including the panels of collapsed rows.
func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

func TestDashboardMetadata(t *testing.T) {
	d := loadDashboard(t)
	if d.UID != "securitycopilot-exporter" {
		t.Errorf("uid = %q, want securitycopilot-exporter", d.UID)
	}
	if d.Title != "Security Copilot sessions" {
		t.Errorf("title = %q, want %q", d.Title, "Security Copilot sessions")
	}
	if !d.Editable {
		t.Error("dashboard is not editable")
	}
	if d.SchemaVersion != 39 {
		t.Errorf("schemaVersion = %d, want 39", d.SchemaVersion)
	}
	if d.Refresh != "1m" {
		t.Errorf("refresh = %q, want 1m", d.Refresh)
	}
	if d.Time.From != "now-7d" {
		t.Errorf("time.from = %q, want now-7d", d.Time.From)
	}
}

func TestDashboardVariables(t *testing.T) {
	d := loadDashboard(t)
	want := map[string]struct{ typ, query string }{
		"datasource": {"datasource", "prometheus"},
		"tenant":     {"query", "label_values(securitycopilot_up, tenant)"},
		"workspace":  {"query", `label_values(securitycopilot_up{tenant=~"$tenant"}, workspace)`},
	}
	seen := map[string]bool{}
	for _, v := range d.Templating.List {
		w, ok := want[v.Name]
		if !ok {
			continue
		}
		seen[v.Name] = true
		var query string
		if err := json.Unmarshal(v.Query, &query); err != nil {
			t.Errorf("variable %s: query is not a string: %v", v.Name, err)
		}
		if v.Type != w.typ || query != w.query {
			t.Errorf("variable %s: type %q query %q, want type %q query %q", v.Name, v.Type, query, w.typ, w.query)
		}
		if v.Type == "query" && (!v.Multi || !v.IncludeAll) {
			t.Errorf("variable %s: multi=%v includeAll=%v, want both true", v.Name, v.Multi, v.IncludeAll)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("variable %s missing", name)
		}
	}
}

func TestDashboardPanels(t *testing.T) {
	d := loadDashboard(t)
	panels := allPanels(d.Panels)
	if len(panels) == 0 {
		t.Fatal("dashboard has no panels")
	}
	ids := map[int]string{}
	rows := 0
	for _, p := range panels {
		name := p.Title
		if p.ID == nil {
			t.Errorf("panel %q has no id", name)
		} else if other, dup := ids[*p.ID]; dup {
			t.Errorf("panel %q reuses id %d of panel %q", name, *p.ID, other)
		} else {
			ids[*p.ID] = name
		}
		if p.GridPos == nil || p.GridPos.H == nil || p.GridPos.W == nil || p.GridPos.X == nil || p.GridPos.Y == nil {
			t.Errorf("panel %q: gridPos missing or incomplete", name)
		}
		if p.Title == "" {
			t.Errorf("panel %v has no title", p.ID)
		}
		if p.Type == "row" {
			rows++
			continue
		}
		switch p.Type {
		case "stat", "timeseries", "bargauge", "table", "state-timeline":
		default:
			t.Errorf("panel %q: unexpected type %q", name, p.Type)
		}
		if strings.TrimSpace(p.Description) == "" {
			t.Errorf("panel %q has no description", name)
		}
		if p.Datasource == nil || p.Datasource.UID != datasourceUID || p.Datasource.Type != "prometheus" {
			t.Errorf("panel %q: datasource %+v, want prometheus %s", name, p.Datasource, datasourceUID)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no targets", name)
		}
		refIDs := map[string]bool{}
		for i, tg := range p.Targets {
			if tg.RefID == "" {
				t.Errorf("panel %q target %d: empty refId", name, i)
			} else if refIDs[tg.RefID] {
				t.Errorf("panel %q: duplicate refId %s", name, tg.RefID)
			}
			refIDs[tg.RefID] = true
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("panel %q target %s: empty expr", name, tg.RefID)
			}
			if tg.LegendFormat == nil {
				t.Errorf("panel %q target %s: no legendFormat", name, tg.RefID)
			}
			if tg.Datasource != nil && tg.Datasource.UID != datasourceUID {
				t.Errorf("panel %q target %s: datasource uid %q, want %s", name, tg.RefID, tg.Datasource.UID, datasourceUID)
			}
		}
	}
	wantRows := []string{"Adoption", "Activity", "Age", "Exporter health"}
	var gotRows []string
	for _, p := range panels {
		if p.Type == "row" {
			gotRows = append(gotRows, p.Title)
		}
	}
	if strings.Join(gotRows, ",") != strings.Join(wantRows, ",") {
		t.Errorf("rows = %q, want %q", gotRows, wantRows)
	}
}

// selector returns the label matchers written right after a metric name
// that ends at index end of expr, or ok=false if there are none.
func selector(expr string, end int) (string, bool) {
	if end >= len(expr) || expr[end] != '{' {
		return "", false
	}
	closing := strings.IndexByte(expr[end:], '}')
	if closing < 0 {
		return "", false
	}
	return expr[end+1 : end+closing], true
}

func TestDashboardExpressions(t *testing.T) {
	d := loadDashboard(t)
	used := map[string]bool{}
	for _, p := range allPanels(d.Panels) {
		for _, tg := range p.Targets {
			where := p.Title + "/" + tg.RefID
			if err := checkBalanced(tg.Expr); err != "" {
				t.Errorf("%s: %s in %q", where, err, tg.Expr)
			}
			for _, loc := range metricRE.FindAllStringIndex(tg.Expr, -1) {
				name := tg.Expr[loc[0]:loc[1]]
				base := name
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if trimmed, ok := strings.CutSuffix(name, suffix); ok && histograms[trimmed] {
						base = trimmed
					}
				}
				sc, ok := documentedMetrics[base]
				if !ok {
					t.Errorf("%s: %s is not a documented exporter metric", where, name)
					continue
				}
				used[base] = true
				if sc == global {
					continue
				}
				matchers, ok := selector(tg.Expr, loc[1])
				if !ok {
					t.Errorf("%s: %s has no label matchers, want %s", where, name, tenantFilter)
					continue
				}
				if !strings.Contains(matchers, tenantFilter) {
					t.Errorf("%s: %s{%s} lacks %s", where, name, matchers, tenantFilter)
				}
				if sc == perWorkspace && !strings.Contains(matchers, workspaceFilter) {
					t.Errorf("%s: %s{%s} lacks %s", where, name, matchers, workspaceFilter)
				}
			}
		}
	}
	for _, name := range []string{
		"securitycopilot_up",
		"securitycopilot_sessions",
		"securitycopilot_sessions_created",
		"securitycopilot_sessions_active",
		"securitycopilot_sessions_newest_created_timestamp_seconds",
		"securitycopilot_sessions_oldest_created_timestamp_seconds",
		"securitycopilot_sessions_last_modified_timestamp_seconds",
		"securitycopilot_scrape_duration_seconds",
		"securitycopilot_last_success_timestamp_seconds",
		"securitycopilot_graph_requests_total",
		"securitycopilot_graph_retries_total",
		"securitycopilot_token_requests_total",
	} {
		if !used[name] {
			t.Errorf("no panel shows %s", name)
		}
	}
}

// checkBalanced reports unbalanced (), {} or [] outside string literals.
func checkBalanced(expr string) string {
	pairs := map[rune]rune{')': '(', '}': '{', ']': '['}
	var stack []rune
	var quote rune
	escaped := false
	for _, r := range expr {
		if quote != 0 {
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == quote:
				quote = 0
			}
			continue
		}
		switch r {
		case '"', '\'', '`':
			quote = r
		case '(', '{', '[':
			stack = append(stack, r)
		case ')', '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != pairs[r] {
				return "unbalanced " + string(r)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if quote != 0 {
		return "unterminated string"
	}
	if len(stack) > 0 {
		return "unclosed " + string(stack[len(stack)-1])
	}
	return ""
}

func TestCheckBalanced(t *testing.T) {
	for expr, ok := range map[string]bool{
		`sum by (a) (rate(x{a="}"}[5m]))`: true,
		`sum(rate(x[5m])`:                 false,
		`x{a="b"`:                         false,
		`(x]`:                             false,
		`x{a="\")"}`:                      true,
	} {
		if got := checkBalanced(expr) == ""; got != ok {
			t.Errorf("checkBalanced(%q) ok = %v, want %v", expr, got, ok)
		}
	}
}

func decodeYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestDatasourceProvisioning(t *testing.T) {
	var f struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name      string `yaml:"name"`
			Type      string `yaml:"type"`
			UID       string `yaml:"uid"`
			URL       string `yaml:"url"`
			IsDefault bool   `yaml:"isDefault"`
		} `yaml:"datasources"`
	}
	decodeYAML(t, datasourceFile, &f)
	if f.APIVersion != 1 {
		t.Errorf("apiVersion = %d, want 1", f.APIVersion)
	}
	if len(f.Datasources) != 1 {
		t.Fatalf("%d datasources, want 1", len(f.Datasources))
	}
	ds := f.Datasources[0]
	if ds.Name != "Prometheus" || ds.Type != "prometheus" || ds.UID != "prometheus" ||
		ds.URL != "http://prometheus:9090" || !ds.IsDefault {
		t.Errorf("datasource = %+v", ds)
	}
}

func TestDashboardProvisioning(t *testing.T) {
	var f struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name    string `yaml:"name"`
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	decodeYAML(t, dashboardProvider, &f)
	if f.APIVersion != 1 {
		t.Errorf("apiVersion = %d, want 1", f.APIVersion)
	}
	if len(f.Providers) != 1 {
		t.Fatalf("%d providers, want 1", len(f.Providers))
	}
	p := f.Providers[0]
	if p.Name == "" || p.Type != "file" || p.Options.Path != dashboardsMountPath {
		t.Errorf("provider = %+v, want a file provider reading %s", p, dashboardsMountPath)
	}
	// The provider loads every JSON file in the mounted folder.
	matches, err := filepath.Glob("dashboards/*.json")
	if err != nil || len(matches) == 0 {
		t.Errorf("no dashboards to mount at %s: %v", dashboardsMountPath, err)
	}
}
