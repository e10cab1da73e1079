package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// The tenants mode measures what an MSSP's exporter holds: the real
// exporter binary runs as its own process with n tenants in the layout
// CONFIGURATION.md documents (client secret files, activity and plugin
// overrides, one workspace each), against the simulator in another
// process, and its resident set is read from /proc after the
// configuration is applied, after each of two scrapes, and at its peak.

// tenantsSessions is each simulated tenant's workspace: a few sessions
// with prompts, so that every read of the layout (sessions, activity,
// plugins) has something to do.
const tenantsSessions = 3

// settle is how long after a scrape its resident set is read.
const settle = 2 * time.Second

func tenantGUID(i, kind int) string { return fmt.Sprintf("00000000-0000-4000-800%d-%012d", kind, i) }

// tenantSecret is tenant i's client secret: every tenant has its own.
func tenantSecret(i int) string { return fmt.Sprintf("bench-secret-of-customer-%05d", i) }

// serveTenantsSim is the child's main for the tenants mode: n tenants of
// one small workspace each.
func serveTenantsSim(n int) error {
	now := time.Now()
	opts := azuresim.Options{MaxPageSize: 1000}
	for i := range n {
		sessions := azuresim.GenerateSessions(int64(i+1), tenantsSessions, now)
		opts.Tenants = append(opts.Tenants, azuresim.Tenant{
			ID: tenantGUID(i, 1), ClientID: tenantGUID(i, 2), ClientSecret: tenantSecret(i),
			Workspaces: []azuresim.Workspace{{ID: "default", DisplayName: "default", Sessions: sessions, Prompts: azuresim.GeneratePrompts(int64(i+1), sessions, now)}},
		})
	}
	sim, err := azuresim.New(opts)
	if err != nil {
		return err
	}
	defer sim.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(sim.Stats())
	})
	go func() { _ = http.Serve(ln, mux) }()
	info := simInfo{GraphEndpoint: sim.GraphEndpoint(), AuthorityHost: sim.AuthorityHost(), CertPEM: string(sim.CertificatePEM()), Control: "http://" + ln.Addr().String()}
	if err := json.NewEncoder(os.Stdout).Encode(info); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

func startTenantsSim(n int) (*simProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-tenants-sim", strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &simProcess{cmd: cmd, stdin: stdin}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err == nil {
		err = json.Unmarshal([]byte(line), &p.simInfo)
	}
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("simulator did not start: %w", err)
	}
	return p, nil
}

// writeTenantsConfig writes n tenants in the documented MSSP layout, and
// each tenant's secret to its own file, under dir.
func writeTenantsConfig(dir string, n int, p *simProcess) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "graph:\n  endpoint: %s\n  authority_host: %s\ncollection:\n  timeout: 10m\n  cache_ttl: 0s\ntenants:\n", p.GraphEndpoint, p.AuthorityHost)
	secrets := filepath.Join(dir, "secrets")
	if err := os.Mkdir(secrets, 0o700); err != nil {
		return "", err
	}
	for i := range n {
		file := filepath.Join(secrets, fmt.Sprintf("customer-%05d", i))
		if err := os.WriteFile(file, []byte(tenantSecret(i)+"\n"), 0o600); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, `  - name: customer-%05d
    tenant_id: %s
    client_id: %s
    client_secret_file: %s
    workspaces: [default]
    activity:
      enabled: true
      max_sessions: 50
    plugins:
      per_plugin: true
      interval: 30m
`, i, tenantGUID(i, 1), tenantGUID(i, 2), file)
	}
	path := filepath.Join(dir, "config.yml")
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

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
