// The dashboard is a classic one (schemaVersion 39), the kind Grafana's file
// provisioning loads; dashboardv2, which the SDK suggests instead, is the
// schema of Grafana 12's dynamic dashboards.
//lint:file-ignore SA1019 dashboard.Dashboard is the schema of this file

package grafana

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// Without the plugins, panel options and Prometheus queries would decode
// as untyped maps, and their unknown fields would go unnoticed.
func init() {
	plugins.RegisterDefaultPlugins()
}

// decodeDashboard checks a dashboard strictly: unknown fields, missing
// required fields and wrong types are errors. It then decodes it again
// leniently, because the strict decoder of v0.0.22 validates panels but
// drops them: PanelOrRowPanel compares a panel's typed-nil error list with
// nil and returns before keeping the panel.
func decodeDashboard(data []byte) (dashboard.Dashboard, error) {
	var d dashboard.Dashboard
	err := d.UnmarshalJSONStrict(data)
	// On success UnmarshalJSONStrict returns an empty cog.BuildErrors, a
	// non-nil error interface.
	var buildErrs cog.BuildErrors
	if err != nil && !(errors.As(err, &buildErrs) && len(buildErrs) == 0) {
		return d, fmt.Errorf("decode dashboard strictly: %w", err)
	}
	d = dashboard.Dashboard{}
	if err := json.Unmarshal(data, &d); err != nil {
		return d, fmt.Errorf("decode dashboard: %w", err)
	}
	return d, nil
}

func loadDashboard(t *testing.T) dashboard.Dashboard {
	t.Helper()
	data, err := os.ReadFile(DashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decodeDashboard(data)
	if err != nil {
		t.Fatalf("%s: %v", DashboardFile, err)
	}
	return d
}

// panels returns the dashboard's panels that are not rows, the panels of
// collapsed rows included.
func panels(d dashboard.Dashboard) []dashboard.Panel {
	var out []dashboard.Panel
	for _, p := range d.Panels {
		switch {
		case p.Panel != nil:
			out = append(out, *p.Panel)
		case p.RowPanel != nil:
			out = append(out, p.RowPanel.Panels...)
		}
	}
	return out
}

func rowTitles(d dashboard.Dashboard) []string {
	var titles []string
	for _, p := range d.Panels {
		if p.RowPanel != nil {
			titles = append(titles, deref(p.RowPanel.Title))
		}
	}
	return titles
}
