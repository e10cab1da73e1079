package accesscheck

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

func jwt(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(payload)) + ".c2ln"
}

func TestPermissionLines(t *testing.T) {
	for _, tc := range []struct {
		name, token string
		want        []string
		not         []string
	}{
		{"granted", jwt(`{"roles":["SecurityCopilotWorkspaces.Read.All"]}`), []string{"is granted"}, []string{"az ad"}},
		{"read-write is enough", jwt(`{"roles":["SecurityCopilotWorkspaces.ReadWrite.All"]}`), []string{"is granted"}, []string{"NOT"}},
		{"other roles only", jwt(`{"roles":["User.Read.All"],"oid":"x"}`), []string{"kind: application", "roles: User.Read.All", "NOT granted", "does not let tenants grant", "auth: device_code"}, []string{"az ad"}},
		{"delegated", jwt(`{"scp":"SecurityCopilotWorkspaces.Read.All User.Read","upn":"monitor@contoso.example","idtyp":"user"}`),
			[]string{"kind: delegated; account: monitor@contoso.example; scopes: SecurityCopilotWorkspaces.Read.All User.Read", "delegated SecurityCopilotWorkspaces.Read.All is granted", "may cover only monitor@contoso.example's sessions"}, []string{"NOT", "roles"}},
		{"delegated without the scope", jwt(`{"scp":"User.Read","preferred_username":"monitor@contoso.example"}`), []string{"kind: delegated", "is NOT granted", "admin consent", "--auth.login"}, nil},
		{"opaque", "not-a-jwt", []string{"claims cannot be read (the token is not a JWT)"}, []string{"granted"}},
		{"payload not JSON", "a.bm90IGpzb24.c", []string{"not a JSON object"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(permissionLines(tc.token, "app"), "\n")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("has %q:\n%s", n, got)
				}
			}
		})
	}
}

func TestFilterText(t *testing.T) {
	withItems := graphclient.Answer{Status: 200, Items: 5}
	for _, tc := range []struct {
		name               string
		unfiltered, answer graphclient.Answer
		want               string
	}{
		{"honoured", withItems, graphclient.Answer{Status: 200}, "honoured"},
		{"ignored: items came back", withItems, graphclient.Answer{Status: 200, Items: 1}, "ignored"},
		{"ignored: the count is of everything", withItems, graphclient.Answer{Status: 200, HasCount: true, Count: 5}, "ignored"},
		{"refused", withItems, graphclient.Answer{Status: 400, Code: "BadRequest"}, "refused: 400 BadRequest"},
		{"empty workspace", graphclient.Answer{Status: 200}, graphclient.Answer{Status: 200}, "untested (no sessions)"},
	} {
		if got := filterText(tc.unfiltered, tc.answer, nil); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEntraLineNamesTheCodeOnce(t *testing.T) {
	for desc, want := range map[string]string{
		"AADSTS7000215: Invalid client secret provided. Trace ID: 1 Correlation ID: 2": "AADSTS7000215: Invalid client secret provided.",
		"Invalid client secret provided.\r\nTrace ID: 1":                               "AADSTS7000215: Invalid client secret provided.",
		"": "AADSTS7000215",
	} {
		if got := entraLine("AADSTS7000215", desc); got != want {
			t.Errorf("entraLine(%q) = %q, want %q", desc, got, want)
		}
	}
}
