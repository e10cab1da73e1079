package graphclient

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// retryStatuses are the answers Graph documents as transient; the fetcher
// sends them again.
var retryStatuses = []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

type pipelineSettings struct {
	version    string
	scope      string
	transport  policy.Transporter
	retryDelay time.Duration
	metrics    *Metrics
}

func newPipeline(cred azcore.TokenCredential, s pipelineSettings) runtime.Pipeline {
	bearer := runtime.NewBearerTokenPolicy(cred, []string{s.scope}, nil)
	return runtime.NewPipeline("securitycopilot_exporter", s.version,
		runtime.PipelineOptions{PerRetry: []policy.Policy{bearer}},
		&policy.ClientOptions{
			Transport:        s.transport,
			Retry:            policy.RetryOptions{RetryDelay: s.retryDelay, ShouldRetry: retryTransportErrors},
			PerCallPolicies:  []policy.Policy{tryCounterPolicy{}},
			PerRetryPolicies: []policy.Policy{&instrumentPolicy{metrics: s.metrics}},
		})
}

// retryTransportErrors retries transport errors only. Transient answers (429, 503,
// 504) come back at once: the fetcher schedules them again after their own
// Retry-After, so that a throttled request never sleeps inside a round that
// other requests wait for.
func retryTransportErrors(_ *http.Response, err error) bool {
	return err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// retryAfter reads Retry-After as seconds or as an HTTP date; 0 when absent
// or unreadable, in which case the fetcher backs off on its own.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

type tryCounterKey struct{}

// tryCounterPolicy gives each logical request a counter that the per-try
// instrumentation increments, so retries are told apart from first tries.
type tryCounterPolicy struct{}

func (tryCounterPolicy) Do(req *policy.Request) (*http.Response, error) {
	ctx := context.WithValue(req.Raw().Context(), tryCounterKey{}, new(atomic.Int32))
	return req.Clone(ctx).Next()
}

type instrumentPolicy struct{ metrics *Metrics }

func (p *instrumentPolicy) Do(req *policy.Request) (*http.Response, error) {
	if n, ok := req.Raw().Context().Value(tryCounterKey{}).(*atomic.Int32); ok && n.Add(1) > 1 {
		p.metrics.retries.Inc()
	}
	start := time.Now()
	resp, err := req.Next()
	p.metrics.duration.Observe(time.Since(start).Seconds())
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	p.metrics.httpRequests.WithLabelValues(code).Inc()
	if !isBatch(req.Raw().Context()) || err != nil {
		// A $batch that got no answer failed all its requests; one that did
		// has its items counted as they are read.
		p.metrics.requests.WithLabelValues(code).Inc()
	}
	return resp, err
}
