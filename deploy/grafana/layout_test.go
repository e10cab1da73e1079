package grafana

import (
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// datasourceRef is how panels name the datasource picked in the
// dashboard's datasource variable.
const datasourceRef = "${datasource}"

func TestDashboardMetadata(t *testing.T) {
	d := loadDashboard(t)
	for _, c := range []struct{ field, got, want string }{
		{"uid", deref(d.Uid), "securitycopilot-exporter"},
		{"title", deref(d.Title), "Security Copilot sessions"},
		{"refresh", deref(d.Refresh), "1m"},
		{"time.from", deref(d.Time).From, "now-7d"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if !deref(d.Editable) {
		t.Error("dashboard is not editable")
	}
	// 39 is understood by Grafana 10.4 and later.
	if d.SchemaVersion != 39 {
		t.Errorf("schemaVersion = %d, want 39", d.SchemaVersion)
	}
	wantRows := []string{"Adoption", "New and active sessions", "Prompts and evaluations", "Plugins", "Usage (audit log)", "Age", "Exporter health"}
	if got := rowTitles(d); !slices.Equal(got, wantRows) {
		t.Errorf("rows = %q, want %q", got, wantRows)
	}
}

func TestDashboardPanels(t *testing.T) {
	d := loadDashboard(t)
	ps := panels(d)
	if len(ps) == 0 {
		t.Fatal("dashboard has no panels")
	}
	ids := map[uint32]string{}
	for _, p := range d.Panels {
		if p.RowPanel != nil {
			ids[p.RowPanel.Id] = deref(p.RowPanel.Title)
		}
	}
	for _, p := range ps {
		title := deref(p.Title)
		if title == "" {
			t.Errorf("panel %d has no title", deref(p.Id))
		}
		if p.Id == nil {
			t.Errorf("panel %q has no id", title)
		} else if other, dup := ids[*p.Id]; dup {
			t.Errorf("panel %q reuses id %d of %q", title, *p.Id, other)
		} else {
			ids[*p.Id] = title
		}
		if strings.TrimSpace(deref(p.Description)) == "" {
			t.Errorf("panel %q has no description", title)
		}
		if ds := deref(p.Datasource); deref(ds.Type) != "prometheus" || deref(ds.Uid) != datasourceRef {
			t.Errorf("panel %q: datasource %s/%s, want prometheus/%s", title, deref(ds.Type), deref(ds.Uid), datasourceRef)
		}
		checkTargets(t, title, p)
	}
}

func checkTargets(t *testing.T, title string, p dashboard.Panel) {
	t.Helper()
	if len(p.Targets) == 0 {
		t.Errorf("panel %q has no queries", title)
	}
	refIDs := map[string]bool{}
	for i, target := range p.Targets {
		q, ok := target.(*prometheus.Dataquery)
		if !ok {
			t.Errorf("panel %q query %d is a %T, not a Prometheus query", title, i, target)
			continue
		}
		ref := deref(q.RefId)
		if ref == "" || refIDs[ref] {
			t.Errorf("panel %q query %d: refId %q is empty or repeated", title, i, ref)
		}
		refIDs[ref] = true
		if q.LegendFormat == nil {
			t.Errorf("panel %q query %s has no legendFormat", title, ref)
		}
		if uid := deref(deref(q.Datasource).Uid); q.Datasource != nil && uid != datasourceRef {
			t.Errorf("panel %q query %s: datasource uid %q, want %s", title, ref, uid, datasourceRef)
		}
	}
}

// TestDashboardLayout checks that panels fit the grid and do not overlap,
// which Grafana would otherwise resolve by moving them around.
func TestDashboardLayout(t *testing.T) {
	d := loadDashboard(t)
	type box struct {
		title string
		pos   dashboard.GridPos
	}
	var boxes []box
	for _, p := range d.Panels {
		switch {
		case p.Panel != nil:
			boxes = append(boxes, box{deref(p.Panel.Title), deref(p.Panel.GridPos)})
		case p.RowPanel != nil:
			boxes = append(boxes, box{deref(p.RowPanel.Title), deref(p.RowPanel.GridPos)})
		}
	}
	for i, a := range boxes {
		if a.pos.W == 0 || a.pos.H == 0 || a.pos.X+a.pos.W > gridWidth {
			t.Errorf("panel %q: gridPos %+v does not fit a %d-column grid", a.title, a.pos, gridWidth)
		}
		for _, b := range boxes[i+1:] {
			if overlap(a.pos, b.pos) {
				t.Errorf("panels %q %+v and %q %+v overlap", a.title, a.pos, b.title, b.pos)
			}
		}
	}
}

func overlap(a, b dashboard.GridPos) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}
