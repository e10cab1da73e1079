// Command securitycopilot_exporter exports Microsoft Security Copilot session
// metrics, read from Microsoft Graph at scrape time, to Prometheus.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

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
	demoMode    = kingpin.Flag("demo", "Serve metrics from an in-process simulated Microsoft Graph on loopback (no Azure account needed); --config.file is ignored.").Bool()
	metricsPath = kingpin.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").String()
	allTenants  = kingpin.Flag("web.telemetry-all-tenants", "Read every configured tenant's sessions when the telemetry path is scraped. Turn it off (--no-web.telemetry-all-tenants) on replicas that share the tenants through /probe, so that their telemetry path serves only the exporter's own metrics.").Default("true").Bool()
	webFlags    = kingpinflag.AddFlags(kingpin.CommandLine, ":9929")
)

func main() {
	os.Exit(run())
}

func run() int {
	logConfig := &promslog.Config{}
	promslogflag.AddFlags(kingpin.CommandLine, logConfig)
	kingpin.Version(version.Print(exporterName))
	kingpin.HelpFlag.Short('h')
	kingpin.Parse()
	logger := promslog.New(logConfig)

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
	exporter := collector.New(opts)

	if *configCheck {
		return checkConfig(load, exporter)
	}
	if *checkAccess {
		return runAccessCheck(ctx, load, exporter, opts.Transport)
	}
	reloader, err := config.NewReloader(load, exporter.Apply, reg, logger)
	if err != nil {
		logger.Error("Setting up config reload failed", "err", err)
		return 1
	}
	if err := reloader.Reload(); err != nil {
		// The reloader has logged the details; this is the one-line cause.
		fmt.Fprintf(os.Stderr, "%s: cannot start: %v\n", exporterName, err)
		return 1
	}
	go reloadOnSIGHUP(ctx, reloader, logger)

	server := &http.Server{
		Handler:           newMux(exporter, reloader, reg, logger),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdownCtx)
	}()
	logger.Info("Starting "+exporterName, "version", version.Info(), "build_context", version.BuildContext())
	if err := web.ListenAndServe(server, webFlags, logger); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("Serving HTTP failed", "err", err)
		return 1
	}
	return 0
}

func checkConfig(load func() (*config.Config, error), exporter *collector.Exporter) int {
	cfg, err := load()
	if err == nil {
		err = exporter.Apply(cfg)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: invalid configuration: %v\n", exporterName, err)
		return 1
	}
	fmt.Printf("%s: configuration is valid (%d tenants)\n", exporterName, len(cfg.Tenants))
	return 0
}

func runAccessCheck(ctx context.Context, load func() (*config.Config, error), exporter *collector.Exporter, transport policy.Transporter) int {
	if code := checkConfig(load, exporter); code != 0 {
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
