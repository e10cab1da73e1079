package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// The simulator runs in a child process, so that its sessions and its
// garbage stay out of the heap the benchmark measures.

const (
	simTenantID = "00000000-0000-4000-8000-000000000001"
	simClientID = "00000000-0000-4000-8000-000000000002"
	simSecret   = "benchmark-client-secret"
)

// simCase is what the child simulates.
type simCase struct {
	Workspaces int           `json:"workspaces"`
	Sessions   int           `json:"sessions"`
	Latency    time.Duration `json:"latency"`
	// Activity generates prompts and evaluations, and turns the activity
	// collector on.
	Activity bool `json:"activity"`
	// ServedPage is the most sessions Graph serves per page, whatever $top
	// asks; 0 means 1,000, the page size asked for.
	ServedPage int `json:"served_page"`
	// Throttled makes Graph answer the first two requests of every scrape
	// on the first workspace 503 with Retry-After: 1.
	Throttled bool `json:"throttled"`
	// Graph names one of graphBehaviours, the way Graph serves listings in
	// the cost cases; "" is an honest Graph.
	Graph string `json:"graph"`
}

// faults are the case's faults, installed afresh before every scrape so
// that a throttled case throttles every scrape alike.
func (c simCase) faults() azuresim.Faults {
	f := azuresim.Faults{Latency: c.Latency}
	if c.Throttled {
		f.TransientFor = map[string]azuresim.Transient{workspaceID(0): {Status: http.StatusServiceUnavailable, Times: 2}}
		f.RetryAfter = "1"
	}
	if b, ok := graphBehaviours[c.Graph]; ok && b.faults != nil {
		b.faults(&f)
	}
	return f
}

// simInfo is what the child tells the parent once it serves.
type simInfo struct {
	GraphEndpoint string `json:"graph_endpoint"`
	AuthorityHost string `json:"authority_host"`
	CertPEM       string `json:"cert_pem"`
	Control       string `json:"control"` // plain HTTP, for stats
}

func workspaceID(i int) string { return fmt.Sprintf("ws%03d", i) }

// serveSim is the child's main: it simulates the case given as JSON in
// spec, prints simInfo and serves until its stdin closes.
func serveSim(spec string) error {
	var c simCase
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		return fmt.Errorf("decode case: %w", err)
	}
	now := time.Now()
	t := azuresim.Tenant{ID: simTenantID, ClientID: simClientID, ClientSecret: simSecret}
	for i := range c.Workspaces {
		w := azuresim.Workspace{ID: workspaceID(i), DisplayName: workspaceID(i), Sessions: azuresim.GenerateSessions(int64(i+1), c.Sessions, now)}
		if c.Activity {
			w.Prompts = azuresim.GeneratePrompts(int64(i+1), w.Sessions, now)
		}
		if b, ok := graphBehaviours[c.Graph]; ok && b.sessions != nil {
			b.sessions(w.Sessions, now)
		}
		t.Workspaces = append(t.Workspaces, w)
	}
	served := c.ServedPage
	if served == 0 {
		served = 1000
	}
	sim, err := azuresim.New(azuresim.Options{Tenants: []azuresim.Tenant{t}, MaxPageSize: served})
	if err != nil {
		return err
	}
	defer sim.Close()
	sim.SetFaults(c.faults())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /reset", func(http.ResponseWriter, *http.Request) { sim.ResetStats() })
	mux.HandleFunc("POST /rearm", func(http.ResponseWriter, *http.Request) { sim.SetFaults(c.faults()) })
	mux.HandleFunc("POST /fail", func(http.ResponseWriter, *http.Request) {
		f := c.faults()
		f.StatusFor = map[string]int{workspaceID(0): http.StatusNotFound}
		sim.SetFaults(f)
	})
	return serveChild(sim, mux)
}

// serveChild serves the simulator's control endpoints (mux, and GET
// /stats) on loopback, tells the parent where the simulator is on stdout,
// and returns when the parent closes stdin.
func serveChild(sim *azuresim.Server, mux *http.ServeMux) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
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

// simProcess is a running child.
type simProcess struct {
	simInfo
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

func startSim(c simCase) (*simProcess, error) {
	spec, _ := json.Marshal(c)
	return startSimProcess("-serve-sim", string(spec))
}

// startSimProcess runs this binary again with flag and value, which serve a
// simulator in the child, and reads the simInfo it prints first.
func startSimProcess(flag, value string) (*simProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, flag, value)
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

func (p *simProcess) stop() {
	p.stdin.Close()
	_ = p.cmd.Wait()
}

func (p *simProcess) stats() (azuresim.Stats, error) {
	var st azuresim.Stats
	resp, err := http.Get(p.Control + "/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func (p *simProcess) reset() error { return p.post("/reset") }

// rearm installs the case's faults afresh.
func (p *simProcess) rearm() error { return p.post("/rearm") }

// fail makes the first workspace answer 404 from now on.
func (p *simProcess) fail() error { return p.post("/fail") }

func (p *simProcess) post(path string) error {
	resp, err := http.Post(p.Control+path, "text/plain", strings.NewReader(""))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}
