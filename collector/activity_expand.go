package collector

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector/plan"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// expandMemory remembers, for a tenant, until when Graph is taken to refuse
// $expand on session listings. $expand is not documented for this API, so
// it is asked opportunistically: refused, it is left alone for
// plan.RecheckAfter, as the plan does with $filter, and the prompts are
// listed as without it. The zero value asks.
type expandMemory struct {
	refusedUntil atomic.Int64 // Unix nanoseconds; 0 when never refused
}

// ask says whether to ask Graph to expand prompts at now; a nil memory
// never asks.
func (m *expandMemory) ask(now time.Time) bool {
	return m != nil && now.UnixNano() >= m.refusedUntil.Load()
}

func (m *expandMemory) refuse(now time.Time) {
	if m != nil {
		m.refusedUntil.Store(now.Add(plan.RecheckAfter).UnixNano())
	}
}

// refused says Graph answered a listing with "this query is not
// accepted", as the plan reads it: the listing is asked again without the
// option.
func refused(err error) bool { return errors.Is(refusal(err), plan.ErrRefused) }

// sessionListings lists the sessions created, and those modified, since
// cutoff, the latter with their prompts expanded when the tenant's Graph
// is not known to refuse it. Only the listing by lastModifiedDateTime
// expands: it holds every active session but one whose
// lastModifiedDateTime is before its createdDateTime, which nothing
// documented excludes; such a session's prompts are listed. So a Graph
// that refuses $expand costs one request more, once per
// plan.RecheckAfter. When Graph refuses $filter, every session is listed,
// expanded if Graph allows, and the recent ones are kept by the caller.
func (a *activityRead) sessionListings(ctx context.Context, cutoff time.Time) ([][]graphclient.SessionPrompts, error) {
	byCreated := graphclient.SessionListing{Filter: graphclient.Filter{{Property: graphclient.PropCreated, Op: graphclient.OpGE, Time: cutoff}}}
	byModified := graphclient.SessionListing{
		Filter: graphclient.Filter{{Property: graphclient.PropLastModified, Op: graphclient.OpGE, Time: cutoff}},
		Expand: a.expand.ask(a.now),
	}
	got, err := a.src.ListSessionPrompts(ctx, a.workspace, []graphclient.SessionListing{byCreated, byModified}, a.pageSize)
	if byModified.Expand && graphclient.IsPageTooLarge(err) {
		// The prompts made a page larger than graph.max_page_bytes: the
		// sessions are read without them, and so for a day.
		a.expand.refuse(a.now)
		byModified.Expand = false
		got, err = a.src.ListSessionPrompts(ctx, a.workspace, []graphclient.SessionListing{byCreated, byModified}, a.pageSize)
	}
	if !refused(err) {
		return got.Sessions, err
	}
	if byModified.Expand && got.Answered[0] {
		// Graph answered the listing by creation time and refused the
		// expanded one: $expand (or $filter on lastModifiedDateTime
		// alone, which the listing below settles).
		a.expand.refuse(a.now)
		byModified.Expand = false
		retry := []graphclient.SessionListing{byModified}
		if !got.Whole[0] {
			retry = append(retry, byCreated)
		}
		again, err := a.src.ListSessionPrompts(ctx, a.workspace, retry, a.pageSize)
		if !refused(err) {
			if err != nil || !got.Whole[0] {
				return again.Sessions, err
			}
			return [][]graphclient.SessionPrompts{got.Sessions[0], again.Sessions[0]}, nil
		}
	}
	all := graphclient.SessionListing{Expand: a.expand.ask(a.now)}
	got, err = a.src.ListSessionPrompts(ctx, a.workspace, []graphclient.SessionListing{all}, a.pageSize)
	if all.Expand && (refused(err) || graphclient.IsPageTooLarge(err)) {
		a.expand.refuse(a.now)
		got, err = a.src.ListSessionPrompts(ctx, a.workspace, []graphclient.SessionListing{{}}, a.pageSize)
	}
	return got.Sessions, err
}
