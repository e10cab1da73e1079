// Classic dashboards, which file provisioning loads, have rows of panels.
//lint:file-ignore SA1019 dashboard.Dashboard is the schema of the provisioned file

package grafana

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// gridWidth is the width of Grafana's grid, in columns.
const gridWidth = 24

// A row is a titled row of the dashboard and its panels, laid out in lines
// from left to right, each line below the previous one.
type row struct {
	title string
	lines []line
}

// A line is a band of panels side by side, as high as its highest column.
type line []column

// A column is one panel, or panels of the same width on top of each other.
// A panel's width and height are its builder's Span and Height.
type column []cog.Builder[dashboard.Panel]

// layOut adds the rows and their panels to the dashboard, giving each its
// grid position and an id in reading order.
func layOut(d *dashboard.DashboardBuilder, rows []row) error {
	var id, y uint32
	for _, r := range rows {
		id++
		d.WithRow(dashboard.NewRowBuilder(r.title).Id(id).GridPos(dashboard.GridPos{H: 1, W: gridWidth, X: 0, Y: y}))
		y++
		for _, l := range r.lines {
			var x, height uint32
			for _, c := range l {
				var width, top uint32
				for _, b := range c {
					p, err := b.Build()
					if err != nil {
						return fmt.Errorf("row %q: %w", r.title, err)
					}
					id++
					pos := deref(p.GridPos)
					if width != 0 && pos.W != width {
						return fmt.Errorf("row %q: panel %q is %d wide in a column %d wide", r.title, deref(p.Title), pos.W, width)
					}
					width = pos.W
					p.Id = ptr(id)
					nameQueries(p.Targets)
					p.GridPos = &dashboard.GridPos{H: pos.H, W: pos.W, X: x, Y: y + top}
					top += pos.H
					d.WithPanel(placed(p))
				}
				x += width
				height = max(height, top)
			}
			if x > gridWidth {
				return fmt.Errorf("row %q: a line is %d columns wide, more than %d", r.title, x, gridWidth)
			}
			y += height
		}
	}
	return nil
}

// placed hands a built panel, with its position, to the dashboard builder.
type placed dashboard.Panel

func (p placed) Build() (dashboard.Panel, error) { return dashboard.Panel(p), nil }

// nameQueries gives the queries that have no refId the letters A, B, ...
// in order.
func nameQueries(targets []variants.Dataquery) {
	for i, t := range targets {
		if q, ok := t.(prometheus.Dataquery); ok && q.RefId == nil {
			q.RefId = ptr(string(rune('A' + i)))
			targets[i] = q
		}
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
