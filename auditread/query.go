package auditread

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/auditusage"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// maxPagings bounds how often one finished query is paged: the same query
// paged twice gave different counts on a live tenant.
const maxPagings = 3

// query runs one query over iv: create, poll until it ends or the bound
// passes, then page its records until two pagings agree (or one agrees
// with the count Graph gave).
func (r *Reader) query(ctx context.Context, iv auditusage.Interval) ([]auditusage.Record, auditusage.Outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, r.set.QueryTimeout)
	defer cancel()
	q, err := r.api.CreateQuery(ctx, graphclient.AuditQuerySpec{
		DisplayName: "securitycopilot_exporter usage " + iv.Start.Format(time.RFC3339),
		Start:       iv.Start, End: iv.End, Operations: r.classify.Operations(),
	})
	if err != nil {
		r.fail("create")
		return nil, auditusage.Failed, err
	}
	if q, err = r.wait(ctx, q); err != nil {
		return nil, auditusage.Failed, err
	}
	if q.RecordCountLimitExceeded {
		r.fail("truncated")
		return nil, auditusage.Truncated, nil
	}
	recs, err := r.records(ctx, q)
	if err != nil {
		r.fail("records")
		return nil, auditusage.Failed, err
	}
	return recs, auditusage.Succeeded, nil
}

// wait polls until the query ends; failed, cancelled and a query that
// outlives the bound all fail the interval.
func (r *Reader) wait(ctx context.Context, q graphclient.AuditQuery) (graphclient.AuditQuery, error) {
	deadline := r.now().Add(r.set.QueryTimeout)
	for polls := 0; !q.Finished(); polls++ {
		if !r.now().Before(deadline) {
			r.fail("timeout")
			return q, fmt.Errorf("audit query %s still %s after %s", q.ID, q.Status, r.set.QueryTimeout)
		}
		if err := r.sleep(ctx, pollWait(polls, r.set.PollEvery)); err != nil {
			r.fail("timeout")
			return q, fmt.Errorf("audit query %s still %s: %w", q.ID, q.Status, err)
		}
		var err error
		if q, err = r.api.GetQuery(ctx, q.ID); err != nil {
			r.fail("poll")
			return q, err
		}
	}
	if q.Status != "succeeded" {
		r.fail(q.Status)
		return q, fmt.Errorf("audit query %s ended %s", q.ID, q.Status)
	}
	return q, nil
}

// errDisagree says pagings of one query kept giving different records.
var errDisagree = errors.New("pagings of the query gave different records")

// records pages the query, and again while the pagings may have missed
// records: until the records read match the count Graph gave or, without
// one, until a paging holds every record any paging read. The records read are the union of the pagings (the audit
// log deletes nothing, so a record missing from one paging was missed).
func (r *Reader) records(ctx context.Context, q graphclient.AuditQuery) ([]auditusage.Record, error) {
	union := map[string]auditusage.Record{}
	all := map[string]bool{}
	for paging := range maxPagings {
		ids := map[string]bool{}
		_, err := r.api.ListRecords(ctx, q.ID, func(raw json.RawMessage) error {
			rec, err := r.classify.Classify(raw)
			if err != nil {
				return err
			}
			ids[rec.ID], all[rec.ID] = true, true
			if rec.Kind != auditusage.Other {
				union[rec.ID] = rec
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		agreed := (q.HasApproximate && int64(len(all)) == q.ApproximateRecords) || (paging > 0 && sameKeys(all, ids))
		if agreed {
			out := make([]auditusage.Record, 0, len(union))
			for _, rec := range union {
				out = append(out, rec)
			}
			return out, nil
		}
	}
	return nil, errDisagree
}

func sameKeys(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// firstPoll is the wait before the first poll: a query of an hour with
// few records may end in seconds. The waits double up to PollEvery.
const firstPoll = 2 * time.Second

func pollWait(polls int, every time.Duration) time.Duration {
	if polls >= 8 {
		return every
	}
	return min(firstPoll<<polls, every)
}
