package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// What the tenants mode asks of the exporter's process: readiness,
// scrapes and probes, and its resident set.

func freeAddress() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls url until it answers 200, at most for limit.
func waitReady(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("the exporter was not ready within %v", limit)
}

// scrapeAll scrapes the exporter and fails unless every tenant's
// workspace is up.
func scrapeAll(base string, n int) error {
	up, activity, err := scrapeURL(base+"/metrics", 11*time.Minute)
	if err == nil && (up != n || activity != n) {
		err = fmt.Errorf("%d of %d workspaces up, %d with activity read", up, n, activity)
	}
	return err
}

// probesInFlight is how many probes run at once: Prometheus scrapes its
// targets independently, so with thousands of probe targets many overlap.
const probesInFlight = 16

// probeAll reads every tenant through /probe, probesInFlight at a time,
// as a Prometheus with one target per tenant would, and fails unless each
// tenant's workspace is up.
func probeAll(base string, n int) error {
	var g errgroup.Group
	g.SetLimit(probesInFlight)
	for i := range n {
		g.Go(func() error {
			up, activity, err := scrapeURL(fmt.Sprintf("%s/probe?tenant=customer-%05d", base, i), time.Minute)
			if err == nil && (up != 1 || activity != 1) {
				err = fmt.Errorf("customer-%05d: workspace up %d, activity read %d", i, up, activity)
			}
			return err
		})
	}
	return g.Wait()
}

// scrapeURL scrapes url and counts the workspaces up and those whose
// activity was read.
func scrapeURL(url string, limit time.Duration) (up, activity int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", strconv.Itoa(int(limit.Seconds())-10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, errors.New(resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "securitycopilot_up{") && strings.HasSuffix(line, " 1"):
			up++
		case strings.HasPrefix(line, "securitycopilot_activity_success{") && strings.HasSuffix(line, " 1"):
			activity++
		}
	}
	return up, activity, sc.Err()
}

// residentSet reads a process's VmRSS and VmHWM in bytes.
func residentSet(pid int) (rss, hwm uint64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name != "VmRSS" && name != "VmHWM" {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	if rss == 0 || hwm == 0 {
		return 0, 0, errors.New("no VmRSS or VmHWM in /proc/PID/status")
	}
	return rss, hwm, nil
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 600 {
		b = b[len(b)-600:]
	}
	return strings.TrimSpace(string(b))
}
