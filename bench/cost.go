package main

import (
	"context"
	"fmt"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// The cost cases measure Graph requests and round trips per scrape, first
// and steady, in each way the simulator lets Graph serve session listings,
// against naive listing measured in the same run on the same simulator.

// graphBehaviour is a way Graph serves a workspace's session listings.
type graphBehaviour struct {
	served   int                                 // the most sessions Graph serves a page
	faults   func(*azuresim.Faults)              // quirks of the listings
	sessions func([]azuresim.Session, time.Time) // changes to the generated sessions, oldest first
	failing  bool                                // the workspace answers 404 from the second scrape on
}

var graphBehaviours = map[string]graphBehaviour{
	"honest":                     {served: 25},
	"served page 7":              {served: 7},
	"served page 100":            {served: 100},
	"$top ignored":               {served: 25, faults: func(f *azuresim.Faults) { f.Listing.IgnoreTop = true }},
	"$filter ignored":            {served: 25, faults: func(f *azuresim.Faults) { f.Listing.IgnoreFilter = true }},
	"$filter refused (400)":      {served: 25, faults: func(f *azuresim.Faults) { f.RejectFilter = true }},
	"no @odata.count":            {served: 25, faults: func(f *azuresim.Faults) { f.OmitCount = true }},
	"newest first":               {served: 25, faults: func(f *azuresim.Faults) { f.Listing.Order = azuresim.OrderNewestFirst }},
	"arbitrary order":            {served: 25, faults: func(f *azuresim.Faults) { f.Listing.Order = azuresim.OrderArbitrary }},
	"offset paging":              {served: 25, faults: func(f *azuresim.Faults) { f.Listing.OffsetPaging = true }},
	"30 newest on one tick, now": {served: 25, sessions: tie(true)},
	"30 oldest on one tick":      {served: 25, sessions: tie(false)},
	"workspace answering 404":    {served: 25, failing: true},
	// Not a row of the cost table: the activity case of a Graph that
	// ignores $expand, which the activity cannot tell from one that
	// honours it without counts.
	"$expand ignored": {faults: func(f *azuresim.Faults) { f.Expand = azuresim.ExpandIgnored }},
	"arbitrary order, offset paging": {served: 25, faults: func(f *azuresim.Faults) {
		f.Listing = azuresim.ListingQuirks{Order: azuresim.OrderArbitrary, OffsetPaging: true}
	}},
}

// costOrder is the order of the table's rows.
var costOrder = []string{
	"honest", "served page 7", "served page 100", "$top ignored", "$filter ignored", "$filter refused (400)",
	"no @odata.count", "newest first", "arbitrary order", "offset paging", "arbitrary order, offset paging",
	"30 newest on one tick, now", "30 oldest on one tick", "workspace answering 404",
}

// tie puts the 30 newest (or oldest) sessions on one tick: the instant the
// simulator starts, or the oldest session's creation.
func tie(newest bool) func([]azuresim.Session, time.Time) {
	return func(ss []azuresim.Session, now time.Time) {
		if len(ss) < 30 {
			return
		}
		at, from := now.UTC().Truncate(100*time.Nanosecond), len(ss)-30
		if !newest {
			at, from = ss[0].Created, 0
		}
		for i := from; i < from+30; i++ {
			ss[i].Created, ss[i].LastModified = at, at
		}
	}
}

func costCases() []simCase {
	var out []simCase
	for _, name := range costOrder {
		out = append(out, simCase{Workspaces: 1, Sessions: 1000, ServedPage: graphBehaviours[name].served, Graph: name})
	}
	return out
}

// scrapeCost is what one scrape cost Graph in session listings: the
// exporter's workspace listing, which names workspaces once per five
// minutes and which naive listing does not make, is left out.
type scrapeCost struct{ requests, roundTrips int }

func (c scrapeCost) String() string { return fmt.Sprintf("%d in %d", c.requests, c.roundTrips) }

func sessionCost(st azuresim.Stats) scrapeCost {
	return scrapeCost{st.ByPath[azuresim.PathSessions], st.RoundTrips - st.ByPath[azuresim.PathWorkspaces]}
}

// measureCost runs a first scrape and then steady ones, and returns the
// first's cost and the most a steady one cost. For a failing workspace, a
// scrape while it still answers comes first, and "first" is the first
// scrape on which it answers 404.
func measureCost(p *simProcess, scrape scrapeFunc, b graphBehaviour, steady int) (first, most scrapeCost, err error) {
	ctx := context.Background()
	if err := p.rearm(); err != nil {
		return first, most, err
	}
	if b.failing {
		if err := scrape(ctx); err != nil {
			return first, most, fmt.Errorf("scrape before the workspace fails: %w", err)
		}
		if err := p.fail(); err != nil {
			return first, most, err
		}
	}
	for i := range 1 + steady {
		if err := p.reset(); err != nil {
			return first, most, err
		}
		// A failing workspace fails the scrape: its cost is what is measured.
		if err := scrape(ctx); err != nil && !b.failing {
			return first, most, fmt.Errorf("scrape %d: %w", i+1, err)
		}
		st, err := p.stats()
		if err != nil {
			return first, most, err
		}
		c := sessionCost(st)
		if i == 0 {
			first = c
			continue
		}
		most.requests, most.roundTrips = max(most.requests, c.requests), max(most.roundTrips, c.roundTrips)
	}
	return first, most, nil
}

func runCost(c simCase, steady int) (string, error) {
	p, exporter, baseline, err := startPair(c)
	if err != nil {
		return "", err
	}
	defer p.stop()
	b := graphBehaviours[c.Graph]
	ef, es, err := measureCost(p, exporter, b, steady)
	if err != nil {
		return "", fmt.Errorf("exporter: %w", err)
	}
	bf, bs, err := measureCost(p, baseline, b, steady)
	if err != nil {
		return "", fmt.Errorf("naive listing: %w", err)
	}
	ratios := func(e, n scrapeCost) string {
		return fmt.Sprintf("%s / %s", ratio(float64(e.requests), float64(n.requests)), ratio(float64(e.roundTrips), float64(n.roundTrips)))
	}
	return fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %s | %s |", c.Graph, b.served, ef, bf, ratios(ef, bf), es, bs, ratios(es, bs)), nil
}

func printCostHeader() {
	fmt.Println("| Graph behaviour | served page | first scrape: exporter | naive | ratio (requests / round trips) | steady scrape: exporter | naive | ratio (requests / round trips) |")
	fmt.Println("|---|---:|---|---|---|---|---|---|")
}
