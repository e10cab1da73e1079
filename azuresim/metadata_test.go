package azuresim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

const defaultGUID = "17aafe23-ab95-3b37-8c4d-5e6f7a8b9c0d"

func aliasOptions() Options {
	at := time.Date(2025, 10, 15, 15, 54, 58, 486276800, time.UTC)
	return Options{Tenants: []Tenant{{ID: tenantA, ClientID: clientA, ClientSecret: secretA, Workspaces: []Workspace{
		{ID: defaultGUID, DisplayName: "SecurityCopilot_Workspace", Default: true, Sessions: []Session{
			{ID: "seven", Created: at, LastModified: at},
			{ID: "six", Created: time.Date(2025, 10, 22, 20, 12, 13, 759634000, time.UTC), LastModified: at},
		}},
		{ID: "0b5a1d2e-0000-4000-8000-000000000002", DisplayName: "SOC EMEA"},
	}}}}
}

func TestDefaultIsAnAliasOfAGUIDWorkspace(t *testing.T) {
	s := startServer(t, aliasOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	list := c.get("/security/securityCopilot/workspaces")
	if list.status != http.StatusOK {
		t.Fatalf("list: %d %s", list.status, list.raw)
	}
	for _, w := range list.values() {
		if w["id"] == DefaultAlias {
			t.Errorf("the listing shows the alias, not the id: %v", w)
		}
		if w["@odata.type"] != "#microsoft.graph.securityCopilot.workspace" {
			t.Errorf("item without @odata.type: %v", w)
		}
	}
	if vs := list.values(); len(vs) != 2 || vs[0]["id"] != "0b5a1d2e-0000-4000-8000-000000000002" || vs[1]["id"] != defaultGUID {
		t.Errorf("listing %s", list.raw)
	}
	one := c.get("/security/securityCopilot/workspaces/default")
	if one.status != http.StatusOK || one.body["id"] != defaultGUID || one.body["displayName"] != "SecurityCopilot_Workspace" {
		t.Errorf("GET default: %d %s", one.status, one.raw)
	}
	byAlias, byID := c.get(sessionsPath), c.get(wsSessionsPath(defaultGUID))
	if len(byAlias.values()) != 2 || len(byID.values()) != 2 {
		t.Errorf("sessions by alias %s, by id %s", byAlias.raw, byID.raw)
	}
	if err := s.AddSession(tenantA, DefaultAlias, Session{ID: "added", Created: time.Now(), LastModified: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if got := len(c.get(wsSessionsPath(defaultGUID)).values()); got != 3 {
		t.Errorf("a session added through the alias: %d sessions by id, want 3", got)
	}
}

func TestDefaultAliasConfigurationErrors(t *testing.T) {
	for name, ws := range map[string][]Workspace{
		"two defaults":       {{ID: "a", Default: true}, {ID: "b", Default: true}},
		"alias is an id too": {{ID: "a", Default: true}, {ID: DefaultAlias}},
	} {
		if _, err := New(Options{Tenants: []Tenant{{ID: tenantA, ClientID: clientA, Workspaces: ws}}}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTimesHaveSixOrSevenDigitsAsOnGraph(t *testing.T) {
	s := startServer(t, aliasOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	raw := string(c.get(sessionsPath).raw)
	for _, want := range []string{`"createdDateTime":"2025-10-15T15:54:58.4862768Z"`, `"createdDateTime":"2025-10-22T20:12:13.759634Z"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("listing lacks %s: %s", want, raw)
		}
	}
}

func TestEvaluationShapesOfTheDocs(t *testing.T) {
	at := promptBase()
	opts := promptOptions()
	opts.Tenants[0].Workspaces[0].Prompts["s1"] = append(opts.Tenants[0].Workspaces[0].Prompts["s1"], Prompt{ID: "shapes", Type: "prompt", Created: at, LastModified: at,
		Evaluations: []Evaluation{
			{ID: "running", State: "running", ResultType: "unknown", Created: at},
			{ID: "created", State: "created", Created: at},
			{ID: "member0", State: "unknown", ResultType: "unknown", PreviewState: "private", Created: at},
		}})
	s := startServer(t, opts)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	base := "/security/securityCopilot/workspaces/default/sessions/s1/prompts/shapes/evaluations/"
	for id, want := range map[string]string{
		"running": `"state":"running","result":{"@odata.type":"#microsoft.graph.securityCopilot.evaluationResult","type":"unknown","content":null,"previewState":"ga"}}`,
		"created": `"state":"created","result":null}`,
		"member0": `"state":"unknown","result":{"@odata.type":"#microsoft.graph.securityCopilot.evaluationResult","type":"unknown","content":null,"previewState":"private"}}`,
	} {
		if a := c.get(base + id); a.status != http.StatusOK || !strings.HasSuffix(string(a.raw), want) {
			t.Errorf("%s: %d %s, want suffix %s", id, a.status, a.raw, want)
		}
	}
}

// claims decodes a JWT's payload without verifying it.
func claims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want a JWT's 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("payload: %v", err)
	}
	return out
}

func TestTokensAreEntraShapedJWTsWithRoles(t *testing.T) {
	s := startServer(t, aliasOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	cl := claims(t, c.token)
	roles, _ := cl["roles"].([]any)
	if len(roles) != 1 || roles[0] != RoleRead || cl["tid"] != tenantA || cl["appid"] != clientA || cl["idtyp"] != "app" {
		t.Errorf("claims %v", cl)
	}
	if exp, _ := cl["exp"].(float64); int64(exp) <= time.Now().Unix() {
		t.Errorf("exp %v is not in the future", cl["exp"])
	}
	if a := c.get(sessionsPath); a.status != http.StatusOK {
		t.Errorf("with the role: %d %s", a.status, a.raw)
	}

	s.SetFaults(Faults{RoleMissing: true})
	if a := c.get(sessionsPath); a.status != http.StatusOK {
		t.Errorf("a token issued before the fault lost its role: %d", a.status)
	}
	without := newClient(t, s).login(tenantA, clientA, secretA)
	if _, has := claims(t, without.token)["roles"]; has {
		t.Errorf("RoleMissing token has a roles claim")
	}
	for _, path := range []string{sessionsPath, "/security/securityCopilot/workspaces"} {
		a := without.get(path)
		msg, _ := a.body["error"].(map[string]any)["message"].(string)
		if a.status != http.StatusForbidden || a.errorCode() != "Forbidden" || !strings.HasPrefix(msg, "Missing role permissions") ||
			a.header.Get("request-id") == "" {
			t.Errorf("%s without the role: %d %s", path, a.status, a.raw)
		}
	}
}
