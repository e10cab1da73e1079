package collector

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// answerRows is rows 6, 8, 9 and 12 of the matrix: answers that arrive
// whole but say something wrong.
var answerRows = append(append(append(nextLinkRows, countRows()...), timestampRows()...), batchRows...)

var nextLinkRows = []faultCase{
	{name: "6 nextLink that loops", faults: azuresim.Faults{ListingFor: victim(azuresim.ListingFault{NextLink: azuresim.NextLinkLoop})},
		failed: []string{"victim"}, log: "repeats an earlier page"},
	// Endless empty pages: an empty page with a nextLink is followed, as
	// Graph serves such pages, so the listing runs until the deadline (or
	// paging.MaxPages), and the log says how far it got.
	{name: "6 nextLink that never ends", faults: azuresim.Faults{Latency: 5 * time.Millisecond, ListingFor: victim(azuresim.ListingFault{NextLink: azuresim.NextLinkEndless})},
		failed: []string{"victim"}, log: "empty pages: ", timeout: "3"},
}

// countRows: an @odata.count that is not a count, or disagrees with the
// complete one-page listing it comes with.
func countRows() []faultCase {
	var rows []faultCase
	for _, raw := range []string{"-1", "2.5", `"30"`, "null", "1e2", "31", "29", "99999999999999999999"} {
		rows = append(rows, faultCase{
			name:   "8 @odata.count " + raw,
			faults: azuresim.Faults{ListingFor: victim(azuresim.ListingFault{Count: raw})},
			failed: []string{"victim"}, log: "@odata.count",
		})
	}
	return rows
}

// timestampRows: malformed timestamps fail the workspace; unset and future
// ones are counted as the README says, which the exact check verifies.
func timestampRows() []faultCase {
	var rows []faultCase
	for _, raw := range []string{`"yesterday"`, `"2025-02-30T00:00:00Z"`, `"2025-10-15 15:54:58Z"`, `""`, `12`, `{}`} {
		rows = append(rows, faultCase{
			name:   "9 createdDateTime " + raw,
			faults: azuresim.Faults{ListingFor: victim(azuresim.ListingFault{Created: raw})},
			failed: []string{"victim"}, log: "createdDateTime",
		})
	}
	addOdd := func(f *fixture) {
		for _, s := range []azuresim.Session{
			{ID: "unset"},
			{ID: "future", Created: testNow.Add(26 * time.Hour), LastModified: testNow.Add(27 * time.Hour)},
		} {
			if err := f.sim.AddSession(f.opts.Tenants[0].ID, "victim", s); err != nil {
				f.t.Fatal(err)
			}
		}
	}
	return append(rows,
		faultCase{name: "9 zero and future timestamps", setup: addOdd, check: servedOdd},
		// The unset session sorts first, so the null replaces its zero.
		faultCase{name: "9 null createdDateTime", setup: addOdd, check: servedOdd,
			faults: azuresim.Faults{ListingFor: victim(azuresim.ListingFault{Created: "null"})}},
	)
}

// servedOdd checks that the odd sessions were really served: the exact
// check then proves how they were counted.
func servedOdd(t *testing.T, f *fixture, _ *wireTap, _ bool) {
	t.Helper()
	sessions, err := f.sim.Sessions(f.opts.Tenants[0].ID, "victim")
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 32 || !sessions[0].Created.IsZero() || !sessions[31].Created.After(testNow) {
		t.Fatalf("the simulator does not hold the odd sessions: %d sessions", len(sessions))
	}
}

var batchRows = []faultCase{
	{name: "12 $batch answer missing an item", faults: azuresim.Faults{BatchDropItem: true},
		transports: batchedOnly, dynamic: batchItemWorkspace("3"), log: "no response for request"},
	{name: "12 $batch answer repeating an id", faults: azuresim.Faults{BatchDuplicateID: true},
		transports: batchedOnly, dynamic: batchItemWorkspace("1"), log: "answered request 1 twice"},
	{name: "12 inner 429", faults: azuresim.Faults{ThrottleEvery: 2, RetryAfter: "1"},
		transports: batchedOnly, timeout: "10", check: answeredInBatch(429)},
	{name: "12 inner 424", faults: azuresim.Faults{DependencyFailed: 2},
		transports: batchedOnly, check: answeredInBatch(424)},
}

// batchItemWorkspace finds the workspace whose request had the given id in
// the one $batch of the scrape: the simulator picks the item it breaks.
func batchItemWorkspace(id string) func(f *fixture) []string {
	return func(f *fixture) []string {
		f.t.Helper()
		var found []string
		for _, r := range f.sim.Requests() {
			if !r.InBatch || r.BatchItemID != id {
				continue
			}
			rest, ok := strings.CutPrefix(r.Path, "/beta/security/securityCopilot/workspaces/")
			seg, _, _ := strings.Cut(rest, "/")
			ws, err := url.PathUnescape(seg)
			if !ok || err != nil {
				f.t.Fatalf("batch item %s went to %s", id, r.Path)
			}
			found = append(found, ws)
		}
		if len(found) != 1 {
			f.t.Fatalf("want one $batch item %s in the scrape, found %v", id, found)
		}
		return found
	}
}

func answeredInBatch(status int) func(t *testing.T, f *fixture, tap *wireTap, batched bool) {
	return func(t *testing.T, f *fixture, _ *wireTap, _ bool) {
		t.Helper()
		for _, r := range f.sim.Requests() {
			if r.InBatch && r.Status == status {
				return
			}
		}
		t.Errorf("no request inside a $batch was answered %d: the row tested nothing", status)
	}
}
