package accesscheck

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// target is a workspace to check and where it came from; failure, when
// set, says why it cannot be read at all.
type target struct {
	id, source, failure string
}

// workspaces returns the workspaces the exporter would collect: the
// configured ones with "default" resolved, or the discovered ones. listed
// is false when they could not be found.
func workspaces(ctx context.Context, client *graphclient.Client, t config.Tenant, limit int) (targets []target, lines []string, listed bool) {
	if t.Discover() {
		found, more, err := client.ListWorkspacesUpTo(ctx, limit)
		if err != nil {
			return nil, []string{"workspaces: listing them failed: " + oneLine(err.Error())}, false
		}
		listed = true
		for _, w := range found {
			if err := config.CheckWorkspaceID(w.ID); err != nil {
				targets = append(targets, target{id: w.ID, source: "discovered", failure: "not a workspace id"})
				listed = false
				continue
			}
			targets = append(targets, target{id: w.ID, source: "discovered"})
		}
		if more {
			lines = append(lines, fmt.Sprintf("workspaces: Graph lists more than collection.max_workspaces_per_tenant (%d); the exporter reads the first %d only", limit, limit))
			listed = false
		}
		if len(found) == 0 {
			lines = append(lines, "workspaces: Graph lists none")
		}
		return targets, lines, listed
	}
	defaultID, listed := "", true
	for _, id := range t.Workspaces {
		if id != graphclient.DefaultWorkspace {
			continue
		}
		w, err := client.GetWorkspace(ctx, id)
		if err == nil {
			err = config.CheckWorkspaceID(w.ID)
		}
		if err != nil {
			// The other workspaces are still checked: their rows say more.
			lines = append(lines, "workspaces: resolving \"default\" failed: "+oneLine(err.Error()))
			targets = append(targets, target{id: id, source: "configured", failure: "not resolved"})
			listed = false
			continue
		}
		defaultID = w.ID
		lines = append(lines, fmt.Sprintf("workspaces: \"default\" is %s (%s)", w.ID, w.DisplayName))
	}
	ids, _ := graphclient.ResolveWorkspaces(t.Workspaces, defaultID)
	for _, id := range ids {
		source := "configured"
		if id == defaultID && id != graphclient.DefaultWorkspace {
			source = "configured as default"
		}
		targets = append(targets, target{id: id, source: source})
	}
	return targets, lines, listed
}

// row is one line of the table.
type row struct {
	tenant, workspace, source string
	read                      string // status and error code, or why not read
	requestID                 string
	count, filter, page       string
	batch                     string
	readable                  bool
}

// farFuture is a createdDateTime no session has: a $filter on it that
// Graph honours selects nothing.
const farFuture = 100 * 365 * 24 * time.Hour

// checkWorkspace reads one page of the workspace's sessions, then asks the
// same with a $filter that selects nothing and inside a $batch.
func checkWorkspace(ctx context.Context, client *graphclient.Client, tenant string, w target, pageSize int, now time.Time) row {
	r := row{tenant: tenant, workspace: w.id, source: w.source, count: "-", filter: "-", page: "-", batch: "-"}
	if w.failure != "" {
		r.read = w.failure
		return r
	}
	sel := []string{graphclient.PropCreated}
	first, err := client.TrySessions(ctx, w.id, graphclient.Query{Count: true, Select: sel, Top: pageSize})
	if err != nil {
		r.read = "failed: " + oneLine(err.Error())
		return r
	}
	r.read, r.requestID = statusText(first), first.RequestID
	if !first.StatusOK() {
		return r
	}
	r.readable = true
	r.count = yesNo(first.HasCount)
	if first.HasCount {
		r.count = fmt.Sprintf("yes (%d)", first.Count)
	}
	r.page = pageText(first, pageSize)

	filtered, err := client.TrySessions(ctx, w.id, graphclient.Query{Count: true, Select: sel, Top: 1,
		Filter: graphclient.Filter{{Property: graphclient.PropCreated, Op: graphclient.OpGE, Time: now.Add(farFuture)}}})
	r.filter = filterText(first, filtered, err)

	outer, item, err := client.TryBatch(ctx, w.id, graphclient.Query{Select: sel, Top: 1})
	switch {
	case err != nil:
		r.batch = "failed: " + oneLine(err.Error())
	case !outer.StatusOK():
		r.batch = "refused: " + statusText(outer)
	case !item.StatusOK():
		r.batch = "accepted; item " + statusText(item)
	default:
		r.batch = "accepted"
	}
	return r
}

func statusText(a graphclient.Answer) string {
	s := fmt.Sprintf("%d", a.Status)
	if a.Code != "" {
		s += " " + a.Code
	}
	return s
}

func pageText(a graphclient.Answer, asked int) string {
	if a.NextLink {
		return fmt.Sprintf("%d (asked %d)", a.Items, asked)
	}
	return fmt.Sprintf("all %d in one", a.Items)
}

// filterText says whether a $filter that selects nothing was honoured.
func filterText(unfiltered, filtered graphclient.Answer, err error) string {
	switch {
	case err != nil:
		return "failed: " + oneLine(err.Error())
	case !filtered.StatusOK():
		return "refused: " + statusText(filtered)
	case filtered.Items > 0 || (filtered.HasCount && filtered.Count > 0):
		return "ignored"
	case unfiltered.Items == 0:
		return "untested (no sessions)"
	}
	return "honoured"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}
