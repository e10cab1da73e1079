package graphclient

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// Options are the knobs of a Client beyond the config.
type Options struct {
	Metrics *Metrics // required
	Version string   // sent in the User-Agent
	// Transport replaces the default HTTP client, for both Graph and Entra ID.
	Transport policy.Transporter
	// RetryDelay is the base of the exponential backoff when Graph sends no
	// Retry-After; 0 means azcore's default of 800 ms.
	RetryDelay time.Duration
	// MaxConcurrency bounds the HTTP requests in flight to Graph, a $batch
	// counting once; 0 means 4.
	MaxConcurrency int
	// Logger receives the rare events worth a line, such as Graph refusing
	// $batch; nil discards them.
	Logger *slog.Logger
}

// Client talks to Microsoft Graph on behalf of one tenant.
type Client struct {
	tenant     string
	endpoint   *url.URL
	cred       *countingCredential
	scope      string // the Graph scope tokens are asked for
	pipeline   runtime.Pipeline
	metrics    *Metrics
	logger     *slog.Logger
	retryDelay time.Duration
	slots      chan struct{} // bounds HTTP requests in flight
	// sleep waits before a retry; tests replace it to order rounds
	// without timing.
	sleep func(context.Context, time.Duration) error
	// batchRefusedUntil is set when Graph refused $batch.
	batchRefusedUntil atomic.Pointer[time.Time]
	// tops is the largest $top each collection accepts, once learned.
	tops topLimits
}

// New builds the tenant's credential and request pipeline. It reads the
// tenant's secret or certificate, so it fails on a broken setup, but it
// makes no network call.
func New(g config.Graph, t config.Tenant, opts Options) (*Client, error) {
	endpoint, err := url.Parse(strings.TrimSuffix(g.Endpoint, "/"))
	if err != nil || endpoint.Scheme != "https" || endpoint.Host == "" {
		return nil, fmt.Errorf("graph endpoint %q is not an absolute https URL", g.Endpoint)
	}
	counted, err := newCountedCredential(t, g.AuthorityHost, opts.Transport, opts.Metrics, opts.Logger)
	if err != nil {
		return nil, err
	}
	scope := endpoint.Scheme + "://" + endpoint.Host + "/.default"
	pl := newPipeline(counted, pipelineSettings{
		version:    opts.Version,
		scope:      scope,
		transport:  opts.Transport,
		retryDelay: opts.RetryDelay,
		metrics:    opts.Metrics,
	})
	if opts.MaxConcurrency <= 0 {
		opts.MaxConcurrency = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Client{
		tenant: t.Name, endpoint: endpoint, cred: counted, scope: scope, pipeline: pl, metrics: opts.Metrics, logger: opts.Logger,
		retryDelay: opts.RetryDelay, slots: make(chan struct{}, opts.MaxConcurrency), sleep: sleepCtx,
	}, nil
}

// hostOf is the host of a configured URL, or the URL itself if it has none.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// get sends one GET and returns the answer with its body unread, so that it
// can be decoded as a stream. Answers outside 2xx become *Error.
func (c *Client) get(ctx context.Context, rawURL string) (*http.Response, error) {
	req, err := runtime.NewRequest(ctx, http.MethodGet, rawURL)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Raw().Header.Set("Accept", "application/json")
	runtime.SkipBodyDownload(req)
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	if err := checkJSON(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// do sends a request through the pipeline and returns a 2xx answer with its
// body unread; any other answer becomes *Error.
func (c *Client) do(req *policy.Request) (*http.Response, error) {
	resp, err := c.pipeline.Do(req)
	if err != nil {
		return nil, fmt.Errorf("graph %s %s: %w", req.Raw().Method, req.Raw().URL.EscapedPath(), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		e := newError(resp)
		e.retryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		return nil, e
	}
	return resp, nil
}

func checkJSON(resp *http.Response) error {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return fmt.Errorf("graph GET %s: answer is %q, not JSON%s",
			resp.Request.URL.EscapedPath(), truncate(resp.Header.Get("Content-Type"), 64), requestIDNote(resp.Header.Get("request-id")))
	}
	return nil
}

// url joins the endpoint with an already escaped path and a query.
func (c *Client) url(escapedPath string, q Query) string {
	u := *c.endpoint
	u.RawPath = c.endpoint.EscapedPath() + escapedPath
	u.Path, _ = url.PathUnescape(u.RawPath)
	u.RawQuery = q.Encode()
	return u.String()
}
