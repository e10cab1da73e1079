// Command bench measures what a scrape costs: the exporter against a naive
// baseline that lists every page of every workspace, one after the other,
// without $batch or cache, both against the same simulated Graph in the
// same run. It prints a Markdown table of Graph requests, HTTP round trips,
// tokens, scrape latency, peak heap and allocations per scrape, with the
// exporter's figures as ratios of the baseline's.
//
//	go run ./bench            # every case, several minutes
//	go run ./bench -quick     # the small cases only
//	go run ./bench -paging    # small served pages and throttling only
//	go run ./bench -cost      # requests and round trips, first and steady, in each Graph behaviour
//	go run ./bench -activity  # the activity cases only
//	go run ./bench -targets   # the full-page cases of issue 23 only
//	go run ./bench -tenants 100,1000,10000 -runs 1  # the exporter's own process: resident memory per tenant
//	go run ./bench -tenants 10000 -probe -runs 1    # the same, each tenant read through /probe
//
// Each row is the median of -runs paired runs (5 by default): a run
// measures the exporter, then the baseline, so both see the same load.
// -cpuprofile and -memprofile profile the scraping process, exporter and
// baseline alike (go tool pprof -ignore 'naive|baseline|ListSessions' leaves the
// exporter's share).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	serve := flag.String("serve-sim", "", "internal: run the simulator for this case (JSON) in this process")
	quick := flag.Bool("quick", false, "only the cases with up to 1,000 sessions per workspace and 20 workspaces")
	scrapes := flag.Int("scrapes", 20, "scrapes measured per case and mode, at most")
	paging := flag.Bool("paging", false, "only the cases with small served pages and a throttled workspace")
	budget := flag.Duration("budget", 15*time.Second, "time per case and mode after which no new scrape starts (at least one runs)")
	cost := flag.Bool("cost", false, "only the cost per scrape, first and steady, in each way Graph may serve listings")
	activity := flag.Bool("activity", false, "only the cases with activity on")
	runs := flag.Int("runs", 5, "paired runs per case; each row gives their medians")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the scraping process to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile of the scraping process to this file at the end")
	targets := flag.Bool("targets", false, "only the cases of full pages: 20 and 100 workspaces of 1,000 sessions, at 0 and 50 ms")
	tenants := flag.String("tenants", "", "only the resident memory of the exporter's own process with these counts of tenants (comma-separated)")
	exporterBinary := flag.String("exporter", "", "with -tenants: the exporter binary to run; empty builds it from the working directory")
	exporterEnv := flag.String("exporter-env", "", "with -tenants: NAME=VALUE pairs (comma-separated) added to the exporter's environment, e.g. GOMEMLIMIT=200MiB")
	probe := flag.Bool("probe", false, "with -tenants: read each tenant through /probe instead of one scrape of /metrics")
	serveTenants := flag.Int("serve-tenants-sim", 0, "internal: run the simulator of this many tenants in this process")
	flag.Parse()
	if *serveTenants > 0 {
		if err := serveTenantsSim(*serveTenants); err != nil {
			fmt.Fprintln(os.Stderr, "bench simulator:", err)
			os.Exit(1)
		}
		return
	}
	if *tenants != "" {
		if err := benchTenants(*tenants, *exporterBinary, *exporterEnv, max(*runs, 1), *probe); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *serve != "" {
		if err := serveSim(*serve); err != nil {
			fmt.Fprintln(os.Stderr, "bench simulator:", err)
			os.Exit(1)
		}
		return
	}
	if err := os.Setenv(secretEnv, simSecret); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *cost {
		printCostHeader()
		for _, c := range costCases() {
			row, err := runCost(c, 3)
			if err != nil {
				fmt.Fprintf(os.Stderr, "bench: %s: %v\n", c.Graph, err)
				os.Exit(1)
			}
			fmt.Println(row)
		}
		return
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if *memProfile != "" {
		defer writeMemProfile(*memProfile)
	}
	printPairedHeader()
	all := append(append(cases(*quick), pagingCases()...), activityCases(*quick)...)
	switch {
	case *paging:
		all = pagingCases()
	case *targets:
		all = targetCases()
	}
	if *activity {
		all = activityCases(*quick)
	}
	for _, c := range all {
		row, err := runCase(c, max(*runs, 1), *scrapes, *budget)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", c, err)
			os.Exit(1)
		}
		fmt.Println(row)
	}
}

// cases are the sizes, workspace counts and latencies of the cost issue.
// 100 workspaces of 100,000 sessions (ten million sessions) are left out:
// the simulator would need gigabytes, and the baseline would list 10,000
// pages per scrape.
func cases(quick bool) []simCase {
	var out []simCase
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		for _, sessions := range []int{10, 1000, 100000} {
			for _, workspaces := range []int{1, 20, 100} {
				// 20 workspaces of 100,000 at 50 ms are left out too: the
				// baseline lists 2,000 pages one after the other, two
				// minutes a scrape, ten for the five paired runs of a row.
				if sessions*workspaces > 2_000_000 || latency > 0 && sessions*workspaces > 100_000 ||
					quick && (sessions > 1000 || workspaces > 20) {
					continue
				}
				out = append(out, simCase{Workspaces: workspaces, Sessions: sessions, Latency: latency})
			}
		}
	}
	return out
}

// targetCases are the cases of whole pages, where the exporter reads
// every session, as the baseline does.
func targetCases() []simCase {
	return []simCase{
		{Workspaces: 20, Sessions: 1000},
		{Workspaces: 100, Sessions: 1000},
		{Workspaces: 100, Sessions: 1000, Latency: 50 * time.Millisecond},
	}
}

// pagingCases are Graphs that serve smaller pages than $top asks, and one
// that throttles one workspace of twenty on every scrape.
func pagingCases() []simCase {
	var out []simCase
	for _, served := range []int{25, 100} {
		for _, workspaces := range []int{1, 20} {
			out = append(out, simCase{Workspaces: workspaces, Sessions: 1000, ServedPage: served})
		}
	}
	return append(out, simCase{Workspaces: 20, Sessions: 10, Throttled: true})
}

func runCase(c simCase, runs, scrapes int, budget time.Duration) (string, error) {
	p, exporter, baseline, err := startPair(c)
	if err != nil {
		return "", err
	}
	defer p.stop()
	loadBefore := loadAverage()
	out := make([]pairedRun, runs)
	for i := range out {
		if out[i].exp, err = measure(p, exporter, scrapes, budget); err != nil {
			return "", fmt.Errorf("exporter: %w", err)
		}
		if out[i].base, err = measure(p, baseline, scrapes, budget); err != nil {
			return "", fmt.Errorf("baseline: %w", err)
		}
	}
	return pairedRow(c, out, loadBefore, loadAverage()), nil
}

func short(x float64) string {
	switch {
	case x >= 10000:
		return fmt.Sprintf("%.0fk", x/1000)
	case x == float64(int64(x)):
		return fmt.Sprintf("%d", int64(x))
	default:
		return fmt.Sprintf("%.1f", x)
	}
}

func ratio(x, y float64) string {
	if y == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2g×", x/y)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// served describes the pages Graph serves, and the throttling.
func (c simCase) served() string {
	s := "1000"
	if c.ServedPage != 0 {
		s = fmt.Sprint(c.ServedPage)
	}
	if c.Throttled {
		s += ", 1 workspace throttled"
	}
	if c.Graph != "" {
		s += ", " + c.Graph
	}
	return s
}

func (c simCase) String() string {
	return fmt.Sprintf("%d workspaces × %d sessions, served page %s, activity %s, %v latency", c.Workspaces, c.Sessions, c.served(), onOff(c.Activity), c.Latency)
}
