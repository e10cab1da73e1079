package armclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/paging"
)

// maxBody bounds one answer; a page of capacities is a few kilobytes.
const maxBody = 4 << 20

// Client reads capacities for one tenant.
type Client struct {
	endpoint   *url.URL
	apiVersion string
	door       *azurehttp.Door
}

// New builds a client for the Resource Manager endpoint of c that sends
// through the tenant's door. The door hands out tokens of the endpoint's
// scope (its host + "/.default") for that host only. It makes no network
// call.
func New(c config.Capacity, door *azurehttp.Door) (*Client, error) {
	endpoint, err := url.Parse(c.EndpointOrDefault())
	if err != nil || endpoint.Scheme != "https" || endpoint.Host == "" || strings.Trim(endpoint.Path, "/") != "" {
		return nil, fmt.Errorf("resource manager endpoint %q is not a bare https URL", c.EndpointOrDefault())
	}
	endpoint.Path, endpoint.RawPath = "", ""
	if err := door.Allow(azurehttp.Resource{Endpoint: endpoint, Scope: endpoint.Scheme + "://" + endpoint.Host + "/.default"}); err != nil {
		return nil, err
	}
	return &Client{endpoint: endpoint, apiVersion: c.APIVersionOrDefault(), door: door}, nil
}

// ListSubscription returns every capacity of the subscription, following
// nextLink by the rules of package paging, as every listing does. A
// subscription where Resource Manager knows no such resource (404 other
// than SubscriptionNotFound) has none; that is not an error.
func (c *Client) ListSubscription(ctx context.Context, subscription string) ([]Capacity, error) {
	first := c.url("/subscriptions/" + url.PathEscape(subscription) + "/providers/" + config.CapacityProvider)
	var out []Capacity
	ids := map[string]bool{}
	pages, none := 0, false
	err := paging.Each(ctx, []string{first}, c.nextLink, func(ctx context.Context, reqs []paging.Request) []paging.Answer {
		answers := make([]paging.Answer, len(reqs))
		for k, req := range reqs {
			pages++
			var page listPage
			err := c.get(ctx, req.URL, &page)
			if none = pages == 1 && isNoProvider(err); none {
				continue
			}
			if err == nil {
				err = c.take(subscription, page, pages, ids, &out)
			}
			answers[k] = paging.Answer{Next: page.NextLink, Err: err}
		}
		return answers
	})
	if none {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing capacities of subscription %s: %w", subscription, err)
	}
	return out, nil
}

// take adds the capacities of one page to out, each once, all of the
// subscription.
func (c *Client) take(subscription string, page listPage, n int, ids map[string]bool, out *[]Capacity) error {
	for i, raw := range *page.Value {
		capacity, err := decodeCapacity(raw)
		if err != nil {
			return fmt.Errorf("item %d of page %d: %w", i, n, err)
		}
		if capacity.ID.Subscription != subscription {
			return fmt.Errorf("answer holds %s of another subscription", capacity.ID)
		}
		if ids[capacity.ID.Key()] {
			return fmt.Errorf("%s is listed twice", capacity.ID)
		}
		ids[capacity.ID.Key()] = true
		*out = append(*out, capacity)
	}
	return nil
}

// Get reads one capacity by its resource id.
func (c *Client) Get(ctx context.Context, id config.CapacityID) (Capacity, error) {
	var raw rawCapacity
	if err := c.get(ctx, c.url(id.String()), &raw); err != nil {
		return Capacity{}, err
	}
	capacity, err := decodeCapacity(raw)
	if err != nil {
		return Capacity{}, fmt.Errorf("reading %s: %w", id, err)
	}
	if capacity.ID.Key() != id.Key() {
		return Capacity{}, fmt.Errorf("reading %s: answer is for %s", id, capacity.ID)
	}
	return capacity, nil
}

func (c *Client) url(path string) string {
	u := *c.endpoint
	u.Path = path
	u.RawQuery = url.Values{"api-version": {c.apiVersion}}.Encode()
	return u.String()
}

// nextLink is the paging.Check of Resource Manager listings: the rule of
// Graph's listings against the Resource Manager endpoint. A link without
// api-version gets the configured one, which Resource Manager would
// otherwise refuse to serve.
func (c *Client) nextLink(link string) (string, error) {
	link, err := graphclient.NextLinkWithin(c.endpoint, "nextLink")(link)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("nextLink is not a URL: %w", err)
	}
	if !u.Query().Has("api-version") {
		q := u.Query()
		q.Set("api-version", c.apiVersion)
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// get sends one GET and decodes a JSON answer of at most maxBody bytes into
// v; answers outside 2xx become *Error.
func (c *Client) get(ctx context.Context, rawURL string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	// A lone caller: the door retries transient answers in place.
	resp, err := c.door.Call(req, maxBody, func(resp *http.Response) error { return newError(resp) })
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return err
		}
		return fmt.Errorf("resource manager GET %s: %w", req.URL.EscapedPath(), err)
	}
	defer resp.Body.Close()
	path := resp.Request.URL.EscapedPath()
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fmt.Errorf("resource manager GET %s: answer is not JSON (%.64q)", path, resp.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(resp.Body) // capped by the door at maxBody
	if err != nil {
		return fmt.Errorf("resource manager GET %s: read answer: %w", path, err)
	}
	if err := decodeJSON(body, v); err != nil {
		return fmt.Errorf("resource manager GET %s: %w", path, err)
	}
	return nil
}
