package auditusage

import (
	"strings"
	"testing"
)

// rec builds a wire record; auditData is inserted as given.
func rec(id, when, recType, op, userID, upn, auditData string) string {
	s := `{"id":"` + id + `","createdDateTime":"` + when + `","auditLogRecordType":"` + recType +
		`","operation":"` + op + `","service":"Copilot","userType":"Regular","userId":"` + userID +
		`","userPrincipalName":"` + upn + `"`
	if auditData != "" {
		s += `,"auditData":` + auditData
	}
	return s + "}"
}

const scData = `{"@odata.type":"#microsoft.graph.security.copilotInteractionAuditRecord","RecordType@odata.type":"#Int64","RecordType":261,
 "Operation":"CopilotInteraction","UserId":"analyst@contoso.com","AppIdentity":"Copilot.Security.SecurityCopilot",
 "CopilotEventData":{"AppHost":"Copilot in Defender","ThreadId":"t-1",
  "Messages":[{"Id":"1","isPrompt":true},{"Id":"2","isPrompt":false},{"Id":"3","isPrompt":true}],
  "AISystemPlugin":[{"Name":"Entra","Id":"Entra","Version":"1"},{"Name":"Entra","Id":"Entra"},{"Name":"","Id":"Intune"}]}}`

func TestClassifyInteraction(t *testing.T) {
	c := NewClassifier(DefaultAdminOperations())
	for _, tc := range []struct{ name, raw string }{
		{"interaction record", rec("a", "2026-08-20T10:14:03Z", "CopilotInteraction", "CopilotInteraction", "12d24f71-0000-0000-0000-000000000000", "analyst@contoso.com", scData)},
		{"record type lower case", rec("a", "2026-08-20T10:14:03Z", "copilotInteraction", "", "", "", scData)},
		{"defaultAuditData", rec("a", "2026-08-20T10:14:03Z", "CopilotInteraction", "CopilotInteraction", "", "", strings.Replace(scData, "copilotInteractionAuditRecord", "defaultAuditData", 1))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Classify([]byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != Interaction || r.Surface != "Copilot in Defender" || r.Session != "t-1" || r.Prompts != 2 || r.User != "analyst@contoso.com" {
				t.Fatalf("got %+v", r)
			}
			if strings.Join(r.Plugins, ",") != "Entra,Intune" {
				t.Fatalf("plugins %v, want Entra,Intune", r.Plugins)
			}
			if r.Time.Hour() != 10 || r.Time.Location().String() != "UTC" {
				t.Fatalf("time %v", r.Time)
			}
		})
	}
}

func TestClassifyOtherCopilot(t *testing.T) {
	c := NewClassifier(DefaultAdminOperations())
	m365 := strings.Replace(scData, "Copilot.Security.SecurityCopilot", "Copilot.MicrosoftCopilot.BizChat", 1)
	r, err := c.Classify([]byte(rec("a", "2026-08-20T10:14:03Z", "CopilotInteraction", "CopilotInteraction", "", "u@x", m365)))
	if err != nil || r.Kind != Other {
		t.Fatalf("got %+v, %v; want Other", r, err)
	}
	r, err = c.Classify([]byte(rec("a", "2026-08-20T10:14:03Z", "CopilotInteraction", "CopilotInteraction", "", "u@x", "")))
	if err != nil || r.Kind != Other {
		t.Fatalf("without auditData: got %+v, %v; want Other", r, err)
	}
}

// userId and userPrincipalName were seen swapped; without auditData.UserId
// the account, not the GUID, names the user.
func TestClassifySwappedUser(t *testing.T) {
	c := NewClassifier(nil)
	data := strings.Replace(scData, `"UserId":"analyst@contoso.com",`, "", 1)
	const guid = "12d24f71-aaaa-bbbb-cccc-0123456789ab"
	for _, tc := range []struct{ userID, upn string }{{guid, "analyst@contoso.com"}, {"analyst@contoso.com", guid}} {
		r, err := c.Classify([]byte(rec("a", "2026-08-20T10:14:03Z", "CopilotInteraction", "CopilotInteraction", tc.userID, tc.upn, data)))
		if err != nil || r.User != "analyst@contoso.com" {
			t.Fatalf("userId %q upn %q: user %q, %v", tc.userID, tc.upn, r.User, err)
		}
	}
}

func TestClassifyAgent(t *testing.T) {
	c := NewClassifier(nil)
	data := strings.Replace(scData, "analyst@contoso.com", "SecurityCopilotAgentUser-0f0e0d0c-1111-2222-3333-444455556666", 1)
	r, err := c.Classify([]byte(rec("a", "2026-08-20T10:14:03Z", "CopilotInteraction", "CopilotInteraction", "", "", data)))
	if err != nil || !r.Agent {
		t.Fatalf("got %+v, %v; want an agent", r, err)
	}
	r, _ = c.Classify([]byte(rec("a", "2026-08-20T10:14:03Z", "CopilotInteraction", "CopilotInteraction", "", "", scData)))
	if r.Agent {
		t.Fatal("an analyst counted as an agent")
	}
}

func TestClassifyAdmin(t *testing.T) {
	c := NewClassifier([]string{"EnableCopilotPlugin", "UpdateCopilotSettings"})
	r, err := c.Classify([]byte(rec("a", "2026-08-20T10:14:03Z", "CopilotForSecurityTrigger", "enablecopilotplugin", "", "admin@x", `{"@odata.type":"#microsoft.graph.security.defaultAuditData"}`)))
	if err != nil || r.Kind != Admin || r.Operation != "EnableCopilotPlugin" {
		t.Fatalf("got %+v, %v", r, err)
	}
	r, _ = c.Classify([]byte(rec("b", "2026-08-20T10:14:03Z", "X", "DeleteCopilotPlugin", "", "admin@x", "")))
	if r.Kind != Other {
		t.Fatalf("an operation not configured counted: %+v", r)
	}
	if got := strings.Join(c.Operations(), ","); got != "CopilotInteraction,EnableCopilotPlugin,UpdateCopilotSettings" {
		t.Fatalf("operations %s", got)
	}
}

func TestClassifyRefusesWhatCannotBeCounted(t *testing.T) {
	c := NewClassifier(nil)
	for name, raw := range map[string]string{
		"malformed":         `{"id":`,
		"no id":             rec("", "2026-08-20T10:14:03Z", "CopilotInteraction", "CopilotInteraction", "", "", scData),
		"no time":           `{"id":"a","auditLogRecordType":"CopilotInteraction"}`,
		"auditData garbled": rec("a", "2026-08-20T10:14:03Z", "CopilotInteraction", "CopilotInteraction", "", "", `"not an object"`),
	} {
		if _, err := c.Classify([]byte(raw)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLooksLikeGUID(t *testing.T) {
	for s, want := range map[string]bool{
		"12d24f71-aaaa-bbbb-cccc-0123456789ab": true,
		"12d24f71-aaaa-bbbb-cccc-0123456789az": false,
		"12d24f71aaaa-bbbb-cccc-0123456789ab-": false,
		"a@b":                                  false,
	} {
		if looksLikeGUID(s) != want {
			t.Errorf("%q: want %v", s, want)
		}
	}
}
