package collector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector/plan"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// source is the plan.Source of one read of one workspace: plan Requests
// become GETs of the workspace's sessions, all those of one Fetch in one
// round of the tenant's Batcher.
type source struct {
	pages *graphclient.SessionPages
}

var _ plan.Source = source{}

var planProps = map[plan.Prop]string{plan.Created: graphclient.PropCreated, plan.LastModified: graphclient.PropLastModified}
var planOps = map[plan.Op]string{plan.GE: graphclient.OpGE, plan.GT: graphclient.OpGT, plan.LE: graphclient.OpLE, plan.LT: graphclient.OpLT}

func (s source) Fetch(ctx context.Context, reqs []plan.Request) []plan.Answer {
	out := make([]plan.Answer, len(reqs))
	greqs := make([]graphclient.SessionRequest, len(reqs))
	for i, r := range reqs {
		// Sessions go straight into the plan's page as they are read:
		// held once, not once by the client and once more here.
		page := &out[i].Page
		each := func(id []byte, t graphclient.SessionTimes, sizeHint int) {
			if page.Sessions == nil {
				page.Sessions = newSessions(sizeHint, r.Summary != nil)
			}
			page.Sessions = append(page.Sessions, plan.Session{ID: plan.IDOfBytes(id), Created: t.Created, LastModified: t.LastModified})
		}
		greqs[i] = graphclient.SessionRequest{Next: r.Next, Query: query(r), Each: each}
		if sum := r.Summary; sum != nil {
			// A page that ends its listing is summed up as soon as it is
			// read: a round of many workspaces' pages then holds their
			// numbers, not every page's sessions until the last is read.
			greqs[i].Done = func(last bool) {
				if last {
					page.Summary = sum.Of(page.Sessions)
					reuseSessions(page.Sessions)
					page.Sessions = nil
				}
			}
		}
	}
	for i, p := range s.pages.Fetch(ctx, greqs) {
		if p.Err != nil {
			out[i] = plan.Answer{Err: refusal(p.Err)}
			continue
		}
		if out[i].Page.Sessions == nil {
			out[i].Page.Sessions = []plan.Session{}
		}
		out[i].Page.Count, out[i].Page.HasCount, out[i].Page.NextLink = p.Count, p.HasCount, p.NextLink
	}
	return out
}

// sessionBufs hold the slices of pages that were summed up as soon as they
// were read, for the next pages to be read into: a round of a hundred
// workspaces of one page each then fills a few slices, not a hundred.
var sessionBufs sync.Pool

// newSessions returns an empty slice for about n sessions; pooled says
// the page may be summed up, so a slice that held another one will do.
func newSessions(n int, pooled bool) []plan.Session {
	if pooled {
		if b, ok := sessionBufs.Get().(*[]plan.Session); ok && cap(*b) >= n {
			return (*b)[:0]
		}
	}
	return make([]plan.Session, 0, n)
}

// reuseSessions gives back the slice of a page that was summed up, and
// which nothing holds any more.
func reuseSessions(s []plan.Session) {
	if cap(s) > 0 && cap(s) <= 2*maxPooledSessions {
		s = s[:0]
		sessionBufs.Put(&s)
	}
}

// maxPooledSessions is Graph's largest page: a slice grown past twice as
// many by a page that said less than it held is not kept.
const maxPooledSessions = 1000

// query is the Graph query of a plan Request: always the id and both
// timestamps, nothing that names or describes a session.
func query(r plan.Request) graphclient.Query {
	q := graphclient.Query{Count: r.Count, Select: graphclient.SessionRefSelect, Top: r.Top}
	for _, c := range r.Filter {
		q.Filter = append(q.Filter, graphclient.Condition{Property: planProps[c.Prop], Op: planOps[c.Op], Time: c.Time})
	}
	return q
}

// refusal marks the answers that mean "Graph does not support this query"
// (400, or 501 Not Implemented), on which a plan may fall back to listing.
func refusal(err error) error {
	if graphclient.IsStatus(err, http.StatusBadRequest, http.StatusNotImplemented) && !errors.Is(err, plan.ErrRefused) {
		return fmt.Errorf("%w: %w", plan.ErrRefused, err)
	}
	return err
}
