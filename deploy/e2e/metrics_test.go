package e2e

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	promdeploy "github.com/securitycopilot-exporter/securitycopilot_exporter/deploy/prometheus"
)

// workspace is a tenant and workspace label pair.
type workspace struct{ tenant, workspace string }

func (w workspace) String() string { return w.tenant + "/" + w.workspace }

func workspaceOf(s sample) workspace {
	return workspace{s.labels["tenant"], s.labels["workspace"]}
}

// demoWorkspaces are the workspaces of the demo's simulated tenants: contoso
// lists its workspaces in the configuration, fabrikam discovers them, and
// northwind reads with a signed-in account (auth device_code).
// The demo's workspaces created at onboarding have GUIDs; contoso's config
// names its one "default", which the exporter resolves to the GUID.
var demoWorkspaces = []workspace{{"contoso", "17aafe23-ab95-4b37-8c4d-5e6f7a8b9c0d"}, {"contoso", "soc-emea"}, {"fabrikam", "2b6c0f4e-91d3-4e5a-a7b8-c9d0e1f2a3b4"}, {"fabrikam", "tier1"}, {"northwind", "3c7d1a5f-02e4-4f6b-b8c9-d0e1f2a3b4c5"}}

// demoWindows are the exporter's default windows, which the demo uses.
var demoWindows = []string{"1h", "1d", "7d", "30d"}

// The documented per-workspace metrics (README "Metrics").
var (
	everyWorkspaceMetrics = []string{
		"securitycopilot_up", "securitycopilot_sessions",
		"securitycopilot_scrape_duration_seconds", "securitycopilot_last_success_timestamp_seconds",
	}
	windowedMetrics = []string{"securitycopilot_sessions_created", "securitycopilot_sessions_active"}
	// timestampMetrics are absent for an empty workspace: there is no
	// newest session, and a 0 would read as a session from 1970.
	timestampMetrics = []string{
		"securitycopilot_sessions_newest_created_timestamp_seconds",
		"securitycopilot_sessions_oldest_created_timestamp_seconds",
		"securitycopilot_sessions_last_modified_timestamp_seconds",
	}
)

// The activity collector's per-workspace metrics (README "Metrics"). The demo
// enables activity for every workspace, so each has them, tier1 without
// sessions too.
var (
	activityCounts = []string{
		"securitycopilot_activity_sessions_covered", "securitycopilot_activity_sessions_skipped",
		"securitycopilot_evaluation_duration_seconds_count",
	}
	// demoActivityWindows are the default activity windows, which the demo
	// uses.
	demoActivityWindows = []string{"1h", "1d"}
	// Every documented state and result has a series, 0 when none, so
	// that a missing one reads as a bug, not as none.
	evaluationStates = []string{
		"unknown", "created", "running", "completed", "cancelled", "pending", "deferred",
		"waitingForInput", "unknownFutureValue",
	}
	evaluationResults = []string{
		"unknown", "success", "error", "needAdditionalClaims", "rejected", "timedOut",
		"capacityExceeded", "unknownFutureValue",
	}
)

// activityMetrics checks that every activity metric has a series for each
// demo workspace, and only for those, and that every read succeeded: while
// one fails, the workspace's other activity gauges are absent.
func (c *checker) activityMetrics() {
	for _, s := range c.query("securitycopilot_activity_success") {
		if s.value != 1 {
			c.errorf("securitycopilot_activity_success%v = %g, want 1", s.labels, s.value)
		}
	}
	c.workspacesOf("securitycopilot_activity_success", demoWorkspaces)
	for _, name := range activityCounts {
		c.workspacesOf(name, demoWorkspaces)
	}
	for _, window := range demoActivityWindows {
		c.workspacesOf(fmt.Sprintf("securitycopilot_prompts_created{window=%q}", window), demoWorkspaces)
	}
	for _, state := range evaluationStates {
		c.workspacesOf(fmt.Sprintf("securitycopilot_evaluations{state=%q}", state), demoWorkspaces)
	}
	for _, result := range evaluationResults {
		c.workspacesOf(fmt.Sprintf("securitycopilot_evaluations_result{result=%q}", result), demoWorkspaces)
	}
}

// sessionMetrics checks that every documented per-workspace metric has a
// series for each demo workspace, and only for those.
func (c *checker) sessionMetrics() {
	for _, s := range c.query("securitycopilot_up") {
		if s.value != 1 {
			c.errorf("securitycopilot_up%v = %g, want 1", s.labels, s.value)
		}
	}
	for _, name := range everyWorkspaceMetrics {
		c.workspacesOf(name, demoWorkspaces)
	}
	for _, name := range windowedMetrics {
		for _, window := range demoWindows {
			c.workspacesOf(fmt.Sprintf("%s{window=%q}", name, window), demoWorkspaces)
		}
	}
	var withSessions []workspace
	for _, s := range c.query("securitycopilot_sessions > 0") {
		withSessions = append(withSessions, workspaceOf(s))
	}
	for _, name := range timestampMetrics {
		c.workspacesOf(name, withSessions)
	}
	c.workspacesOf(`securitycopilot_workspace_discovery_success == 1`, []workspace{{"fabrikam", ""}})
	c.workspacesOf(`securitycopilot_workspace_info{display_name="SecurityCopilot_Workspace"} == 1`, []workspace{demoWorkspaces[0], demoWorkspaces[2], demoWorkspaces[4]})
	c.workspacesOf(`securitycopilot_workspace_info{display_name!="SecurityCopilot_Workspace"} == 1`, []workspace{demoWorkspaces[1], demoWorkspaces[3]})
}

// exposedSeries checks that the exporter exposes exactly the series that
// deploy/prometheus lists, against which the dashboard's and the rules'
// queries are checked.
func (c *checker) exposedSeries() {
	got := map[string]bool{}
	for _, s := range c.query(fmt.Sprintf(`group by (__name__) ({job=%q, __name__=~"securitycopilot_.+"})`, exporterJob)) {
		got[s.labels["__name__"]] = true
	}
	want := promdeploy.ExporterSeries()
	for name := range want {
		if !got[name] {
			c.errorf("the exporter does not expose %s", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			c.errorf("the exporter exposes %s, which deploy/prometheus does not list", name)
		}
	}
}

// workspacesOf checks that selector has exactly one series per wanted
// workspace and none for any other.
func (c *checker) workspacesOf(selector string, want []workspace) {
	count := map[workspace]int{}
	jobs := map[workspace]map[string]bool{}
	for _, s := range c.query(selector) {
		w := workspaceOf(s)
		count[w]++
		if jobs[w] == nil {
			jobs[w] = map[string]bool{}
		}
		jobs[w][s.labels["job"]+" "+s.labels["instance"]] = true
	}
	for _, w := range want {
		if count[w] != 1 {
			c.errorf("%s has %d series for %s, want 1 (from job and instance: %s)", selector, count[w], w, sortedKeys(jobs[w]))
		}
	}
	for w := range count {
		if !slices.Contains(want, w) {
			c.errorf("%s has series for %s, which the demo does not have or which must be absent", selector, w)
		}
	}
}

// sortedKeys lists a set's members for messages.
func sortedKeys[V any](m map[string]V) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}
