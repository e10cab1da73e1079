package azuresim

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func filterFixture() []Session {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	return []Session{
		{ID: "s1", Created: at("2025-10-15T10:00:00Z"), LastModified: at("2025-10-15T10:00:00Z")},
		{ID: "s2", Created: at("2025-10-15T11:00:00.0000001Z"), LastModified: at("2025-10-16T09:00:00Z"), DisplayName: strptr("who am i")},
		{ID: "s3", Created: at("2025-10-15T12:00:00Z"), LastModified: at("2025-10-15T12:05:00Z"), DisplayName: strptr("x")},
		{ID: "s4", Created: at("2025-10-15T13:00:00Z"), LastModified: at("2025-10-15T13:00:00Z")},
	}
}

func ids(a answer) []string {
	var out []string
	for _, v := range a.values() {
		out = append(out, v["id"].(string))
	}
	return out
}

func TestFilterOperators(t *testing.T) {
	s := startServer(t, twoTenants(filterFixture()))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	cases := []struct {
		filter string
		want   []string
	}{
		{"createdDateTime ge 2025-10-15T12:00:00Z", []string{"s3", "s4"}},
		{"createdDateTime gt 2025-10-15T12:00:00Z", []string{"s4"}},
		{"createdDateTime lt 2025-10-15T12:00:00Z", []string{"s1", "s2"}},
		{"createdDateTime le 2025-10-15T12:00:00Z", []string{"s1", "s2", "s3"}},
		{"createdDateTime eq 2025-10-15T12:00:00Z", []string{"s3"}},
		{"createdDateTime ne 2025-10-15T12:00:00Z", []string{"s1", "s2", "s4"}},
		// 100ns precision: the seventh digit decides.
		{"createdDateTime eq 2025-10-15T11:00:00.0000001Z", []string{"s2"}},
		{"createdDateTime gt 2025-10-15T11:00:00Z", []string{"s2", "s3", "s4"}},
		// Offsets and minute precision are DateTimeOffsets too.
		{"createdDateTime ge 2025-10-15T14:00:00+02:00", []string{"s3", "s4"}},
		{"createdDateTime lt 2025-10-15T10:30Z", []string{"s1"}},
		{"lastModifiedDateTime ge 2025-10-15T12:00:00Z", []string{"s2", "s3", "s4"}},
		{"createdDateTime ge 2025-10-15T11:00:00Z AND lastModifiedDateTime LT 2025-10-16T00:00:00Z", []string{"s3", "s4"}},
		{"(createdDateTime ge 2025-10-15T11:00:00Z) and (createdDateTime le 2025-10-15T12:00:00Z)", []string{"s2", "s3"}},
		{"createdDateTime lt 2020-01-01T00:00:00Z", nil},
	}
	for _, tc := range cases {
		a := c.get(sessionsPath + "?$count=true&$filter=" + url.QueryEscape(tc.filter))
		if a.status != http.StatusOK {
			t.Errorf("%s: %d %s", tc.filter, a.status, a.raw)
			continue
		}
		if got := ids(a); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.filter, got, tc.want)
		}
		if a.body["@odata.count"] != float64(len(tc.want)) {
			t.Errorf("%s: count %v", tc.filter, a.body["@odata.count"])
		}
	}
	// The $count segment applies the same filter.
	cnt := c.get(sessionsPath + "/$count?$filter=" + url.QueryEscape("createdDateTime ge 2025-10-15T12:00:00Z"))
	if cnt.status != http.StatusOK || string(cnt.raw) != "2" || !strings.HasPrefix(cnt.header.Get("Content-Type"), "text/plain") {
		t.Errorf("$count: %d %q", cnt.status, cnt.raw)
	}
}

func TestFilterRejections(t *testing.T) {
	s := startServer(t, twoTenants(filterFixture()))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	cases := []struct{ filter, inMessage string }{
		{"createdDateTime ge '2025-10-15T12:00:00Z'", "incompatible types"},
		{"createdDateTime ge 2025-10-15", "incompatible types"},
		{"createdDateTime ge 5", "incompatible types"},
		{"createdDateTime ge 2025-10-15T12:00:00.12345678Z", "Syntax error"},
		{"createdDateTime ge 2025-13-15T12:00:00Z", "not a valid DateTimeOffset"},
		{"createdDateTime ge 2025-10-15T12:00:00", "Syntax error"},
		{"CreatedDateTime ge 2025-10-15T12:00:00Z", "Could not find a property"},
		{"displayName eq 'who am i'", "not supported"},
		{"createdDateTime ge 2025-10-15T12:00:00Z or createdDateTime lt 2025-10-15T11:00:00Z", "'or'"},
		{"not createdDateTime ge 2025-10-15T12:00:00Z", "'not'"},
		{"startswith(displayName,'w')", "function"},
		{"createdDateTime", "Syntax error"},
		{"createdDateTime foo 2025-10-15T12:00:00Z", "Syntax error"},
		{"createdDateTime ge", "unexpected end"},
		{"(createdDateTime ge 2025-10-15T12:00:00Z", "unexpected end"},
		{"createdDateTime ge 2025-10-15T12:00:00Z and", "unexpected end"},
		{"createdDateTime ge 2025-10-15T12:00:00Z)", "Syntax error"},
		{"createdDateTime ge '2025", "unterminated"},
		{"createdDateTime ge datetimeoffset'2025-10-15T12:00:00Z'", "Syntax error"},
		{"createdDateTime ge someProperty", "Could not find a property"},
		{"   ", "must not be empty"},
	}
	for _, tc := range cases {
		a := c.get(sessionsPath + "?$filter=" + url.QueryEscape(tc.filter))
		msg, _ := a.body["error"].(map[string]any)["message"].(string)
		if a.status != http.StatusBadRequest || a.errorCode() != "BadRequest" || !strings.Contains(msg, tc.inMessage) {
			t.Errorf("%q: %d %s", tc.filter, a.status, a.raw)
		}
	}
}

func TestSelect(t *testing.T) {
	s := startServer(t, twoTenants(filterFixture()))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	a := c.get(sessionsPath + "?$select=displayName,createdDateTime")
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	for _, v := range a.values() {
		if len(v) != 2 || v["id"] != nil {
			t.Errorf("selected item %v", v)
		}
		if _, ok := v["displayName"]; !ok {
			t.Errorf("displayName (even null) must be present: %v", v)
		}
	}
	if !strings.HasSuffix(a.body["@odata.context"].(string), "/sessions(createdDateTime,displayName)") || a.body["@microsoft.graph.tips"] != nil {
		t.Errorf("context/tips with $select: %s", a.raw)
	}
	if a := c.get(sessionsPath + "?$select=*"); len(a.values()[0]) != 4 {
		t.Errorf("$select=*: %s", a.raw)
	}
	for _, bad := range []string{"nope", "id,", ""} {
		if a := c.get(sessionsPath + "?$select=" + url.QueryEscape(bad)); a.status != 400 {
			t.Errorf("$select=%q: %d", bad, a.status)
		}
	}
	one := c.get(sessionsPath + "/s2?$select=displayName")
	if one.status != 200 || one.body["displayName"] != "who am i" || one.body["id"] != nil {
		t.Errorf("single session: %s", one.raw)
	}
	if a := c.get(sessionsPath + "/nope"); a.status != 404 || a.errorCode() != "NotFound" {
		t.Errorf("unknown session: %d", a.status)
	}
}

// $expand=prompts is served as Faults.Expand says (TestExpandModes).
func TestQueryOptionValidation(t *testing.T) {
	s := startServer(t, twoTenants(filterFixture()))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	for _, q := range []string{"$orderby=createdDateTime", "$skip=1", "$expand=evaluations", "$search=x", "$foo=1", "$top=1&$top=2", "$top=1&$TOP=2", "$count=yes"} {
		if a := c.get(sessionsPath + "?" + q); a.status != 400 || a.errorCode() != "BadRequest" {
			t.Errorf("%s: %d %s", q, a.status, a.raw)
		}
	}
	// Single entities take only $select.
	if a := c.get(sessionsPath + "/s1?$top=1"); a.status != 400 {
		t.Errorf("$top on a session: %d", a.status)
	}
	// Option names ignore case; plain parameters are ignored.
	if a := c.get(sessionsPath + "?$Top=1&$COUNT=true&foo=bar"); a.status != 200 || len(a.values()) != 1 || a.body["@odata.count"] != float64(4) {
		t.Errorf("case-insensitive names: %d %s", a.status, a.raw)
	}
}

// TestWireFormat checks the parts of the answer a Graph client may depend on.
func TestWireFormat(t *testing.T) {
	s := startServer(t, twoTenants(filterFixture()))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	a := c.get(sessionsPath)
	if ct := a.header.Get("Content-Type"); ct != odataJSON {
		t.Errorf("Content-Type %q", ct)
	}
	if a.header.Get("request-id") == "" || a.header.Get("client-request-id") != "test-client-request" {
		t.Errorf("headers %v", a.header)
	}
	raw := string(a.raw)
	wantPrefix := `{"@odata.context":"` + s.GraphEndpoint() + `/$metadata#security/securityCopilot/workspaces('default')/sessions","@microsoft.graph.tips":"Use $select`
	if !strings.HasPrefix(raw, wantPrefix) {
		t.Errorf("body starts %.200s", raw)
	}
	wantItem := `{"id":"s2","createdDateTime":"2025-10-15T11:00:00.0000001Z","lastModifiedDateTime":"2025-10-16T09:00:00Z","displayName":"who am i"}`
	if !strings.Contains(raw, wantItem) || !strings.Contains(raw, `"displayName":null`) {
		t.Errorf("items not in Graph's shape: %s", raw)
	}

	e := c.get("/security/securityCopilot/workspaces/nope/sessions")
	inner, _ := e.body["error"].(map[string]any)["innerError"].(map[string]any)
	if e.status != 404 || e.errorCode() != "NotFound" || inner["request-id"] != e.header.Get("request-id") ||
		inner["client-request-id"] != "test-client-request" || inner["date"] == "" || e.header.Get("Content-Type") != "application/json" {
		t.Errorf("error answer: %d %v %s", e.status, e.header, e.raw)
	}
	for _, p := range []string{"/security/securityCopilot/foo", "/security", "/security/securityCopilot/workspaces/default/sessions/s1/plugins", ""} {
		if a := c.get(p); a.status < 400 || a.errorCode() == "" {
			t.Errorf("%q: %d %s", p, a.status, a.raw)
		}
	}
	if st := s.Stats(); st.ByPath[PathOther] != 3 || st.ByPath[PathSessions] != 3 {
		t.Errorf("ByPath %v", st.ByPath)
	}
}

func TestEscapedWorkspaceIDs(t *testing.T) {
	odd := []string{"a/b", "..", "x?y#z", "sp ace", "it's", "%41"}
	opts := twoTenants(nil)
	for i, id := range odd {
		opts.Tenants[0].Workspaces = append(opts.Tenants[0].Workspaces, Workspace{ID: id, Sessions: []Session{{ID: "in-" + string(rune('0'+i))}}})
	}
	// Decoys that a wrongly split or unescaped path would hit.
	opts.Tenants[0].Workspaces = append(opts.Tenants[0].Workspaces, Workspace{ID: "a", Sessions: []Session{{ID: "decoy-a"}}}, Workspace{ID: "A"}, Workspace{ID: "x"})
	s := startServer(t, opts)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	for i, id := range odd {
		s.ResetStats()
		a := c.get(wsSessionsPath(id) + "?$count=true")
		if a.status != 200 || len(a.values()) != 1 || a.values()[0]["id"] != "in-"+string(rune('0'+i)) {
			t.Errorf("%q: %d %s", id, a.status, a.raw)
			continue
		}
		reqs := s.Requests()
		if want := "/beta" + wsSessionsPath(id); reqs[0].Path != want || reqs[0].Tenant != tenantA || reqs[0].Status != 200 || reqs[0].RawQuery != "$count=true" {
			t.Errorf("%q recorded as %+v, want path %s", id, reqs[0], want)
		}
		// Following the nextLink must stay on the same workspace.
		if err := s.AddSession(tenantA, id, Session{ID: "zz"}); err != nil {
			t.Fatal(err)
		}
		pages := followAll(t, c, wsSessionsPath(id)+"?$top=1")
		if len(pages) != 2 || ids(pages[1])[0] != "in-"+string(rune('0'+i)) && ids(pages[1])[0] != "zz" {
			t.Errorf("%q: paging left the workspace", id)
		}
	}
	// "%2E%2E" is the same id as "..".
	if a := c.get("/security/securityCopilot/workspaces/%2E%2E/sessions"); a.status != 200 || len(a.values()) != 2 {
		t.Errorf("%%2E%%2E: %d %s", a.status, a.raw)
	}
	if a := c.get("/security/securityCopilot/workspaces//sessions"); a.status != 400 {
		t.Errorf("empty id: %d", a.status)
	}
	if a := c.get("/security/securityCopilot/workspaces/unknown/sessions"); a.status != 404 || a.errorCode() != "NotFound" {
		t.Errorf("unknown workspace: %d", a.status)
	}
}
