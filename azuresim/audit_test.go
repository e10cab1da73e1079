package azuresim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func (c *client) postJSON(rel, body string) answer {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.s.URL()+rel, bytes.NewBufferString(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

var auditDay = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

const auditBody = `{"displayName":"t","filterStartDateTime":"2026-08-20T00:00:00Z","filterEndDateTime":"2026-08-21T00:00:00Z","operationFilters":["CopilotInteraction"]}`

func TestAuditRefusesRecordTypeFiltersAndV1(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	bad := strings.Replace(auditBody, `"operationFilters"`, `"recordTypeFilters":["copilotInteraction"],"x"`, 1)
	if a := c.postJSON("/beta/security/auditLog/queries", bad); a.status != http.StatusBadRequest {
		t.Fatalf("recordTypeFilters: %d %s", a.status, a.raw)
	}
	if a := c.postJSON("/v1.0/security/auditLog/queries", auditBody); a.status != http.StatusNotFound {
		t.Fatalf("v1.0: %d %s", a.status, a.raw)
	}
	s.SetAuditFaults(AuditFaults{V1Serves: true})
	if a := c.postJSON("/v1.0/security/auditLog/queries", auditBody); a.status != http.StatusCreated {
		t.Fatalf("v1.0 when it serves: %d %s", a.status, a.raw)
	}
}

// The records a query serves are the window's records of its operations,
// of either auditData type, users swapped or not; other tenants' never.
func TestAuditServesTheWindowsRecords(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	recs := GenerateAuditRecords(3, 400, auditDay.Add(-time.Hour), auditDay.Add(25*time.Hour))
	s.AddAuditRecords(tenantA, recs...)
	s.AddAuditRecords(tenantB, GenerateAuditRecords(4, 50, auditDay, auditDay.Add(time.Hour))...)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	a := c.postJSON("/beta/security/auditLog/queries", auditBody)
	id, _ := a.body["id"].(string)
	if a.status != http.StatusCreated || a.body["status"] != "notStarted" {
		t.Fatalf("create: %d %s", a.status, a.raw)
	}
	if p := c.get("/security/auditLog/queries/" + id); p.body["status"] != "succeeded" {
		t.Fatalf("poll: %s", p.raw)
	}
	want := 0
	for _, r := range recs {
		if r.Operation == AuditInteraction && !r.Time.Before(auditDay) && r.Time.Before(auditDay.Add(24*time.Hour)) {
			want++
		}
	}
	got, types := 0, map[string]bool{}
	next := "/security/auditLog/queries/" + id + "/records"
	for next != "" {
		p := c.get(next)
		for _, v := range p.values() {
			got++
			types[v["auditData"].(map[string]any)["@odata.type"].(string)] = true
		}
		next, _ = p.body["@odata.nextLink"].(string)
	}
	if got != want || len(types) != 2 {
		t.Fatalf("%d records, want %d; auditData types %v", got, want, types)
	}
}

func TestAuditCountCountsSecurityCopilotOnly(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	s.AddAuditRecords(tenantA,
		AuditRecord{ID: "1", Time: auditDay, App: AppSecurityCopilot, Operation: AuditInteraction, User: "A@x", Surface: "Logic App", Session: "s", Prompts: 2, Plugins: []string{"Entra"}},
		AuditRecord{ID: "2", Time: auditDay, App: AppSecurityCopilot, Operation: AuditInteraction, User: "a@x", Surface: "Logic App", Session: "s", Prompts: 1},
		AuditRecord{ID: "3", Time: auditDay, App: AppM365Copilot, Operation: AuditInteraction, User: "b@x", Surface: "Teams", Session: "t", Prompts: 1},
		AuditRecord{ID: "4", Time: auditDay, Operation: "EnableCopilotPlugin", User: "b@x"},
		AuditRecord{ID: "5", Time: auditDay.Add(time.Hour), App: AppSecurityCopilot, Operation: AuditInteraction, User: AuditAgentPrefix + "x", Surface: "Logic App", Session: "u"},
	)
	c := s.AuditCount(tenantA, auditDay, auditDay.Add(time.Hour), []string{"EnableCopilotPlugin"})
	if c.Interactions["Logic App"] != 2 || c.Prompts["Logic App"] != 3 || c.Users != 1 || c.Sessions != 1 || c.Plugins["Entra"] != 1 || c.Agent != 0 || c.Admin["EnableCopilotPlugin"] != 1 || len(c.Interactions) != 1 {
		t.Fatalf("%+v", c)
	}
	if c := s.AuditCount(tenantA, auditDay, auditDay.Add(2*time.Hour), nil); c.Agent != 1 || c.Users != 2 || len(c.Admin) != 0 {
		t.Fatalf("%+v", c)
	}
}
