//lint:file-ignore SA1019 dashboard.Dashboard is the schema of the provisioned file

package grafana

import (
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

func sized(title string, w, h uint32) *dashboard.PanelBuilder {
	return dashboard.NewPanelBuilder().Title(title).Type("text").Span(w).Height(h)
}

func TestLayOutStacksColumnsAndWrapsLines(t *testing.T) {
	b := dashboard.NewDashboardBuilder("layout")
	err := layOut(b, []row{
		{"first", []line{
			{{sized("a", 4, 8)}, {sized("b", 4, 4), sized("c", 4, 4)}, {sized("d", 16, 6)}},
			{{sized("e", 24, 3)}},
		}},
		{"second", []line{{{sized("f", 12, 2)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		title string
		id    uint32
		pos   dashboard.GridPos
	}{
		{"first", 1, dashboard.GridPos{X: 0, Y: 0, W: 24, H: 1}},
		{"a", 2, dashboard.GridPos{X: 0, Y: 1, W: 4, H: 8}},
		{"b", 3, dashboard.GridPos{X: 4, Y: 1, W: 4, H: 4}},
		{"c", 4, dashboard.GridPos{X: 4, Y: 5, W: 4, H: 4}},
		{"d", 5, dashboard.GridPos{X: 8, Y: 1, W: 16, H: 6}},
		{"e", 6, dashboard.GridPos{X: 0, Y: 9, W: 24, H: 3}},
		{"second", 7, dashboard.GridPos{X: 0, Y: 12, W: 24, H: 1}},
		{"f", 8, dashboard.GridPos{X: 0, Y: 13, W: 12, H: 2}},
	}
	if len(d.Panels) != len(want) {
		t.Fatalf("%d panels and rows, want %d", len(d.Panels), len(want))
	}
	for i, w := range want {
		var title string
		var id uint32
		var pos dashboard.GridPos
		switch p := d.Panels[i]; {
		case p.RowPanel != nil:
			title, id, pos = deref(p.RowPanel.Title), p.RowPanel.Id, deref(p.RowPanel.GridPos)
		case p.Panel != nil:
			title, id, pos = deref(p.Panel.Title), deref(p.Panel.Id), deref(p.Panel.GridPos)
		}
		if title != w.title || id != w.id || pos != w.pos {
			t.Errorf("panel %d: %q id %d at %+v, want %q id %d at %+v", i, title, id, pos, w.title, w.id, w.pos)
		}
	}
}

func TestLayOutRefusesWhatDoesNotFit(t *testing.T) {
	for _, tc := range []struct {
		name, wantErr string
		line          line
	}{
		{"line wider than the grid", "25 columns wide", line{{sized("a", 13, 8)}, {sized("b", 12, 8)}}},
		{"stack of different widths", `panel "b" is 6 wide in a column 4 wide`, line{{sized("a", 4, 4), sized("b", 6, 4)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := layOut(dashboard.NewDashboardBuilder("layout"), []row{{"r", []line{tc.line}}})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("layOut = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestQueriesGetRefIDsInOrder(t *testing.T) {
	b := dashboard.NewDashboardBuilder("refs")
	p := timeseriesPanel("p", "d").WithTarget(rangeQuery("up", "a")).WithTarget(rangeQuery("up", "b")).
		WithTarget(rangeQuery("up", "c").RefId("Z"))
	if err := layOut(b, []row{{"r", []line{{{p}}}}}); err != nil {
		t.Fatal(err)
	}
	d, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, target := range d.Panels[1].Panel.Targets {
		q, ok := target.(prometheus.Dataquery)
		if !ok {
			t.Fatalf("target is a %T", target)
		}
		refs = append(refs, deref(q.RefId))
	}
	if strings.Join(refs, ",") != "A,B,Z" {
		t.Errorf("refIds = %v, want A, B and the query's own Z", refs)
	}
}
