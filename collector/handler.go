package collector

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// minScrapeTimeout keeps a tiny or odd header from leaving no time at all.
const minScrapeTimeout = 500 * time.Millisecond

// Handler serves the session metrics together with the metrics gathered by
// base (the exporter's own). Each request collects afresh, bound to the
// request's context and the scrape deadline Prometheus announces.
func (e *Exporter) Handler(base prometheus.Gatherer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := e.state.Load()
		if st == nil {
			http.Error(w, "no configuration loaded yet", http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), scrapeTimeout(r, time.Duration(st.cfg.Collection.Timeout), time.Duration(st.cfg.Collection.TimeoutOffset)))
		defer cancel()
		reg := prometheus.NewRegistry()
		reg.MustRegister(&scrape{e: e, st: st, ctx: ctx})
		// The scrape registry goes first: gathering it runs the Graph
		// requests, and the exporter's own counters must include them.
		promhttp.HandlerFor(prometheus.Gatherers{reg, base}, promhttp.HandlerOpts{
			ErrorLog:      slogErrorLog{e.opts.Logger},
			ErrorHandling: promhttp.ContinueOnError,
		}).ServeHTTP(w, r.WithContext(ctx))
	})
}

// scrapeTimeout is Prometheus' announced timeout minus the offset, so the
// answer arrives before Prometheus gives up; without the header, fallback.
func scrapeTimeout(r *http.Request, fallback, offset time.Duration) time.Duration {
	v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
	secs, err := strconv.ParseFloat(v, 64)
	if v == "" || err != nil || secs <= 0 || secs > 3600 {
		return fallback
	}
	return max(time.Duration(secs*float64(time.Second))-offset, minScrapeTimeout)
}

// slogErrorLog adapts slog to promhttp's error logger.
type slogErrorLog struct {
	logger interface{ Error(string, ...any) }
}

func (l slogErrorLog) Println(v ...any) {
	l.logger.Error("Serving metrics failed", "err", fmt.Sprint(v...))
}
