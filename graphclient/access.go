package graphclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// This file holds what --config.check-access asks of Graph: single
// requests whose answers are reported, not turned into metrics.

// Answer is what Graph answered one diagnostic request.
type Answer struct {
	Status    int
	Code      string // Graph's error code; empty on success
	Message   string
	RequestID string
	// Of a collection page:
	Items    int
	HasCount bool
	Count    int64
	NextLink bool
}

// AccessToken gets a Graph token through the same credential the requests
// use. It is for diagnostics that read the token's claims; callers must
// never print it.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	tok, err := c.door.Token(ctx, c.endpoint)
	if err != nil {
		return "", err
	}
	return tok.Token, nil
}

// TrySessions reads one page of a workspace's sessions. An answer outside
// 2xx is returned as an Answer, not an error; the error is for requests
// that got no answer or an answer that is not a page.
func (c *Client) TrySessions(ctx context.Context, workspaceID string, q Query) (Answer, error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return Answer{}, err
	}
	resp, err := c.getAlone(ctx, c.url(path, q))
	if err != nil {
		return graphAnswer(err)
	}
	defer resp.Body.Close()
	a := Answer{Status: resp.StatusCode, RequestID: resp.Header.Get("request-id")}
	meta, err := decodePageUpTo(resp.Body, skipItem, c.maxPage())
	if err != nil {
		return a, fmt.Errorf("sessions of %q%s: %w", workspaceID, requestIDNote(a.RequestID), err)
	}
	a.Items, a.HasCount, a.Count, a.NextLink = meta.Items, meta.HasCount, meta.Count, meta.NextLink != ""
	return a, nil
}

// TryBatch sends one $batch holding one GET of a sessions page. The outer
// answer says whether Graph accepted the batch; Item is the inner answer.
func (c *Client) TryBatch(ctx context.Context, workspaceID string, q Query) (outer, item Answer, err error) {
	path, err := sessionsPath(workspaceID)
	if err != nil {
		return Answer{}, Answer{}, err
	}
	calls := []*pageCall{{url: c.url(path, q), item: skipItem}}
	resp, err := c.postBatch(ctx, calls)
	if err != nil {
		outer, err = graphAnswer(err)
		return outer, Answer{}, err
	}
	defer resp.Body.Close()
	outer = Answer{Status: resp.StatusCode, RequestID: resp.Header.Get("request-id")}
	found := false
	br := &batchReader{c: c, calls: calls, answered: make([]bool, 1)}
	br.settle = func(_ int, r *batchResponse) {
		if found {
			return
		}
		found = true
		item = Answer{Status: r.Status, RequestID: r.header("request-id")}
		if r.Status < 200 || r.Status > 299 {
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if json.Unmarshal(r.Body, &body) == nil {
				item.Code, item.Message = body.Error.Code, body.Error.Message
			}
		}
	}
	err = br.decodeBatch(resp)
	if err == nil && !found {
		err = errors.New("the $batch answer holds no response")
	}
	return outer, item, err
}

// graphAnswer turns Graph's refusal into an Answer; any other error stays
// an error.
func graphAnswer(err error) (Answer, error) {
	var ge *Error
	if errors.As(err, &ge) {
		return Answer{Status: ge.Status, Code: ge.Code, Message: ge.Message, RequestID: ge.RequestID}, nil
	}
	return Answer{}, err
}

// StatusOK reports whether the answer is a success.
func (a Answer) StatusOK() bool { return a.Status >= 200 && a.Status <= 299 }
