package azuresim

import (
	"net/http"
	"strings"
	"testing"
)

// Each ExpandMode answers the activity's expansion as its doc says, on
// session s1 of the fixture, which has five prompts.
func TestExpandModes(t *testing.T) {
	const expand = "?$select=id&$expand=prompts($select=id,createdDateTime%3B$count=true)"
	for _, tc := range []struct {
		name     string
		mode     ExpandMode
		status   int
		prompts  int // -1: no prompts member
		count    bool
		nextLink bool
	}{
		{"honoured", ExpandHonoured, http.StatusOK, 5, true, false},
		{"no count", ExpandNoCount, http.StatusOK, 5, false, false},
		{"cut silently", ExpandTruncated, http.StatusOK, 2, true, false},
		{"cut with a nextLink", ExpandNextLink, http.StatusOK, 2, true, true},
		{"ignored", ExpandIgnored, http.StatusOK, -1, false, false},
		{"refused", ExpandRefused, http.StatusBadRequest, 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, promptOptions())
			s.SetFaults(Faults{Expand: tc.mode})
			c := newClient(t, s).login(tenantA, clientA, secretA)
			a := c.get(sessionsPath + expand)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.raw)
			}
			if tc.status != http.StatusOK {
				return
			}
			for _, secret := range []string{secretPrompt, `"content"`} {
				if strings.Contains(string(a.raw), secret) {
					t.Errorf("serves %q: %s", secret, a.raw)
				}
			}
			var s1 map[string]any
			for _, v := range a.values() {
				if v["id"] == "s1" {
					s1 = v
				}
			}
			if s1 == nil {
				t.Fatalf("s1 not listed: %s", a.raw)
			}
			ps, has := s1["prompts"].([]any)
			if n := len(ps); !has && tc.prompts != -1 || has && n != tc.prompts {
				t.Errorf("s1 carries %d prompts (member present: %v), want %d", n, has, tc.prompts)
			}
			if count, ok := s1["prompts@odata.count"]; ok != tc.count || ok && count != float64(5) {
				t.Errorf("prompts@odata.count %v (present %v), want 5 present %v", count, ok, tc.count)
			}
			if _, ok := s1["prompts@odata.nextLink"]; ok != tc.nextLink {
				t.Errorf("prompts@odata.nextLink present %v, want %v", ok, tc.nextLink)
			}
			if tc.prompts > 0 && len(ps[0].(map[string]any)) != 2 {
				t.Errorf("a prompt carries %v, want id and createdDateTime only", ps[0])
			}
		})
	}
	s := startServer(t, promptOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	for _, bad := range []string{"?$expand=evaluations", "?$expand=prompts($select=nope)", "?$expand=prompts($orderby=id)", "?$expand=prompts($count=true"} {
		if a := c.get(sessionsPath + bad); a.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, a.status)
		}
	}
	if a := c.get(promptsPath + "?$expand=evaluations"); a.status != http.StatusBadRequest {
		t.Errorf("a prompt listing accepted $expand: %d", a.status)
	}
}
