package azuresim

import (
	"net/http"
	"strings"
	"testing"
)

// TestSelectResultTypeLeavesContentOut is what the exporter's privacy
// rests on: with result/type and no content selected, neither the prompt's
// nor the result's content is on the wire.
func TestSelectResultTypeLeavesContentOut(t *testing.T) {
	s := startServer(t, promptOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	sel := "?$select=id,state,runStartDateTime,completedDateTime,result/type"
	for _, p := range []string{promptsPath + "/p0/evaluations" + sel, promptsPath + "/p0/evaluations/e-done" + sel, promptsPath + "?$select=id,type,createdDateTime", promptsPath + "/p2?$select=id,skillName"} {
		a := c.get(p)
		if a.status != http.StatusOK {
			t.Fatalf("%s: %d %s", p, a.status, a.raw)
		}
		for _, secret := range []string{secretPrompt, secretResult, `"content"`, "@odata.type"} {
			if strings.Contains(string(a.raw), secret) {
				t.Errorf("%s serves %q: %s", p, secret, a.raw)
			}
		}
	}
	one := c.get(promptsPath + "/p0/evaluations/e-done" + sel)
	want := `"id":"e-done","runStartDateTime":"2025-10-15T10:00:01Z","completedDateTime":"2025-10-15T10:00:30Z","state":"completed","result":{"type":"success"}}`
	if !strings.HasSuffix(string(one.raw), want) {
		t.Errorf("entity %s, want suffix %s", one.raw, want)
	}
	if ctx := one.body["@odata.context"].(string); !strings.HasSuffix(ctx, "/evaluations(id,runStartDateTime,completedDateTime,state,result/type)/$entity") {
		t.Errorf("context %s", ctx)
	}
	run := c.get(promptsPath + "/p0/evaluations/e-run" + sel)
	if !strings.HasSuffix(string(run.raw), `"completedDateTime":"0001-01-01T00:00:00Z","state":"running","result":null}`) {
		t.Errorf("running: %s", run.raw)
	}
}

func TestNoSelectServesEverything(t *testing.T) {
	s := startServer(t, promptOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	a := c.get(promptsPath + "/p0")
	want := `,"id":"p0","type":"prompt","content":"PROMPT-SECRET-who-is-ceo-0","skillName":null,"createdDateTime":"2025-10-15T10:00:00Z","lastModifiedDateTime":"2025-10-15T10:00:30Z"}`
	if a.status != http.StatusOK || !strings.HasSuffix(string(a.raw), want) {
		t.Errorf("prompt %d %s", a.status, a.raw)
	}
	l := c.get(promptsPath)
	if !strings.Contains(string(l.raw), secretPrompt+"-3") || l.body["@microsoft.graph.tips"] == nil {
		t.Errorf("listing without $select: %s", l.raw)
	}
	if sk := c.get(promptsPath + "/p2"); !strings.Contains(string(sk.raw), `"type":"skill","content":"PROMPT-SECRET-who-is-ceo-2","skillName":"GetDefenderIncident"`) {
		t.Errorf("skill: %s", sk.raw)
	}
	e := c.get(promptsPath + "/p0/evaluations/e-done")
	wantEval := `,"id":"e-done","createdDateTime":"2025-10-15T10:00:00Z","runStartDateTime":"2025-10-15T10:00:01Z","completedDateTime":"2025-10-15T10:00:30Z","lastModifiedDateTime":"2025-10-15T10:00:30Z","executionCount":1,"isCancelled":false,"state":"completed","result":{"@odata.type":"#microsoft.graph.securityCopilot.evaluationResult","type":"success","content":"RESULT-SECRET-the-ceo-is-0","previewState":"ga"}}`
	if !strings.HasSuffix(string(e.raw), wantEval) {
		t.Errorf("evaluation %s", e.raw)
	}
	for _, sel := range []string{"result", "result,result/type", "result/type,result", "*"} {
		a := c.get(promptsPath + "/p0/evaluations/e-done?$select=" + sel)
		if !strings.Contains(string(a.raw), secretResult) || !strings.Contains(string(a.raw), "@odata.type") {
			t.Errorf("$select=%s does not serve the whole result: %s", sel, a.raw)
		}
	}
}

func TestSelectPaths(t *testing.T) {
	s := startServer(t, promptOptions())
	c := newClient(t, s).login(tenantA, clientA, secretA)
	eval := promptsPath + "/p0/evaluations/e-done?$select="
	ok := map[string]string{
		"result/content":             `,"result":{"content":"RESULT-SECRET-the-ceo-is-0"}}`,
		"result/content,result/type": `,"result":{"type":"success","content":"RESULT-SECRET-the-ceo-is-0"}}`,
		"result/previewState":        `,"result":{"previewState":"ga"}}`,
		"executionCount,isCancelled": `,"executionCount":1,"isCancelled":false}`,
		"result/type,result/type":    `,"result":{"type":"success"}}`,
	}
	for sel, want := range ok {
		if a := c.get(eval + sel); a.status != http.StatusOK || !strings.HasSuffix(string(a.raw), want) {
			t.Errorf("$select=%s: %d %s", sel, a.status, a.raw)
		}
	}
	bad := map[string]string{
		"result/foo":    "Could not find a property named 'foo' on type 'microsoft.graph.securityCopilot.evaluationResult'.",
		"result/type/x": "Could not find a property named 'type/x' on type 'microsoft.graph.securityCopilot.evaluationResult'.",
		"state/x":       "Could not find a property named 'x' on type 'Edm.String'.",
		"foo/bar":       "Could not find a property named 'foo' on type 'microsoft.graph.securityCopilot.evaluation'.",
		"Result/type":   "Could not find a property named 'Result' on type 'microsoft.graph.securityCopilot.evaluation'.",
		"result/":       "Could not find a property named '' on type 'microsoft.graph.securityCopilot.evaluationResult'.",
	}
	for sel, msg := range bad {
		a := c.get(eval + sel)
		got, _ := a.body["error"].(map[string]any)["message"].(string)
		if a.status != http.StatusBadRequest || got != msg {
			t.Errorf("$select=%s: %d %q, want %q", sel, a.status, got, msg)
		}
	}
	if a := c.get(promptsPath + "?$select=content/x"); a.status != http.StatusBadRequest {
		t.Errorf("path on a prompt's string: %d", a.status)
	}
	if a := c.get(sessionsPath + "?$select=displayName/x"); a.status != http.StatusBadRequest {
		t.Errorf("path on a session's string: %d", a.status)
	}
}
