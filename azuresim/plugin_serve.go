package azuresim

import (
	"net/http"
	"slices"
)

// listPlugins serves a workspace's plugins by name, with the session
// listing's quirks (Faults.Listing): $top or $filter ignored, another order
// (NewestFirst lists by name descending), paging by offset.
func (s *Server) listPlugins(ex *exchange, r *http.Request, t *tenantState, workspaceID string, faults Faults, escapedPath string) error {
	ws := t.workspace(workspaceID)
	if ws == nil {
		return workspaceNotFound(workspaceID)
	}
	if status, ok := faults.PluginStatusFor[workspaceID]; ok {
		if e := statusError(faults, status, workspaceID); e != nil {
			return e
		}
	}
	l, err := s.prepareListing(r, pluginType(), "plugins\x00"+workspaceID, faults)
	if err != nil {
		return err
	}
	quirks := faults.Listing
	match, after, offset := l.withQuirks(quirks, s.maxPageSize)
	s.store.mu.RLock()
	all := ws.plugins
	if quirks.Order != OrderOldestFirst {
		all = slices.Clone(all)
		slices.SortFunc(all, func(a, b Plugin) int { return quirks.Order.compareIn(a.key(), b.key()) })
	}
	page, total, more := quirkPage(quirks.Order, all, match, after, offset, l.size)
	s.store.mu.RUnlock()
	items, last := renderPage(page, more, l.props)
	nextOffset := 0
	if quirks.OffsetPaging && last != nil {
		nextOffset = offset + len(page)
	}
	key := odataKey(workspaceID)
	ctx := "security/securityCopilot/workspaces(" + key + ")/plugins"
	return s.writePage(ex, l, pageOut{
		contextURL:  s.metadata(ctx),
		tips:        "Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET " + ctx + "?$select=authorization,catalogScope",
		escapedPath: escapedPath, rawQuery: r.URL.RawQuery,
		items: items, total: total, last: last, nextOffset: nextOffset,
	})
}

// quirkPage is Order.page for any record: the page of at most size
// matching items after the key in the order o, or at the offset.
func quirkPage[T any, P recordPtr[T]](o Order, items []T, match predicate, after *pageKey, offset, size int) (page []T, total int, more bool) {
	skipped := 0
	for i := range items {
		p := P(&items[i])
		if match != nil && !match(p) {
			continue
		}
		total++
		if after != nil && o.compareIn(p.key(), *after) <= 0 {
			continue
		}
		if skipped < offset {
			skipped++
			continue
		}
		if len(page) < size {
			page = append(page, items[i])
		} else {
			more = true
		}
	}
	return page, total, more
}
