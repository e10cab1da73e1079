package grafana

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestStrictDecoderRejectsBrokenDashboards proves that the strict decoding
// behind every other test can fail: each edit of the real dashboard must be
// refused, naming the field at fault.
func TestStrictDecoderRejectsBrokenDashboards(t *testing.T) {
	for _, tc := range []struct {
		name, wantErr string
		edit          func(d map[string]any)
	}{
		{"unknown dashboard field", "colour", func(d map[string]any) { d["colour"] = "blue" }},
		{"missing schemaVersion", "schemaVersion", func(d map[string]any) { delete(d, "schemaVersion") }},
		{"schemaVersion of the wrong type", "schemaVersion", func(d map[string]any) { d["schemaVersion"] = "39" }},
		{"unknown panel field", "legnd", func(d map[string]any) { firstPanel(t, d)["legnd"] = true }},
		{"unknown panel option", "grafMode", func(d map[string]any) {
			firstPanel(t, d)["options"].(map[string]any)["grafMode"] = "area"
		}},
		{"unknown query field", "exprs", func(d map[string]any) {
			firstPanel(t, d)["targets"].([]any)[0].(map[string]any)["exprs"] = "up"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(DashboardFile)
			if err != nil {
				t.Fatal(err)
			}
			var d map[string]any
			if err := json.Unmarshal(data, &d); err != nil {
				t.Fatal(err)
			}
			tc.edit(d)
			edited, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			_, err = decodeDashboard(edited)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("decodeDashboard = %v, want an error naming %q", err, tc.wantErr)
			}
		})
	}
}

// firstPanel returns the first panel of the decoded JSON that is not a row.
func firstPanel(t *testing.T, d map[string]any) map[string]any {
	t.Helper()
	for _, p := range d["panels"].([]any) {
		if panel := p.(map[string]any); panel["type"] != "row" {
			return panel
		}
	}
	t.Fatal("dashboard has no panel")
	return nil
}
