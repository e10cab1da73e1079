package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Paired runs: each run measures the exporter and then the baseline, one
// right after the other, so that both see the same load on the machine; a
// row gives the median of each figure over the runs and the median of the
// per-run ratios, which the load of a shared machine moves far less than
// the times themselves.

// pairedRun is one run of a case: both modes, one after the other.
type pairedRun struct {
	exp, base figures
}

// cpuTime is the CPU time, user and system, this process has used so far.
// The simulator runs in a child process, so it is the scraper's alone.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is the machine's one-minute load average, or "?" where the
// system does not say.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func median[T any](runs []pairedRun, f func(pairedRun) T, less func(a, b T) int) T {
	vals := make([]T, len(runs))
	for i, r := range runs {
		vals[i] = f(r)
	}
	slices.SortFunc(vals, less)
	return vals[len(vals)/2]
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// medianRatio is the median over the runs of exporter / baseline.
func medianRatio(runs []pairedRun, f func(figures) float64) float64 {
	return median(runs, func(r pairedRun) float64 {
		if f(r.base) == 0 {
			return 0
		}
		return f(r.exp) / f(r.base)
	}, cmpFloat)
}

// medianFigures is, figure by figure, the median of one mode over the runs.
func medianFigures(runs []pairedRun, mode func(pairedRun) figures) figures {
	num := func(f func(figures) float64) float64 {
		return median(runs, func(r pairedRun) float64 { return f(mode(r)) }, cmpFloat)
	}
	dur := func(f func(figures) time.Duration) time.Duration {
		return time.Duration(num(func(x figures) float64 { return float64(f(x)) }))
	}
	first := mode(runs[0])
	return figures{
		firstRequests:   first.firstRequests,
		tokens:          first.tokens,
		requests:        num(func(x figures) float64 { return x.requests }),
		roundTrips:      num(func(x figures) float64 { return x.roundTrips }),
		p50:             dur(func(x figures) time.Duration { return x.p50 }),
		p95:             dur(func(x figures) time.Duration { return x.p95 }),
		cpu:             dur(func(x figures) time.Duration { return x.cpu }),
		simCPU:          dur(func(x figures) time.Duration { return x.simCPU }),
		peakHeap:        uint64(num(func(x figures) float64 { return float64(x.peakHeap) })),
		allocsPerScrape: num(func(x figures) float64 { return x.allocsPerScrape }),
		scrapes:         int(num(func(x figures) float64 { return float64(x.scrapes) })),
	}
}

// pairedRow formats a case's runs: medians of each mode, and for wall
// time, CPU time and peak heap the median of the per-run ratios.
func pairedRow(c simCase, runs []pairedRun, loadBefore, loadAfter string) string {
	e := medianFigures(runs, func(r pairedRun) figures { return r.exp })
	b := medianFigures(runs, func(r pairedRun) figures { return r.base })
	num := func(x, y float64) string { return fmt.Sprintf("%s / %s (%s)", short(x), short(y), ratio(x, y)) }
	dur := func(x, y time.Duration, r float64) string {
		return fmt.Sprintf("%s / %s (%.2g×)", x.Round(time.Millisecond/10), y.Round(time.Millisecond/10), r)
	}
	p50 := medianRatio(runs, func(f figures) float64 { return float64(f.p50) })
	cpu := medianRatio(runs, func(f figures) float64 { return float64(f.cpu) })
	heap := medianRatio(runs, func(f figures) float64 { return float64(f.peakHeap) })
	return fmt.Sprintf("| %d | %d | %s | %s | %v | %s | %s | %s | %s | %s | %.1f / %.1f MiB (%.2g×) | %s | %d | %s → %s |",
		c.Workspaces, c.Sessions, c.served(), onOff(c.Activity), c.Latency,
		num(e.requests, b.requests), num(e.roundTrips, b.roundTrips),
		dur(e.p50, b.p50, p50), dur(e.cpu, b.cpu, cpu),
		fmt.Sprintf("%s / %s", e.simCPU.Round(time.Millisecond), b.simCPU.Round(time.Millisecond)),
		float64(e.peakHeap)/(1<<20), float64(b.peakHeap)/(1<<20), heap,
		num(e.allocsPerScrape, b.allocsPerScrape), len(runs), loadBefore, loadAfter)
}

func printPairedHeader() {
	fmt.Printf("`go run ./bench %s` (Go %s)\n\n", strings.Join(os.Args[1:], " "), goVersion())
	fmt.Println("| workspaces | sessions each | served page | activity | latency | Graph requests / scrape | round trips / scrape | p50 scrape (wall) | CPU / scrape | simulator CPU / scrape | peak heap | allocs / scrape | paired runs | load (1 min) before → after |")
	fmt.Println("|---:|---:|---|---|---:|---|---|---|---|---|---|---|---:|---|")
}

func goVersion() string { return runtime.Version() }

// startCPUProfile profiles the scraping process, exporter and baseline
// alike, until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeMemProfile writes the allocations of the scraping process,
// exporter and baseline alike, since it started.
func writeMemProfile(path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: memory profile:", err)
	}
}

// childCPU is the CPU time, user and system, the simulator's process has
// used so far, from /proc (0 where there is none). Clock ticks are taken
// as 100 a second, Linux's USER_HZ.
func childCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count from after it.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
