package azuresim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// followAll follows nextLinks from first and returns every page.
func followAll(t *testing.T, c *client, first string) []answer {
	t.Helper()
	var pages []answer
	for link := first; link != ""; {
		a := c.get(link)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", link, a.status, a.raw)
		}
		pages = append(pages, a)
		if len(pages) > 100 {
			t.Fatal("nextLink loop")
		}
		link, _ = a.body["@odata.nextLink"].(string)
	}
	return pages
}

func TestPagingWithCount(t *testing.T) {
	data := fixedSessions(25, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	opts := twoTenants(data)
	opts.MaxPageSize = 10
	s := startServer(t, opts)
	c := newClient(t, s).login(tenantA, clientA, secretA)

	pages := followAll(t, c, sessionsPath+"?$count=true")
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages))
	}
	var got []string
	for i, p := range pages {
		if p.body["@odata.count"] != float64(25) {
			t.Errorf("page %d count %v", i, p.body["@odata.count"])
		}
		if want := []int{10, 10, 5}[i]; len(p.values()) != want {
			t.Errorf("page %d has %d items, want %d", i, len(p.values()), want)
		}
		link, has := p.body["@odata.nextLink"].(string)
		if has != (i < 2) {
			t.Errorf("page %d nextLink presence %v", i, has)
		}
		if has && (!strings.HasPrefix(link, s.GraphEndpoint()+sessionsPath+"?") || !strings.Contains(link, "$skiptoken=")) {
			t.Errorf("nextLink %s is not absolute on the same path", link)
		}
		for _, v := range p.values() {
			got = append(got, v["id"].(string))
		}
	}
	if len(got) != len(data) {
		t.Fatalf("got %d ids", len(got))
	}
	for i, sess := range data { // fixedSessions is already in serving order
		if got[i] != sess.ID {
			t.Fatalf("item %d is %s, want %s", i, got[i], sess.ID)
		}
	}
	if st := s.Stats(); st.ByPath[PathSessions] != 3 || st.GraphRequests != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestTopAndNextLinkKeepsQuery(t *testing.T) {
	data := fixedSessions(25, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	s := startServer(t, twoTenants(data))
	c := newClient(t, s).login(tenantA, clientA, secretA)

	// 5 sessions from minute 20 on, 2 per page, only ids.
	q := "?$filter=" + url.QueryEscape("createdDateTime ge 2025-09-01T00:20:00Z") + "&$select=id&$top=2&$count=true"
	pages := followAll(t, c, sessionsPath+q)
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages))
	}
	n := 0
	for _, p := range pages {
		if p.body["@odata.count"] != float64(5) {
			t.Errorf("count %v", p.body["@odata.count"])
		}
		for _, v := range p.values() {
			if len(v) != 1 || v["id"] != data[20+n].ID {
				t.Errorf("item %d = %v", n, v)
			}
			n++
		}
	}
	if n != 5 {
		t.Fatalf("%d items", n)
	}

	// $top above the cap is capped; $top=0 is an empty page without nextLink.
	if a := c.get(sessionsPath + "?$top=1000"); len(a.values()) != 25 || a.body["@odata.nextLink"] != nil {
		t.Errorf("$top=1000: %d items", len(a.values()))
	}
	if a := c.get(sessionsPath + "?$top=0&$count=true"); a.status != 200 || len(a.values()) != 0 || a.body["@odata.count"] != float64(25) || a.body["@odata.nextLink"] != nil {
		t.Errorf("$top=0: %s", a.raw)
	}
	for _, bad := range []string{"-1", "abc", "1.5", "", "99999999999999999999"} {
		if a := c.get(sessionsPath + "?$top=" + url.QueryEscape(bad)); a.status != 400 || a.errorCode() != "BadRequest" {
			t.Errorf("$top=%q: %d %s", bad, a.status, a.raw)
		}
	}
}

func TestSkipTokenIsBoundToItsQuery(t *testing.T) {
	opts := twoTenants(fixedSessions(5, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)))
	s := startServer(t, opts)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	first := c.get(sessionsPath + "?$top=2")
	link := first.body["@odata.nextLink"].(string)
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	tok := u.Query().Get("$skiptoken")
	for name, rel := range map[string]string{
		"other top":       sessionsPath + "?$top=3&$skiptoken=" + tok,
		"top dropped":     sessionsPath + "?$skiptoken=" + tok,
		"other workspace": wsSessionsPath("second") + "?$top=2&$skiptoken=" + tok,
		"garbage":         sessionsPath + "?$top=2&$skiptoken=%21%21",
	} {
		if a := c.get(rel); a.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, a.status, a.raw)
		}
	}
}

// TestPagingIsStableUnderInserts adds sessions between pages: keyset paging
// neither repeats nor skips the items that were there.
func TestPagingIsStableUnderInserts(t *testing.T) {
	base := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	data := fixedSessions(6, base)
	s := startServer(t, twoTenants(data))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	a := c.get(sessionsPath + "?$top=3")
	early := Session{ID: "early", Created: base.Add(-time.Hour), LastModified: base.Add(-time.Hour)}
	if err := s.AddSession(tenantA, "default", early); err != nil {
		t.Fatal(err)
	}
	b := c.get(a.body["@odata.nextLink"].(string))
	var ids []string
	for _, v := range append(a.values(), b.values()...) {
		ids = append(ids, v["id"].(string))
	}
	for i, sess := range data {
		if i >= len(ids) || ids[i] != sess.ID {
			t.Fatalf("ids %v, want those of %v", ids, data)
		}
	}
}

func TestWorkspacesListing(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	a := c.get("/security/securityCopilot/workspaces?$count=true")
	if a.status != 200 || a.body["@odata.count"] != float64(2) {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	if ctx := a.body["@odata.context"]; ctx != s.GraphEndpoint()+"/$metadata#security/securityCopilot/workspaces" {
		t.Errorf("context %v", ctx)
	}
	vs := a.values()
	if vs[0]["id"] != "default" || vs[0]["displayName"] != "Default workspace" || vs[1]["id"] != "second" {
		t.Errorf("values %v", vs)
	}
	if a := c.get("/security/securityCopilot/workspaces?$filter=" + url.QueryEscape("id eq 'second'")); len(a.values()) != 1 || a.values()[0]["id"] != "second" {
		t.Errorf("filter on id: %s", a.raw)
	}
	if a := c.get("/security/securityCopilot/workspaces/second?$select=displayName"); a.status != 200 || a.body["displayName"] != "Second" || a.body["id"] != nil {
		t.Errorf("single workspace: %s", a.raw)
	}
	if a := c.get("/security/securityCopilot/workspaces?$top=1"); len(a.values()) != 1 || a.body["@odata.nextLink"] == nil {
		t.Errorf("workspace paging: %s", a.raw)
	}
	if st := s.Stats(); st.ByPath[PathWorkspaces] != 4 {
		t.Errorf("stats %+v", st)
	}
}
