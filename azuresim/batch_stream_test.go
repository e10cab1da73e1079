package azuresim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The requests of a batch run side by side and its answer streams: an
// item answered at once reaches the client while another item of the
// same batch still waits on a listing an hour slow. Run one after the
// other, or answered whole, the client would get nothing before its
// timeout.
func TestBatchStreamsItemsWhileOthersRun(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	s.SetFaults(Faults{ListingFor: map[string]ListingFault{"default": {Latency: time.Hour}}})
	// Two answers are never in request order: the second comes first.
	body := batchOf(sessionsPath, "/security/securityCopilot/workspaces/second/sessions")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.GraphEndpoint()+"/$batch", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req) // the client's timeout bounds the wait
	if err != nil {
		t.Fatalf("no answer while an item waits: %v", err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for _, want := range []string{"{", "responses", "["} {
		if tok, err := dec.Token(); err != nil || tokenText(tok) != want {
			t.Fatalf("answer starts with %v (%v), want %s", tok, err, want)
		}
	}
	var first struct {
		ID     string          `json:"id"`
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	}
	if err := dec.Decode(&first); err != nil {
		t.Fatalf("first item while the other waits: %v", err)
	}
	if first.ID != "2" || first.Status != http.StatusOK || !strings.Contains(string(first.Body), `"value":[]`) {
		t.Fatalf("first item %s %d %s, want the second workspace's empty page", first.ID, first.Status, first.Body)
	}
}

func tokenText(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return v.String()
	case string:
		return v
	}
	return ""
}
