package azuresim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawAnswer is an answer as it arrived, however broken; readErr is the
// error of reading its body.
type rawAnswer struct {
	status  int
	header  http.Header
	body    []byte
	readErr error
}

// rawDo sends a request with the client's token and reads whatever comes.
func (c *client) rawDo(ctx context.Context, method, rel, body string) (rawAnswer, error) {
	c.t.Helper()
	u := rel
	if !strings.HasPrefix(rel, "https://") {
		u = c.s.GraphEndpoint() + rel
	}
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
	if err != nil {
		c.t.Fatalf("request %s: %v", u, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return rawAnswer{}, err
	}
	defer resp.Body.Close()
	raw, readErr := io.ReadAll(resp.Body)
	return rawAnswer{status: resp.StatusCode, header: resp.Header, body: raw, readErr: readErr}, nil
}

func (c *client) rawGet(rel string) rawAnswer {
	c.t.Helper()
	a, err := c.rawDo(context.Background(), http.MethodGet, rel, "")
	if err != nil {
		c.t.Fatalf("GET %s: %v", rel, err)
	}
	return a
}

func listingFaultServer(t *testing.T, f ListingFault) *client {
	t.Helper()
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.SetFaults(Faults{ListingFor: map[string]ListingFault{"default": f}})
	return c
}

func TestListingForBreaksBodies(t *testing.T) {
	var intact []byte // the answer of the same server before the fault
	for _, tc := range []struct {
		name   string
		body   BodyFault
		status int
		ctype  string
		check  func(a rawAnswer) bool
	}{
		{"truncated", BodyTruncated, 200, "application/json", func(a rawAnswer) bool {
			return a.readErr == nil && len(a.body) == len(intact)/2 && bytes.HasPrefix(intact, a.body)
		}},
		{"reset", BodyReset, 200, "application/json", func(a rawAnswer) bool {
			return a.readErr != nil && len(a.body) < len(intact)
		}},
		{"empty", BodyEmpty, 200, "application/json", func(a rawAnswer) bool { return a.readErr == nil && len(a.body) == 0 }},
		{"wrong type", BodyWrongType, 200, "text/plain", func(a rawAnswer) bool { return bytes.Equal(a.body, intact) }},
		{"HTML", BodyHTML, 502, "text/html", func(a rawAnswer) bool { return bytes.Contains(a.body, []byte("<html>")) }},
		{"oversized", BodyOversized, 200, "application/json", func(a rawAnswer) bool {
			pad := bytes.Repeat([]byte{'x'}, OversizedBody)
			return bytes.Equal(a.body, append(append([]byte(`{"@microsoft.graph.tips":"`), pad...), append([]byte(`",`), intact[1:]...)...))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := listingFaultServer(t, ListingFault{})
			intact = c.rawGet(sessionsPath).body
			c.s.SetFaults(Faults{ListingFor: map[string]ListingFault{"default": {Body: tc.body}}})
			a := c.rawGet(sessionsPath)
			if a.status != tc.status || !strings.HasPrefix(a.header.Get("Content-Type"), tc.ctype) || !tc.check(a) {
				t.Fatalf("HTTP %d %q, %d bytes, read error %v: %.200s", a.status, a.header.Get("Content-Type"), len(a.body), a.readErr, a.body)
			}
			if other := c.get(wsSessionsPath("second")); other.status != 200 {
				t.Fatalf("another workspace of the tenant answered %d", other.status)
			}
			if single := c.get(sessionsPath + "/" + fixedSessions(1, time.Time{})[0].ID); single.status != 200 {
				t.Fatalf("a single session answered %d: the fault reached beyond listings", single.status)
			}
		})
	}
}

func TestListingForInsideABatch(t *testing.T) {
	body := batchOf(sessionsPath, wsSessionsPath("second"))
	for _, tc := range []struct {
		name       string
		body       BodyFault
		wantStatus int
	}{
		{"truncated", BodyTruncated, 200},
		{"HTML", BodyHTML, 502},
		{"wrong type", BodyWrongType, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := listingFaultServer(t, ListingFault{Body: tc.body})
			b := c.postBatch(body).byID(t)
			if b["1"].Status != tc.wantStatus || json.Valid(b["1"].Body) && bytes.HasPrefix(b["1"].Body, []byte("{")) {
				t.Fatalf("broken item: %d %.200s", b["1"].Status, b["1"].Body)
			}
			if b["2"].Status != 200 || !bytes.HasPrefix(b["2"].Body, []byte("{")) {
				t.Fatalf("the other item: %d %.200s", b["2"].Status, b["2"].Body)
			}
		})
	}
	t.Run("reset", func(t *testing.T) {
		c := listingFaultServer(t, ListingFault{Body: BodyReset})
		a, err := c.rawDo(context.Background(), http.MethodPost, "/$batch", body)
		if err == nil && a.readErr == nil {
			t.Fatalf("the $batch POST survived a reset: HTTP %d %.200s", a.status, a.body)
		}
	})
}

func TestListingForCountAndCreated(t *testing.T) {
	c := listingFaultServer(t, ListingFault{Count: `"12"`, Created: `"yesterday"`})
	a := c.get(sessionsPath + "?$count=true")
	if a.body["@odata.count"] != "12" {
		t.Errorf("@odata.count = %#v, want the string \"12\"", a.body["@odata.count"])
	}
	vs := a.values()
	if vs[0]["createdDateTime"] != "yesterday" || vs[1]["createdDateTime"] != "2025-09-01T00:01:00Z" {
		t.Errorf("createdDateTime of the first two: %v, %v", vs[0]["createdDateTime"], vs[1]["createdDateTime"])
	}
	if a := c.get(sessionsPath); a.body["@odata.count"] != nil {
		t.Errorf("a page without $count got @odata.count %v", a.body["@odata.count"])
	}
	if a := c.get(sessionsPath + "?$select=lastModifiedDateTime"); a.values()[0]["createdDateTime"] != nil {
		t.Errorf("a page without createdDateTime got one: %v", a.values()[0])
	}
}

func TestListingForNextLinks(t *testing.T) {
	t.Run("loop", func(t *testing.T) {
		c := listingFaultServer(t, ListingFault{NextLink: NextLinkLoop})
		first := c.s.GraphEndpoint() + sessionsPath + "?$top=2"
		a := c.get(first)
		if a.body["@odata.nextLink"] != first || len(a.values()) != 2 {
			t.Fatalf("nextLink %v with %d items, want the page itself", a.body["@odata.nextLink"], len(a.values()))
		}
	})
	t.Run("endless", func(t *testing.T) {
		c := listingFaultServer(t, ListingFault{NextLink: NextLinkEndless})
		seen := map[string]bool{}
		a := c.get(sessionsPath + "?$count=true")
		for i := 0; i < 5; i++ {
			link, _ := a.body["@odata.nextLink"].(string)
			if a.status != 200 || link == "" || seen[link] || i > 0 && len(a.values()) != 0 {
				t.Fatalf("page %d: HTTP %d, nextLink %q (seen %v), %d items", i, a.status, link, seen[link], len(a.values()))
			}
			seen[link] = true
			a = c.get(link)
		}
	})
	t.Run("foreign", func(t *testing.T) {
		const elsewhere = "https://graph.example.test/beta/steal?$skiptoken=x"
		c := listingFaultServer(t, ListingFault{NextLink: elsewhere})
		if a := c.get(sessionsPath); a.body["@odata.nextLink"] != elsewhere {
			t.Fatalf("nextLink %v", a.body["@odata.nextLink"])
		}
	})
}

func TestListingForLatency(t *testing.T) {
	calibration := listingFaultServer(t, ListingFault{})
	latency := injectedLatency(300*time.Millisecond, func() { calibration.rawGet(wsSessionsPath("second")) })
	c := listingFaultServer(t, ListingFault{Latency: latency})
	start := time.Now()
	if a := c.rawGet(sessionsPath); a.status != 200 || time.Since(start) < latency {
		t.Fatalf("HTTP %d after %v, want 200 after the latency %v", a.status, time.Since(start), latency)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if a, err := c.rawDo(ctx, http.MethodGet, sessionsPath, ""); err == nil {
		t.Fatalf("a request that gave up early still got HTTP %d", a.status)
	}
	start = time.Now()
	if a := c.rawGet(wsSessionsPath("second")); a.status != 200 || time.Since(start) >= latency {
		t.Fatalf("another workspace: HTTP %d after %v, the latency %v of the first one", a.status, time.Since(start), latency)
	}
}
