package azuresim

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestPromptListingPaging(t *testing.T) {
	opts := promptOptions()
	opts.MaxPageSize = 2
	s := startServer(t, opts)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	var got []string
	next := promptsPath + "?$count=true"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		a := c.get(next)
		if a.status != http.StatusOK || a.body["@odata.count"] != float64(5) {
			t.Fatalf("%s: %d %s", next, a.status, a.raw)
		}
		got = append(got, ids(a)...)
		next, _ = a.body["@odata.nextLink"].(string)
		if next != "" && !strings.HasPrefix(next, s.GraphEndpoint()+promptsPath+"?") {
			t.Fatalf("nextLink %q", next)
		}
	}
	if want := []string{"p0", "p1", "p2", "p3", "p4"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("prompts %v, want %v", got, want)
	}

	a := c.get(promptsPath + "?$top=1")
	wantCtx := s.GraphEndpoint() + "/$metadata#security/securityCopilot/workspaces('default')/sessions('s1')/prompts"
	if a.body["@odata.context"] != wantCtx || a.body["@microsoft.graph.tips"] == nil {
		t.Errorf("annotations: %s", a.raw)
	}
	// A skiptoken of the prompts of one session does not page another.
	link := a.body["@odata.nextLink"].(string)
	other := strings.Replace(link, "/s1/", "/s2/", 1)
	if b := c.get(other); b.status != http.StatusBadRequest {
		t.Errorf("replayed skiptoken: %d %s", b.status, b.raw)
	}
}

func TestEvaluationListing(t *testing.T) {
	opts := promptOptions()
	opts.MaxPageSize = 1
	s := startServer(t, opts)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	path := promptsPath + "/p0/evaluations"
	a := c.get(path + "?$count=true")
	if a.status != http.StatusOK || a.body["@odata.count"] != float64(2) || !reflect.DeepEqual(ids(a), []string{"e-done"}) {
		t.Fatalf("first page: %d %s", a.status, a.raw)
	}
	b := c.get(a.body["@odata.nextLink"].(string))
	if !reflect.DeepEqual(ids(b), []string{"e-run"}) || b.body["@odata.nextLink"] != nil {
		t.Fatalf("second page: %s", b.raw)
	}
	wantCtx := s.GraphEndpoint() + "/$metadata#security/securityCopilot/workspaces('default')/sessions('s1')/prompts('p0')/evaluations"
	if a.body["@odata.context"] != wantCtx {
		t.Errorf("context %v", a.body["@odata.context"])
	}
	run := b.values()[0]
	if run["completedDateTime"] != unsetGraphTime || run["result"] != nil || run["executionCount"] != float64(2) || run["isCancelled"] != false {
		t.Errorf("running evaluation: %s", b.raw)
	}
	if !strings.Contains(string(b.raw), `"result":null`) || !strings.Contains(string(b.raw), `"completedDateTime":"0001-01-01T00:00:00Z"`) {
		t.Errorf("unset values not in Graph's shape: %s", b.raw)
	}
}

func TestPromptFilters(t *testing.T) {
	s := startServer(t, promptOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	cases := []struct {
		path, filter string
		want         []string
	}{
		{promptsPath, "createdDateTime ge 2025-10-15T10:02:00Z", []string{"p2", "p3", "p4"}},
		{promptsPath, "lastModifiedDateTime lt 2025-10-15T10:01:00Z and createdDateTime ge 2025-10-15T10:00:00Z", []string{"p0"}},
		{promptsPath + "/p0/evaluations", "lastModifiedDateTime gt 2025-10-15T10:00:35Z", []string{"e-run"}},
		{promptsPath + "/p0/evaluations", "createdDateTime eq 2025-10-15T10:00:00Z", []string{"e-done"}},
	}
	for _, tc := range cases {
		a := c.get(tc.path + "?$filter=" + url.QueryEscape(tc.filter))
		if a.status != http.StatusOK || !reflect.DeepEqual(ids(a), tc.want) {
			t.Errorf("%s: %d %v, want %v: %s", tc.filter, a.status, ids(a), tc.want, a.raw)
		}
	}
	for _, f := range []string{"content eq 'x'", "state eq 'running'", "createdDateTime ge '2025-10-15T10:00:00Z'"} {
		if a := c.get(promptsPath + "/p0/evaluations?$filter=" + url.QueryEscape(f)); a.status != http.StatusBadRequest {
			t.Errorf("%s: %d", f, a.status)
		}
	}
}

func TestPromptNotFoundAndBadSegments(t *testing.T) {
	s := startServer(t, promptOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	notFound := []string{
		sessionsPath + "/nope/prompts",
		promptsPath + "/nope",
		promptsPath + "/nope/evaluations",
		promptsPath + "/p0/evaluations/nope",
		sessionsPath + "/nope/prompts/p0/evaluations/e0",
		wsSessionsPath("missing") + "/s1/prompts",
	}
	for _, p := range notFound {
		if a := c.get(p); a.status != http.StatusNotFound || a.errorCode() != "NotFound" {
			t.Errorf("%s: %d %s", p, a.status, a.raw)
		}
	}
	bad := map[string]string{
		promptsPath + "/p0/foo":                     "foo",
		promptsPath + "/p0/evaluations/e0/x":        "x",
		promptsPath + "/":                           "",
		sessionsPath + "/s1/plugins":                "plugins",
		promptsPath + "/p0/evaluations/e-done/more": "more",
	}
	for p, seg := range bad {
		a := c.get(p)
		msg, _ := a.body["error"].(map[string]any)["message"].(string)
		if a.status != http.StatusBadRequest || msg != "Resource not found for the segment '"+seg+"'." {
			t.Errorf("%s: %d %s", p, a.status, a.raw)
		}
	}
	// Fixed segments ignore case; ids do not.
	if a := c.get("/security/securityCopilot/workspaces/default/SESSIONS/s1/Prompts/p0/EVALUATIONS/e-done"); a.status != http.StatusOK || a.body["id"] != "e-done" {
		t.Errorf("case-insensitive segments: %d %s", a.status, a.raw)
	}
	if a := c.get(promptsPath + "/P0"); a.status != http.StatusNotFound {
		t.Errorf("id matched without regard to case: %d", a.status)
	}
	// Entities take only $select.
	if a := c.get(promptsPath + "/p0?$top=1"); a.status != http.StatusBadRequest {
		t.Errorf("$top on a prompt: %d", a.status)
	}
}

func TestPromptStatsAndFaults(t *testing.T) {
	s := startServer(t, promptOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.ResetStats()
	for _, p := range []string{promptsPath, promptsPath + "/p0", promptsPath + "/p0/foo", promptsPath + "/p0/evaluations", promptsPath + "/p0/evaluations/e-done", sessionsPath + "/s1", sessionsPath} {
		c.get(p)
	}
	want := map[string]int{PathPrompts: 3, PathEvaluations: 2, PathSessions: 2}
	if got := s.Stats().ByPath; !reflect.DeepEqual(got, want) {
		t.Errorf("ByPath %v, want %v", got, want)
	}
	// Per-workspace faults reach everything under the workspace.
	s.SetFaults(Faults{StatusFor: map[string]int{"default": 503}, TransientFor: map[string]Transient{"second": {Status: 500, Times: 1}}})
	for _, p := range []string{promptsPath, promptsPath + "/p0/evaluations/e-done"} {
		if a := c.get(p); a.status != http.StatusServiceUnavailable {
			t.Errorf("StatusFor on %s: %d", p, a.status)
		}
	}
	if a := c.get(wsSessionsPath("second") + "/x/prompts"); a.status != http.StatusInternalServerError {
		t.Errorf("TransientFor: %d", a.status)
	}
	// ListingFor breaks session listings only.
	s.SetFaults(Faults{ListingFor: map[string]ListingFault{"default": {Body: BodyHTML}}})
	if a := c.get(promptsPath); a.status != http.StatusOK {
		t.Errorf("ListingFor reached prompts: %d", a.status)
	}
}

func TestPromptsInBatch(t *testing.T) {
	s := startServer(t, promptOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.ResetStats()
	sel := "?$select=id,state,result/type"
	b := c.postBatch(batchOf(
		promptsPath+"?$top=2",
		promptsPath+"/p0/evaluations"+sel,
		promptsPath+"/nope",
		promptsPath+"/p1/evaluations/e1"+sel,
	))
	got := b.byID(t)
	if got["1"].Status != 200 || got["2"].Status != 200 || got["3"].Status != 404 || got["3"].errorCode() != "NotFound" || got["4"].Status != 200 {
		t.Fatalf("statuses %v: %s", b.statuses(t), b.raw)
	}
	if !strings.Contains(string(got["1"].Body), s.GraphEndpoint()+promptsPath+"?") {
		t.Errorf("no absolute nextLink in batch: %s", got["1"].Body)
	}
	if strings.Contains(string(b.raw), "RESULT-SECRET") {
		t.Errorf("result content in a batch answer that selected result/type: %s", b.raw)
	}
	if want := `,"id":"e1","state":"brandNewState","result":{"type":"futureResult"}}`; !strings.Contains(string(got["4"].Body), want) {
		t.Errorf("item 4: %s", got["4"].Body)
	}
	if by := s.Stats().ByPath; by[PathPrompts] != 2 || by[PathEvaluations] != 2 {
		t.Errorf("ByPath %v", by)
	}
	var logged []string
	for _, r := range s.Requests() {
		if r.InBatch {
			logged = append(logged, r.RawQuery)
		}
	}
	if !reflect.DeepEqual(logged, []string{"$top=2", "$select=id,state,result/type", "", "$select=id,state,result/type"}) {
		t.Errorf("logged queries %q", logged)
	}
}
