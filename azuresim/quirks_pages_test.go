package azuresim

import (
	"slices"
	"strings"
	"testing"
)

func TestQuirkEmptyPagesPrecedeEveryPage(t *testing.T) {
	for _, offset := range []bool{false, true} {
		s := startServer(t, Options{MaxPageSize: 4, Tenants: twoTenants(fixedSessions(10, quirkBase)).Tenants})
		c := newClient(t, s).login(tenantA, clientA, secretA)
		want, pages := c.listIDs(sessionsPath + "?$top=4")
		if pages != 3 {
			t.Fatalf("without the quirk: %d pages, want 3", pages)
		}
		s.SetFaults(Faults{Listing: ListingQuirks{EmptyPages: true, OffsetPaging: offset}})
		first := c.get(sessionsPath + "?$top=4&$count=true")
		next, _ := first.body["@odata.nextLink"].(string)
		if first.status != 200 || len(first.values()) != 0 || next == "" || first.body["@odata.count"] != float64(10) {
			t.Fatalf("first page: %d, %d sessions, count %v, next %q; want an empty page with the count and a next link",
				first.status, len(first.values()), first.body["@odata.count"], next)
		}
		got, pages := c.listIDs(sessionsPath + "?$top=4")
		if !slices.Equal(got, want) || pages != 6 {
			t.Fatalf("offset paging %v: %d pages of %v, want 6 of %v", offset, pages, got, want)
		}
	}
}

func TestQuirkEmptyPagesOfAnEmptyCollection(t *testing.T) {
	s := startServer(t, Options{Tenants: twoTenants(nil).Tenants})
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.SetFaults(Faults{Listing: ListingQuirks{EmptyPages: true}})
	if ids, pages := c.listIDs(sessionsPath); len(ids) != 0 || pages != 2 {
		t.Fatalf("%v in %d pages, want none in 2", ids, pages)
	}
	if ids, pages := c.listIDs("/security/securityCopilot/workspaces"); len(ids) == 0 || pages != 2 {
		t.Fatalf("workspaces: %v in %d pages, want them in 2", ids, pages)
	}
}

func TestQuirkMaxTop(t *testing.T) {
	for _, named := range []bool{false, true} {
		s := startServer(t, Options{MaxPageSize: 100, Tenants: twoTenants(fixedSessions(10, quirkBase)).Tenants})
		c := newClient(t, s).login(tenantA, clientA, secretA)
		s.SetFaults(Faults{Listing: ListingQuirks{MaxTop: 5, MaxTopNamed: named}})
		a := c.get(sessionsPath + "?$top=6&$count=true")
		e, _ := a.body["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if a.status != 400 || a.errorCode() != "BadRequest" || strings.Contains(msg, "'5'") != named || !strings.Contains(msg, "6") {
			t.Fatalf("named %v: $top=6 answered %d %s %q", named, a.status, a.errorCode(), msg)
		}
		if _, ok := e["innerError"].(map[string]any); !ok {
			t.Fatalf("no innerError in %s", a.raw)
		}
		if ids, pages := c.listIDs(sessionsPath + "?$top=5"); len(ids) != 10 || pages != 2 {
			t.Fatalf("$top=5: %d sessions in %d pages, want 10 in 2", len(ids), pages)
		}
		if a := c.get(sessionsPath); a.status != 200 {
			t.Fatalf("no $top: %d", a.status)
		}
	}
}
