package graphclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/paging"
)

// The audit log query API: create a query, poll it until it ends, page its
// records. It lives under a Graph version of its own (the API moved from
// v1.0 back to beta in 2025, and v1.0 answered 404 on live tenants after
// its metadata listed it again), so an AuditLog is the tenant's client
// with the Graph host and a version of the caller's choosing.

// AuditLog reads the tenant's audit log through the client's credential
// and pipeline.
type AuditLog struct {
	c    *Client
	base *url.URL // scheme://host/<version>
}

// ErrAuditVersion marks a 404 on creating a query: the configured Graph
// version does not serve the audit log query API.
var ErrAuditVersion = errors.New("this Graph version does not serve the audit log query API (v1.0 answered 404 on live tenants; use beta)")

// AuditLog returns the audit log API of the client's Graph host under
// version ("beta" or "v1.0").
func (c *Client) AuditLog(version string) (AuditLog, error) {
	if version == "" || strings.ContainsAny(version, "/\\?#%") || version == "." || version == ".." {
		return AuditLog{}, fmt.Errorf("invalid Graph version %q", version)
	}
	base := &url.URL{Scheme: c.endpoint.Scheme, Host: c.endpoint.Host, Path: "/" + version}
	return AuditLog{c: c, base: base}, nil
}

// AuditQuerySpec is what a query asks for. The operation filter is the
// safe one: recordTypeFilters spellings differ between the metadata and
// the docs, and one was refused with 400.
type AuditQuerySpec struct {
	DisplayName string
	Start, End  time.Time // UTC; the end behaved as exclusive
	Operations  []string
}

// AuditQuery is what Graph says of a query.
type AuditQuery struct {
	ID     string
	Status string // notStarted, running, succeeded, failed, cancelled, unknownFutureValue
	// RecordCountLimitExceeded and ApproximateRecords are newer properties
	// (absent from the August 2026 metadata): when set, a succeeded query
	// was truncated, or holds about this many records.
	RecordCountLimitExceeded bool
	ApproximateRecords       int64
	HasApproximate           bool
}

// Finished reports whether the query will not change status any more.
func (q AuditQuery) Finished() bool {
	switch q.Status {
	case "succeeded", "failed", "cancelled":
		return true
	}
	return false
}

type auditQueryJSON struct {
	ID                             string `json:"id"`
	Status                         string `json:"status"`
	IsRecordCountLimitExceeded     *bool  `json:"isRecordCountLimitExceeded"`
	ApproximateReturnedRecordCount *int64 `json:"approximateReturnedRecordCount"`
}

func (j auditQueryJSON) query() (AuditQuery, error) {
	if j.ID == "" {
		return AuditQuery{}, errors.New("audit log query without an id")
	}
	q := AuditQuery{ID: j.ID, Status: j.Status}
	if j.IsRecordCountLimitExceeded != nil {
		q.RecordCountLimitExceeded = *j.IsRecordCountLimitExceeded
	}
	if j.ApproximateReturnedRecordCount != nil {
		q.ApproximateRecords, q.HasApproximate = *j.ApproximateReturnedRecordCount, true
	}
	return q, nil
}

const (
	auditQueriesPath = "/security/auditLog/queries"
	// maxAuditQueryBody bounds the answer to a create or a poll: a query
	// echoes its filters and little else.
	maxAuditQueryBody = 1 << 20
)

// CreateQuery submits a query. A 429 or 503, which Graph answers before
// it creates anything, is submitted again after the wait the door's
// schedule gives (Graph's Retry-After, or a backoff), never past ctx's
// deadline. Other answers are not sent again: a 500 or 504 may have
// created the query, and a second one would cost the tenant's budget. A
// 404 wraps ErrAuditVersion.
func (a AuditLog) CreateQuery(ctx context.Context, spec AuditQuerySpec) (AuditQuery, error) {
	body, err := json.Marshal(map[string]any{
		"@odata.type":         "#microsoft.graph.security.auditLogQuery",
		"displayName":         spec.DisplayName,
		"filterStartDateTime": spec.Start.UTC().Format(time.RFC3339),
		"filterEndDateTime":   spec.End.UTC().Format(time.RFC3339),
		"operationFilters":    spec.Operations,
	})
	if err != nil {
		return AuditQuery{}, fmt.Errorf("encode audit log query: %w", err)
	}
	for tries := 1; ; tries++ {
		q, err := a.post(ctx, body)
		var ge *Error
		switch {
		case err == nil:
			return q, nil
		case errors.As(err, &ge) && ge.Status == http.StatusNotFound:
			return AuditQuery{}, fmt.Errorf("%w: %w", ErrAuditVersion, err)
		case !errors.As(err, &ge) || !IsStatus(err, http.StatusTooManyRequests, http.StatusServiceUnavailable):
			return AuditQuery{}, err
		}
		wait, giveUp := a.c.door.Wait(ctx, tries, ge.retryAfter)
		if giveUp != nil {
			return AuditQuery{}, fmt.Errorf("%w (%w)", err, giveUp)
		}
		if err := a.c.sleep(ctx, wait); err != nil {
			return AuditQuery{}, err
		}
		a.c.metrics.retries.Inc()
	}
}

func (a AuditLog) post(ctx context.Context, body []byte) (AuditQuery, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base.String()+auditQueriesPath, bytes.NewReader(body))
	if err != nil {
		return AuditQuery{}, fmt.Errorf("build audit log query request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.c.do(req, maxAuditQueryBody)
	if err != nil {
		return AuditQuery{}, err
	}
	return decodeAuditQuery(resp)
}

// GetQuery polls a query.
func (a AuditLog) GetQuery(ctx context.Context, id string) (AuditQuery, error) {
	resp, err := a.c.getAlone(ctx, a.queryURL(id))
	if err != nil {
		return AuditQuery{}, err
	}
	return decodeAuditQuery(resp)
}

func decodeAuditQuery(resp *http.Response) (AuditQuery, error) {
	defer resp.Body.Close()
	if err := checkJSON(resp); err != nil {
		return AuditQuery{}, err
	}
	var j auditQueryJSON
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAuditQueryBody)).Decode(&j); err != nil {
		return AuditQuery{}, fmt.Errorf("decode audit log query%s: %w", requestIDNote(resp.Header.Get("request-id")), err)
	}
	return j.query()
}

func (a AuditLog) queryURL(id string) string {
	return a.base.String() + auditQueriesPath + "/" + url.PathEscape(id)
}

// ListRecords pages a finished query's records through the pager's rules
// (paging.Each: at most paging.MaxPages pages, next links within the
// version's base, none twice), handing each record's raw JSON to visit,
// and returns how many it handed. A page that fails or does not decode
// fails the listing: its records cannot be counted.
func (a AuditLog) ListRecords(ctx context.Context, id string, visit func(json.RawMessage) error) (int, error) {
	if id == "" || id == "." || id == ".." {
		return 0, fmt.Errorf("invalid audit log query id %q", id)
	}
	n := 0
	item := func(dec *json.Decoder) error {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("decode audit record: %w", err)
		}
		n++
		return visit(raw)
	}
	check := NextLinkWithin(a.base, "@odata.nextLink")
	first := a.queryURL(id) + "/records"
	err := paging.Each(ctx, []string{first}, check, func(ctx context.Context, reqs []paging.Request) []paging.Answer {
		out := make([]paging.Answer, len(reqs))
		for i, r := range reqs {
			meta, err := a.page(ctx, r.URL, item)
			out[i] = paging.Answer{Next: meta.NextLink, Err: err}
		}
		return out
	})
	return n, err
}

// page reads one records page, retrying a transient answer as a lone
// caller does.
func (a AuditLog) page(ctx context.Context, rawURL string, item func(*json.Decoder) error) (pageMeta, error) {
	resp, err := a.c.getAlone(ctx, rawURL)
	if err != nil {
		return pageMeta{}, err
	}
	defer resp.Body.Close()
	meta, err := decodePageUpTo(resp.Body, jsonItem(item), a.c.maxPage())
	if err != nil {
		return meta, fmt.Errorf("graph GET %s%s: %w", resp.Request.URL.EscapedPath(), requestIDNote(resp.Header.Get("request-id")), err)
	}
	return meta, nil
}
