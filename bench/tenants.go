package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The tenants mode measures what an MSSP's exporter holds: the real
// exporter binary runs as its own process with n tenants in the layout
// CONFIGURATION.md documents (client secret files, activity and plugin
// overrides, one workspace each), against the simulator in another
// process, and its resident set is read from /proc after the
// configuration is applied, after each of two scrapes, and at its peak.

// settle is how long after a scrape its resident set is read.
const settle = 2 * time.Second

// buildExporter builds the exporter's binary from the module in the
// working directory (go run ./bench runs there).
func buildExporter(dir string) (string, error) {
	out := filepath.Join(dir, "securitycopilot_exporter")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build the exporter (run from the module's root, or give -exporter): %w", err)
	}
	return out, nil
}

// tenantsRun is one run's figures; memory in bytes, for the whole process.
type tenantsRun struct {
	ready                       time.Duration // start to /-/ready: the load and Apply
	applied, scraped1, scraped2 uint64        // VmRSS
	peak                        uint64        // VmHWM at the end
	scrape1, scrape2            time.Duration
	cpu                         time.Duration // the exporter's, start to end
	reload                      time.Duration // POST /-/reload of the unchanged file
	tokens, graphRequests       int           // simulator's count over both scrapes
}

// runTenants starts the exporter with n tenants and measures it.
func runTenants(binary, extraEnv string, n int, probe bool) (tenantsRun, error) {
	var r tenantsRun
	p, err := startTenantsSim(n)
	if err != nil {
		return r, err
	}
	defer p.stop()
	dir, err := os.MkdirTemp("", "bench-tenants-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	cfgPath, err := writeTenantsConfig(dir, n, p)
	if err != nil {
		return r, err
	}
	certFile := filepath.Join(dir, "simulator.pem")
	if err := os.WriteFile(certFile, []byte(p.CertPEM), 0o600); err != nil {
		return r, err
	}
	addr, err := freeAddress()
	if err != nil {
		return r, err
	}
	logFile, err := os.Create(filepath.Join(dir, "exporter.log"))
	if err != nil {
		return r, err
	}
	defer logFile.Close()
	cmd := exec.Command(binary, "--config.file="+cfgPath, "--web.listen-address="+addr, "--log.level=warn")
	// The exporter trusts the simulator's certificate as a system root.
	cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+certFile, "SSL_CERT_DIR="+dir)
	if extraEnv != "" {
		cmd.Env = append(cmd.Env, strings.Split(extraEnv, ",")...)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	pid := cmd.Process.Pid
	base := "http://" + addr
	if err := waitReady(base+"/-/ready", 10*time.Minute); err != nil {
		return r, fmt.Errorf("%w (log: %s)", err, tail(logFile.Name()))
	}
	r.ready = time.Since(start)
	if r.applied, _, err = residentSet(pid); err != nil {
		return r, err
	}
	before, err := p.stats()
	if err != nil {
		return r, err
	}
	for i, fig := range []*struct {
		took *time.Duration
		rss  *uint64
	}{{&r.scrape1, &r.scraped1}, {&r.scrape2, &r.scraped2}} {
		t0 := time.Now()
		scrape := scrapeAll
		if probe {
			scrape = probeAll
		}
		if err := scrape(base, n); err != nil {
			return r, fmt.Errorf("scrape %d: %w (log: %s)", i+1, err, tail(logFile.Name()))
		}
		*fig.took = time.Since(t0)
		// What the process holds between scrapes: Prometheus scrapes every
		// 15 s or more, and the exporter frees after a large scrape in the
		// background.
		time.Sleep(settle)
		if *fig.rss, _, err = residentSet(pid); err != nil {
			return r, err
		}
	}
	if _, r.peak, err = residentSet(pid); err != nil {
		return r, err
	}
	r.cpu = childCPU(pid)
	after, err := p.stats()
	if err != nil {
		return r, err
	}
	// A reload of the same file keeps every tenant.
	t0 := time.Now()
	resp, err := http.Post(base+"/-/reload", "text/plain", nil)
	if err != nil {
		return r, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("reload: %s", resp.Status)
	}
	r.reload = time.Since(t0)
	r.tokens, r.graphRequests = after.TokenRequests-before.TokenRequests, after.GraphRequests-before.GraphRequests
	return r, nil
}

// benchTenants runs the tenants mode: runs runs per count, one Markdown
// row of medians per count.
func benchTenants(counts, binary, extraEnv string, runs int, probe bool) error {
	if binary == "" {
		dir, err := os.MkdirTemp("", "bench-exporter-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if binary, err = buildExporter(dir); err != nil {
			return err
		}
	}
	fmt.Println("| tenants | read through | runs | load | ready (load and Apply) | after Apply | after scrape 1 | after scrape 2 | peak (VmHWM) | scrape 1 | scrape 2 | exporter CPU | reload | tokens | Graph requests |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for field := range strings.SplitSeq(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			return fmt.Errorf("-tenants: %q is not a count of tenants", field)
		}
		load := loadAverage()
		out := make([]tenantsRun, runs)
		for i := range out {
			if out[i], err = runTenants(binary, extraEnv, n, probe); err != nil {
				return fmt.Errorf("%d tenants: %w", n, err)
			}
		}
		through := "/metrics"
		if probe {
			through = fmt.Sprintf("/probe, %d at once", probesInFlight)
		}
		if extraEnv != "" {
			through += ", " + extraEnv
		}
		fmt.Println(tenantsRow(n, through, out, load+"–"+loadAverage()))
	}
	return nil
}

func tenantsRow(n int, through string, runs []tenantsRun, load string) string {
	med := func(f func(tenantsRun) uint64) uint64 {
		v := make([]uint64, len(runs))
		for i, r := range runs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	mem := func(f func(tenantsRun) uint64) string {
		b := med(f)
		return fmt.Sprintf("%.1f MB, %.1f KB/tenant", float64(b)/1e6, float64(b)/1e3/float64(n))
	}
	dur := func(f func(tenantsRun) time.Duration) string {
		return time.Duration(med(func(r tenantsRun) uint64 { return uint64(f(r)) })).Round(10 * time.Millisecond).String()
	}
	return fmt.Sprintf("| %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %d |", n, through, len(runs), load,
		dur(func(r tenantsRun) time.Duration { return r.ready }),
		mem(func(r tenantsRun) uint64 { return r.applied }),
		mem(func(r tenantsRun) uint64 { return r.scraped1 }),
		mem(func(r tenantsRun) uint64 { return r.scraped2 }),
		mem(func(r tenantsRun) uint64 { return r.peak }),
		dur(func(r tenantsRun) time.Duration { return r.scrape1 }),
		dur(func(r tenantsRun) time.Duration { return r.scrape2 }),
		dur(func(r tenantsRun) time.Duration { return r.cpu }),
		dur(func(r tenantsRun) time.Duration { return r.reload }),
		med(func(r tenantsRun) uint64 { return uint64(r.tokens) }),
		med(func(r tenantsRun) uint64 { return uint64(r.graphRequests) }))
}
