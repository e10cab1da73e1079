package accesscheck

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

func auditJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

func TestAuditPermission(t *testing.T) {
	for _, tc := range []struct {
		name   string
		claims map[string]any
		ok     bool
		want   string
	}{
		{"role granted", map[string]any{"roles": []string{ReadRole, AuditRole}}, true, "application permission AuditLogsQuery.Read.All is granted"},
		{"role missing", map[string]any{"roles": []string{ReadRole, "AuditLog.Read.All"}}, false, AuditRoleID + "=Role"},
		{"per-service role only", map[string]any{"roles": []string{"AuditLogsQuery-Entra.Read.All"}}, false, "do not cover Security Copilot records"},
		{"scope granted", map[string]any{"scp": "SecurityCopilotWorkspaces.Read.All AuditLogsQuery.Read.All"}, true, "delegated scope AuditLogsQuery.Read.All is granted"},
		{"scope missing", map[string]any{"scp": "SecurityCopilotWorkspaces.Read.All", "roles": []string{AuditRole}}, false, AuditDelegatedID + "=Scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines, ok := auditLines(auditJWT(t, tc.claims), "app-id")
			text := strings.Join(lines, "\n")
			if ok != tc.ok || !strings.Contains(text, tc.want) {
				t.Fatalf("ok %v, lines:\n%s\nwant ok %v and %q", ok, text, tc.ok, tc.want)
			}
		})
	}
	if _, ok := auditLines("not a token", ""); !ok {
		t.Fatal("an unreadable token failed the check it cannot make")
	}
}
