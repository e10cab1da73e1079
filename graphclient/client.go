package graphclient

import (
	"cmp"
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

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/signin"
)

// Options are the knobs of a Client beyond the config.
type Options struct {
	Metrics *Metrics // required
	Version string   // sent in the User-Agent
	// Transport is the socket layer under the door, for both Graph and
	// Entra ID; nil means azurehttp.NewTransport(). An *http.Client gives
	// its Transport only: the door never follows a redirect.
	Transport policy.Transporter
	// RetryDelay is the base of the exponential backoff when Graph sends no
	// Retry-After; 0 means 800 ms.
	RetryDelay time.Duration
	// MaxAnswerBytes caps one page; a $batch answer may be twice as long.
	// 0 means the config's graph.max_page_bytes, or else
	// azurehttp.DefaultMaxAnswerBytes.
	MaxAnswerBytes int64
	// MaxConcurrency bounds the HTTP requests in flight to Graph, a $batch
	// counting once; 0 means 4.
	MaxConcurrency int
	// Logger receives the rare events worth a line, such as Graph refusing
	// $batch; nil discards them.
	Logger *slog.Logger
}

// Client talks to Microsoft Graph on behalf of one tenant.
type Client struct {
	tenant   string
	endpoint *url.URL
	door     *azurehttp.Door
	// signedIn is the delegated sign-in's credential, for a tenant with
	// auth: device_code.
	signedIn atomic.Pointer[signin.Credential]
	metrics  *Metrics
	logger   *slog.Logger
	// pageCap and batchCap cap the answers; the door enforces them.
	pageCap, batchCap int64
	slots             chan struct{} // bounds HTTP requests in flight
	// sleep waits before a retry; tests replace it to order rounds
	// without timing.
	sleep func(context.Context, time.Duration) error
	// batchRefusedUntil is set when Graph refused $batch.
	batchRefusedUntil atomic.Pointer[time.Time]
	// tops is the largest $top each collection accepts, once learned.
	tops topLimits
}

// New builds the tenant's door to Azure, with its credential, and a Graph
// client that sends through it. It reads the tenant's secret or
// certificate, so it fails on a broken setup, but it makes no network
// call.
func New(g config.Graph, t config.Tenant, opts Options) (*Client, error) {
	endpoint, err := url.Parse(strings.TrimSuffix(g.Endpoint, "/"))
	if err != nil || endpoint.Scheme != "https" || endpoint.Host == "" {
		return nil, fmt.Errorf("graph endpoint %q is not an absolute https URL", g.Endpoint)
	}
	c := &Client{}
	door, err := newDoor(g, t, opts, &c.signedIn)
	if err != nil {
		return nil, err
	}
	err = door.Allow(azurehttp.Resource{Endpoint: endpoint, Scope: endpoint.Scheme + "://" + endpoint.Host + "/.default", Observer: instrument{opts.Metrics}})
	if err != nil {
		return nil, err
	}
	if opts.MaxAnswerBytes <= 0 {
		opts.MaxAnswerBytes = cmp.Or(g.MaxPageBytes, azurehttp.DefaultMaxAnswerBytes)
	}
	if opts.MaxConcurrency <= 0 {
		opts.MaxConcurrency = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c.tenant, c.endpoint, c.door, c.metrics, c.logger = t.Name, endpoint, door, opts.Metrics, opts.Logger
	c.pageCap, c.batchCap = opts.MaxAnswerBytes, 2*opts.MaxAnswerBytes
	c.slots, c.sleep = make(chan struct{}, opts.MaxConcurrency), azurehttp.Sleep
	return c, nil
}

// Door is the tenant's door to Azure, for the clients of other Azure APIs
// that sign in as the same application (Resource Manager): one door per
// tenant, one token cache, one set of rules.
func (c *Client) Door() *azurehttp.Door { return c.door }

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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.do(req, c.pageCap)
	if err != nil {
		return nil, err
	}
	if err := checkJSON(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// do sends a request through the door once and returns a 2xx answer with
// its body unread, capped at maxBytes; any other answer becomes *Error.
func (c *Client) do(req *http.Request, maxBytes int64) (*http.Response, error) {
	resp, err := c.door.Send(req, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("graph %s %s: %w", req.Method, req.URL.EscapedPath(), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, newError(resp)
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
