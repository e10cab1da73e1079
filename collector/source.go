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
	pages   *graphclient.SessionPages
	scratch *readScratch
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
				page.Sessions = s.scratch.newSessions(sizeHint, r.Summary != nil)
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
					s.scratch.reuseSessions(page.Sessions)
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

// readScratch is memory that the reads of every tenant lend each other;
// the Exporter owns it, and a nil one makes everything afresh. Its
// sessions are the slices of pages that were summed up as soon as they
// were read, for the next pages to be read into: a round of a hundred
// workspaces of one page each then fills a few slices, not a hundred.
type readScratch struct {
	plan     plan.Scratch
	sessions sync.Pool // of *[]plan.Session
}

// planScratch is what the plan borrows of s.
func (s *readScratch) planScratch() *plan.Scratch {
	if s == nil {
		return nil
	}
	return &s.plan
}

// newSessions returns an empty slice for about n sessions; pooled says
// the page may be summed up, so a slice that held another one will do.
func (s *readScratch) newSessions(n int, pooled bool) []plan.Session {
	if pooled && s != nil {
		if b, ok := s.sessions.Get().(*[]plan.Session); ok && cap(*b) >= n {
			return (*b)[:0]
		}
	}
	return make([]plan.Session, 0, n)
}

// reuseSessions gives back the slice of a page that was summed up, and
// which nothing holds any more.
func (s *readScratch) reuseSessions(sessions []plan.Session) {
	if s != nil && cap(sessions) > 0 && cap(sessions) <= 2*maxPooledSessions {
		sessions = sessions[:0]
		s.sessions.Put(&sessions)
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
