// Command securitycopilot_exporter exports Microsoft Security Copilot session
// metrics, read from Microsoft Graph at scrape time, to Prometheus.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/accesscheck"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

const exporterName = "securitycopilot_exporter"

var (
	configFile  = kingpin.Flag("config.file", "Path of the YAML configuration file.").Default("securitycopilot_exporter.yml").String()
	configCheck = kingpin.Flag("config.check", "Validate the configuration file, build every tenant's credential without contacting Entra ID, and exit.").Bool()
	checkAccess = kingpin.Flag("config.check-access", "Validate the configuration like --config.check, then get each tenant's token, check its permission and read each workspace once; print a table and exit 0 if every workspace can be read, 1 otherwise.").Bool()
	authLogin   = kingpin.Flag("auth.login", "Sign in the monitoring account of the named tenant (auth device_code) with the device code flow, write its token_cache_file and exit. Run it once, where the exporter's cache volume is mounted.").PlaceHolder("TENANT").String()
	loginWait   = kingpin.Flag("auth.login-timeout", "How long --auth.login waits for the code to be entered.").Default("15m").Duration()
	demoMode    = kingpin.Flag("demo", "Serve metrics from an in-process simulated Microsoft Graph on loopback (no Azure account needed); --config.file is ignored.").Bool()
	metricsPath = kingpin.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").String()
	allTenants  = kingpin.Flag("web.telemetry-all-tenants", "Read every configured tenant's sessions when the telemetry path is scraped. Turn it off (--no-web.telemetry-all-tenants) on replicas that share the tenants through /probe, so that their telemetry path serves only the exporter's own metrics.").Default("true").Bool()
	webFlags    = kingpinflag.AddFlags(kingpin.CommandLine, ":9929")
)

// shutdownGrace bounds how long running scrapes may go on after SIGTERM:
// Kubernetes waits 30 s before SIGKILL, and a scrape cut short still
// answers, with up 0 for what it could not read.
const shutdownGrace = 5 * time.Second

// idleTimeout closes keep-alive connections left idle for longer than the
// slowest usual scrape interval.
const idleTimeout = 5 * time.Minute

var errInterrupted = errors.New("interrupted")

func main() {
	os.Exit(run())
}

func run() int {
	surviveClosedPipes()
	stampVersion()
	logConfig := &promslog.Config{}
	promslogflag.AddFlags(kingpin.CommandLine, logConfig)
	var listenAddressSet bool
	listenFlag := kingpin.CommandLine.GetFlag("web.listen-address").Envar(listenAddressEnv)
	listenFlag.IsSetByUser(&listenAddressSet)
	kingpin.Version(version.Print(exporterName))
	kingpin.HelpFlag.Short('h')
	kingpin.Parse()
	if err := checkTelemetryPath(*metricsPath); err != nil {
		kingpin.Fatalf("--web.telemetry-path: %v", err)
	}
	if *demoMode && !listenAddressSet && !listenFlag.HasEnvarValue() {
		// The demo has an unauthenticated /-/reload and no TLS: it stays on
		// this machine unless the user asks otherwise.
		*webFlags.WebListenAddresses = []string{demoListenAddress}
	}
	logger := promslog.New(logConfig)

	// From here on Ctrl-C and SIGTERM stop the process at any point: while
	// the configuration loads, they abandon the load.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		versioncollector.NewCollector(exporterName),
	)
	opts := collector.Options{Logger: logger, Metrics: graphclient.NewMetrics(reg), Version: version.Version}
	load := func() (*config.Config, error) { return config.Load(*configFile) }
	if *demoMode {
		demo, err := startDemo(ctx, logger)
		if err != nil {
			logger.Error("Starting the demo failed", "err", err)
			return 1
		}
		defer demo.close()
		opts.Transport = demo.transport
		load = demo.config
	}
	if *authLogin != "" {
		return runLogin(ctx, load, opts.Transport, *authLogin, *loginWait)
	}
	// A check builds the tenants but starts no audit reader: it must not
	// submit audit log queries.
	opts.ManualAudit = *configCheck || *checkAccess
	exporter := collector.New(opts)

	if *configCheck {
		return checkConfig(ctx, load, exporter)
	}
	if *checkAccess {
		return runAccessCheck(ctx, load, exporter, opts.Transport)
	}
	reloader, err := config.NewReloader(load, exporter.Apply, reg, logger)
	if err != nil {
		logger.Error("Setting up config reload failed", "err", err)
		return 1
	}
	if err := untilSignal(ctx, reloader.Reload); err != nil {
		// The reloader has logged the details; this is the one-line cause.
		fmt.Fprintf(os.Stderr, "%s: cannot start: %v\n", exporterName, err)
		return 1
	}
	go reloadOnSIGHUP(ctx, reloader, logger)

	// Scrapes run in serveCtx, which ends only when the shutdown grace is
	// over, not when the signal arrives.
	serveCtx, abortScrapes := context.WithCancel(context.Background())
	defer abortScrapes()
	var running atomic.Int64
	server := newServer(countRunning(&running, newMux(exporter, reloader, reg, logger)), serveCtx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		shutdown(server, abortScrapes, &running, logger)
	}()
	logger.Info("Starting "+exporterName, "version", version.Info(), "build_context", version.BuildContext())
	if err := web.ListenAndServe(server, webFlags, logger); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("Serving HTTP failed", "err", err)
		return 1
	}
	<-stopped
	return 0
}

// demoListenAddress is where --demo listens without --web.listen-address
// and without listenAddressEnv.
const demoListenAddress = "127.0.0.1:9929"

// listenAddressEnv stands for --web.listen-address when the flag is not
// given. The container image sets it to :9929, so that --demo in a
// container answers on the container's network (loopback there reaches
// nothing); the flag still wins over it.
const listenAddressEnv = "SECURITYCOPILOT_EXPORTER_WEB_LISTEN_ADDRESS"

func newServer(handler http.Handler, base context.Context) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
}

// countRunning counts the requests being served, for the shutdown log.
func countRunning(n *atomic.Int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		defer n.Add(-1)
		next.ServeHTTP(w, r)
	})
}

// shutdown stops accepting connections and lets running requests finish
// for up to shutdownGrace; then it ends their context, so that a scrape
// still waiting for Graph answers with what it has, and closes what is left
// a second later.
func shutdown(server *http.Server, abortScrapes context.CancelFunc, running *atomic.Int64, logger *slog.Logger) {
	logger.Info("Shutting down: no new connections; running requests may finish", "running", running.Load(), "grace", shutdownGrace)
	abort := time.AfterFunc(shutdownGrace, abortScrapes)
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace+time.Second)
	defer cancel()
	err := server.Shutdown(ctx)
	cutShort := !abort.Stop()
	switch {
	case err != nil:
		_ = server.Close()
		logger.Warn("Shut down: closed connections whose requests did not end in time", "err", err)
	case cutShort:
		logger.Warn("Shut down: running scrapes were cut short at the end of the grace period", "grace", shutdownGrace)
	default:
		logger.Info("Shut down: every running request finished")
	}
}

// untilSignal runs f and waits for it, unless ctx ends first (Ctrl-C,
// SIGTERM): a read that blocks must not keep the process from stopping.
func untilSignal(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errInterrupted
	}
}

func checkConfig(ctx context.Context, load func() (*config.Config, error), exporter *collector.Exporter) int {
	var cfg *config.Config
	err := untilSignal(ctx, func() error {
		var err error
		if cfg, err = load(); err != nil {
			return err
		}
		return exporter.Apply(cfg)
	})
	if errors.Is(err, errInterrupted) {
		fmt.Fprintf(os.Stderr, "%s: interrupted before the configuration was checked\n", exporterName)
		return 1
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: invalid configuration: %v\n", exporterName, err)
		return 1
	}
	fmt.Printf("%s: configuration is valid (%s)\n", exporterName, plural(len(cfg.Tenants), "tenant"))
	return 0
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// checkTelemetryPath refuses a path the mux would panic on or that would
// shadow another endpoint.
func checkTelemetryPath(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("%q must start with /", p)
	}
	// Served by the exporter whatever the telemetry path is.
	if slices.Contains([]string{"/probe", "/-/healthy", "/-/ready", "/-/reload"}, p) {
		return fmt.Errorf("%q is already served by the exporter", p)
	}
	for _, r := range p {
		// RFC 3986 path characters, less the braces the mux reads as
		// wildcards and the percent sign of escapes.
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/-._~!$&'()*+,;=:@", r))) {
			return fmt.Errorf("%q holds %q: use letters, digits and - . _ ~ / only", p, r)
		}
	}
	if path.Clean(p) != strings.TrimSuffix(p, "/") && p != "/" {
		return fmt.Errorf("%q is not a clean path (no //, . or .. segments)", p)
	}
	return nil
}

// stampVersion fills in the version from what the go command recorded in
// the binary (the module version, or a pseudo-version from the git
// commit), unless the build set it with -ldflags.
func stampVersion() {
	if version.Version != "" {
		return
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	version.Version = strings.TrimPrefix(info.Main.Version, "v")
	for _, s := range info.Settings {
		if s.Key == "vcs.time" && version.BuildDate == "" {
			version.BuildDate = s.Value
		}
	}
}

func runAccessCheck(ctx context.Context, load func() (*config.Config, error), exporter *collector.Exporter, transport policy.Transporter) int {
	if code := checkConfig(ctx, load, exporter); code != 0 {
		return code
	}
	cfg, err := load()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: invalid configuration: %v\n", exporterName, err)
		return 1
	}
	if !accesscheck.Run(ctx, cfg, accesscheck.Options{Version: version.Version, Transport: transport}, os.Stdout) {
		return 1
	}
	return 0
}

func reloadOnSIGHUP(ctx context.Context, reloader *config.Reloader, logger *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := reloader.Reload(); err == nil {
				logger.Info("Reloaded config after SIGHUP")
			}
		}
	}
}

func newMux(exporter *collector.Exporter, reloader *config.Reloader, reg *prometheus.Registry, logger *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	if *allTenants {
		mux.Handle(*metricsPath, exporter.Handler(reg))
	} else {
		mux.Handle(*metricsPath, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	}
	mux.Handle("/probe", exporter.ProbeHandler())
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "Healthy")
	})
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !reloader.Loaded() {
			http.Error(w, "Not ready: no configuration loaded", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "Use POST to reload the configuration", http.StatusMethodNotAllowed)
			return
		}
		if err := reloader.Reload(); err != nil {
			http.Error(w, fmt.Sprintf("Reload failed, the previous configuration stays: %v", err), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "Reloaded")
	})
	if *metricsPath != "/" {
		landing, err := web.NewLandingPage(web.LandingConfig{
			Name:        "Security Copilot Exporter",
			Description: "Prometheus exporter for Microsoft Security Copilot sessions, read from Microsoft Graph",
			Version:     version.Info(),
			// Left empty, exporter-toolkit sets it to "true" and links
			// /debug/pprof, which this exporter does not serve.
			Profiling: "false",
			Links: []web.LandingLinks{
				{Address: *metricsPath, Text: "Metrics"},
				{Address: "/probe?tenant=NAME", Text: "Probe one tenant"},
				{Address: "/-/healthy", Text: "Health"},
				{Address: "/-/ready", Text: "Readiness"},
			},
		})
		if err != nil {
			logger.Error("Building the landing page failed", "err", err)
		} else {
			mux.Handle("/", landing)
		}
	}
	return mux
}
