package azurehttp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Send sends req once to an allowed resource, with a token of that
// resource, and returns its answer, whatever the status, with the body
// capped at maxBytes. Within that one send, a request that got no answer
// is tried again, unless no retry can mend the failure (an untrusted
// certificate, say); and a plain 401 (no claims challenge) drops the
// token and tries once more with a new one, since a revoked token would
// otherwise be served from the cache until it expires. Transient statuses
// are the caller's, through Schedule and Transient: a Batcher schedules
// them on its own timers, a lone caller uses Call.
func (d *Door) Send(req *http.Request, maxBytes int64) (*http.Response, error) {
	res, err := d.resource(req.URL)
	if err != nil {
		return nil, err
	}
	if d.tokens == nil {
		return nil, errors.New("the door has no credential")
	}
	ctx := req.Context()
	var lastErr error
	renewed := false
	for tries := 1; ; tries++ {
		tok, err := d.tokens.get(ctx, res.Scope)
		if err != nil {
			return nil, err
		}
		resp, err := d.try(req, res, tok.Token, tries > 1)
		if err != nil {
			if lastErr != nil && ctx.Err() != nil {
				// The deadline hides why the tries before it failed.
				return nil, fmt.Errorf("%w (after %d tries; the one before: %w)", err, tries, lastErr)
			}
			lastErr = err
			if permanent(err) || ctx.Err() != nil || tries >= maxTransportTries {
				return nil, err
			}
			wait, werr := d.schedule.Wait(ctx, tries, 0)
			if werr != nil {
				return nil, fmt.Errorf("%w (%w)", err, werr)
			}
			if err := Sleep(ctx, wait); err != nil {
				return nil, fmt.Errorf("%w (then: %w)", lastErr, err)
			}
			continue
		}
		if resp.StatusCode == http.StatusUnauthorized && !renewed && !claimsChallenge(resp) {
			drain(resp)
			d.tokens.drop(res.Scope, tok.Token)
			renewed = true
			continue
		}
		resp.Body = capBody(resp.Body, Printable(req.URL.Host, 100), requestID(resp.Header), maxBytes)
		return resp, nil
	}
}

// try sends one HTTP request.
func (d *Door) try(req *http.Request, res Resource, token string, retry bool) (*http.Response, error) {
	r := req.Clone(req.Context())
	if req.GetBody != nil && req.Body != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("rewind request body: %w", err)
		}
		r.Body = body
	}
	r.Header.Set("Authorization", "Bearer "+token)
	if d.userAgent != "" {
		r.Header.Set("User-Agent", d.userAgent)
	}
	start := time.Now()
	resp, err := d.client.Do(r)
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	if res.Observer != nil {
		res.Observer.ObserveTry(req, status, time.Since(start), retry)
	}
	if err != nil {
		return nil, unwrapURLError(err)
	}
	return resp, nil
}

// unwrapURLError drops net/http's *url.Error, which quotes the whole URL
// with its query: the caller names the request itself.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// claimsChallenge reports whether a 401 asks for a token with more
// claims, which a new token of the same kind would not satisfy.
func claimsChallenge(resp *http.Response) bool {
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		if strings.Contains(v, "claims=") {
			return true
		}
	}
	return false
}

// drain reads a little of an answer not needed, so that the connection
// can be reused, and closes it.
func drain(resp *http.Response) {
	buf := make([]byte, 4096)
	_, _ = resp.Body.Read(buf)
	resp.Body.Close()
}

// Call sends req for a lone caller, who holds up nobody while it sleeps:
// an answer with a Transient status is sent again after its Retry-After or
// a backoff, as long as the deadline allows. A 2xx answer is returned
// with its body unread; any other becomes fail(resp)'s error, with the
// reason when the schedule gave up.
func (d *Door) Call(req *http.Request, maxBytes int64, fail func(*http.Response) error) (*http.Response, error) {
	ctx := req.Context()
	for tries := 1; ; tries++ {
		resp, err := d.Send(req, maxBytes)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			return resp, nil
		}
		answer := fail(resp)
		resp.Body.Close()
		if !Transient(resp.StatusCode) {
			return nil, answer
		}
		wait, giveUp := d.schedule.Wait(ctx, tries, RetryAfter(resp.Header.Get("Retry-After"), time.Now()))
		if giveUp != nil {
			return nil, fmt.Errorf("%w (%w)", answer, giveUp)
		}
		if err := Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w (then: %w)", answer, err)
		}
	}
}
