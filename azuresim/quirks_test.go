package azuresim

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

var quirkBase = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)

// listIDs follows a listing to its end and returns the ids in the order
// served, and the number of pages.
func (c *client) listIDs(rel string) ([]string, int) {
	c.t.Helper()
	var ids []string
	pages := 0
	for next := rel; next != ""; pages++ {
		if pages > 100 {
			c.t.Fatal("listing did not end")
		}
		a := c.get(next)
		if a.status != 200 {
			c.t.Fatalf("GET %s: %d %s", next, a.status, a.raw)
		}
		for _, v := range a.values() {
			ids = append(ids, v["id"].(string))
		}
		next, _ = a.body["@odata.nextLink"].(string)
	}
	return ids, pages
}

func TestQuirkIgnoreTop(t *testing.T) {
	s := startServer(t, Options{MaxPageSize: 4, Tenants: twoTenants(fixedSessions(10, quirkBase)).Tenants})
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.SetFaults(Faults{Listing: ListingQuirks{IgnoreTop: true}})
	if a := c.get(sessionsPath + "?$top=2"); len(a.values()) != 4 {
		t.Fatalf("$top=2 ignored: %d sessions on the page, want the served cap of 4", len(a.values()))
	}
	if _, pages := c.listIDs(sessionsPath + "?$top=2"); pages != 3 {
		t.Fatalf("%d pages, want 3 of up to 4", pages)
	}
}

func TestQuirkIgnoreFilter(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(10, quirkBase)))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	f := url.QueryEscape("createdDateTime ge " + quirkBase.Add(5*time.Minute).Format(time.RFC3339))
	if a := c.get(sessionsPath + "?$count=true&$filter=" + f); a.body["@odata.count"] != float64(5) {
		t.Fatalf("honoured filter: count %v, want 5", a.body["@odata.count"])
	}
	s.SetFaults(Faults{Listing: ListingQuirks{IgnoreFilter: true}})
	if a := c.get(sessionsPath + "?$count=true&$filter=" + f); a.status != 200 || a.body["@odata.count"] != float64(10) || len(a.values()) != 10 {
		t.Fatalf("ignored filter: %d, count %v, %d sessions; want 200, 10, 10", a.status, a.body["@odata.count"], len(a.values()))
	}
	if a := c.get(sessionsPath + "/$count?$filter=" + f); strings.TrimSpace(string(a.raw)) != "10" {
		t.Fatalf("sessions/$count with an ignored filter: %s, want 10", a.raw)
	}
}

func TestQuirkOrders(t *testing.T) {
	sessions := fixedSessions(9, quirkBase)
	var oldest []string
	for _, s := range sessions {
		oldest = append(oldest, s.ID)
	}
	newest := slices.Clone(oldest)
	slices.Reverse(newest)
	s := startServer(t, Options{MaxPageSize: 2, Tenants: twoTenants(sessions).Tenants})
	c := newClient(t, s).login(tenantA, clientA, secretA)
	for _, tc := range []struct {
		order Order
		want  []string // nil: any order but these two, with every id once
	}{{OrderOldestFirst, oldest}, {OrderNewestFirst, newest}, {OrderArbitrary, nil}} {
		s.SetFaults(Faults{Listing: ListingQuirks{Order: tc.order}})
		got, _ := c.listIDs(sessionsPath)
		switch {
		case tc.want != nil && !slices.Equal(got, tc.want):
			t.Errorf("order %d: %v, want %v", tc.order, got, tc.want)
		case tc.want == nil && (slices.Equal(got, oldest) || slices.Equal(got, newest) || !slices.Equal(slices.Sorted(slices.Values(got)), oldest)):
			t.Errorf("arbitrary order: %v, want every id once in neither time order", got)
		}
	}
}

// With offset paging, a session deleted during a listing shifts the later
// pages, so one session is never served; with key paging (the default),
// every remaining session is.
func TestQuirkOffsetPagingShiftsPages(t *testing.T) {
	for _, offset := range []bool{false, true} {
		sessions := fixedSessions(6, quirkBase)
		s := startServer(t, Options{MaxPageSize: 2, Tenants: twoTenants(sessions).Tenants})
		c := newClient(t, s).login(tenantA, clientA, secretA)
		s.SetFaults(Faults{Listing: ListingQuirks{OffsetPaging: offset}})
		first := c.get(sessionsPath)
		if err := s.DeleteSession(tenantA, "default", sessions[0].ID); err != nil {
			t.Fatal(err)
		}
		rest, _ := c.listIDs(first.body["@odata.nextLink"].(string))
		got := len(first.values()) + len(rest)
		if want := map[bool]int{false: 6, true: 5}[offset]; got != want {
			t.Errorf("offset paging %v: %d sessions served, want %d", offset, got, want)
		}
	}
}
