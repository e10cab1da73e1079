package azuresim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// listing is a validated collection request.
type listing struct {
	q     queryOptions
	match predicate
	props []propDef
	after *pageKey
	size  int
	count bool
	route string // what a $skiptoken is bound to
	// empty: serve the empty page of ListingQuirks.EmptyPages here.
	empty bool
}

// withQuirks applies the listing quirks a collection may take: $top
// ignored (pages of maxPageSize), $filter ignored, paging by offset. It
// returns the filter, the key to list after and the offset to list from.
func (l *listing) withQuirks(quirks ListingQuirks, maxPageSize int) (match predicate, after *pageKey, offset int) {
	match, after = l.match, l.after
	if quirks.IgnoreTop {
		l.size = maxPageSize
	}
	if quirks.IgnoreFilter {
		match = nil
	}
	if quirks.OffsetPaging {
		after, offset = nil, resumeOffset(l.q)
	}
	return match, after, offset
}

func (s *Server) prepareListing(r *http.Request, et *entityType, route string, faults Faults) (*listing, error) {
	allowed := collectionOptions
	if et.name == sessionType().name {
		allowed = sessionOptions(faults)
	}
	q, err := parseQuery(r.URL.RawQuery, allowed)
	if err != nil {
		return nil, err
	}
	if e := faults.Listing.topRefused(q); e != nil {
		return nil, e
	}
	l := &listing{q: q, route: route, size: s.maxPageSize}
	if l.after, err = resumeAfter(q, route); err != nil {
		return nil, err
	}
	l.empty = faults.Listing.EmptyPages && !emptyServed(q)
	if l.match, err = compileFilter(q, et, faults); err != nil {
		return nil, err
	}
	if l.props, err = parseSelect(et, q); err != nil {
		return nil, err
	}
	if q.hasTop && q.top < l.size {
		l.size = q.top
	}
	l.count = q.count && !faults.OmitCount
	return l, nil
}

func compileFilter(q queryOptions, et *entityType, faults Faults) (predicate, error) {
	if !q.hasFilter {
		return nil, nil
	}
	if faults.RejectFilter {
		return nil, badRequest("Invalid filter clause: filtering is not supported on '%s'.", et.name)
	}
	return parseFilter(q.filter, et)
}

// pageOut is one page of a collection, ready to be written.
type pageOut struct {
	contextURL, tips string
	escapedPath      string // of the request, for the nextLink
	rawQuery         string // of the request, for a looping nextLink
	items            []jsonObject
	total            int
	last             *pageKey // where the next page starts; nil on the last page
	nextOffset       int      // with OffsetPaging, where the next page starts
	fault            ListingFault
}

// writePage writes one page of a collection in Graph's key order, broken
// as p.fault asks.
func (s *Server) writePage(ex *exchange, l *listing, p pageOut) error {
	body := jsonObject{{"@odata.context", p.contextURL + selectSuffix(l.props, l.q)}}
	if p.tips != "" && !l.q.hasSelect {
		body = append(body, jsonField{"@microsoft.graph.tips", p.tips})
	}
	if l.count {
		var count any = p.total
		if p.fault.Count != "" {
			count = json.RawMessage(p.fault.Count)
		}
		body = append(body, jsonField{"@odata.count", count})
	}
	link, err := s.pageNextLink(l, p)
	if l.empty && err == nil {
		p.items = nil
		link, err = s.emptyPageLink(p.escapedPath, l)
	}
	if err != nil {
		return err
	}
	if link != "" {
		body = append(body, jsonField{"@odata.nextLink", link})
	}
	items := p.items
	if items == nil {
		items = []jsonObject{} // an empty page is [], never null
	}
	body = append(body, jsonField{"value", items})
	raw, err := marshal(body)
	if err != nil {
		return err
	}
	if p.fault.Body == BodyOversized {
		raw = padPage(raw)
	}
	ex.Header().Set("OData-Version", "4.0")
	writeListingBody(ex, p.fault.Body, raw)
	return nil
}

// renderPage encodes a page and returns the key a nextLink resumes after,
// nil when the page is the last.
func renderPage[T any, P recordPtr[T]](page []T, more bool, props []propDef) ([]jsonObject, *pageKey) {
	items := make([]jsonObject, len(page))
	for i := range page {
		items[i] = toJSON(P(&page[i]), props)
	}
	if !more || len(page) == 0 {
		return items, nil
	}
	k := P(&page[len(page)-1]).key()
	return items, &k
}

func (s *Server) listWorkspaces(ex *exchange, r *http.Request, t *tenantState, faults Faults, escapedPath string) error {
	l, err := s.prepareListing(r, workspaceType(), "workspaces", faults)
	if err != nil {
		return err
	}
	page, total, more := collect(t.listed(), l.match, l.after, l.size)
	items, last := renderPage(page, more, l.props)
	for i, item := range items {
		// Graph annotates each listed workspace with its type.
		items[i] = append(jsonObject{{"@odata.type", "#" + workspaceType().name}}, item...)
	}
	return s.writePage(ex, l, pageOut{contextURL: s.metadata("security/securityCopilot/workspaces"), escapedPath: escapedPath, items: items, total: total, last: last})
}

func (s *Server) listSessions(ex *exchange, r *http.Request, t *tenantState, workspaceID string, faults Faults, escapedPath string) error {
	ws := t.workspace(workspaceID)
	if ws == nil {
		return workspaceNotFound(workspaceID)
	}
	l, err := s.prepareListing(r, sessionType(), "sessions\x00"+workspaceID, faults)
	if err != nil {
		return err
	}
	expand, err := parseExpand(l.q)
	if err != nil {
		return err
	}
	quirks := faults.Listing
	match, after, offset := l.withQuirks(quirks, s.maxPageSize)
	s.store.mu.RLock()
	page, total, more := quirks.Order.page(quirks.Order.ordered(visible(ws.sessions, faults, ex.viewer)), match, after, offset, l.size)
	items, last := renderPage(page, more, l.props)
	expand.expandPrompts(items, page, ws, faults, s.url+"/beta"+escapedPath)
	s.store.mu.RUnlock()
	nextOffset := 0
	if quirks.OffsetPaging && last != nil {
		nextOffset = offset + len(page)
	}
	fault := faults.ListingFor[workspaceID]
	breakCreated(items, fault.Created)
	delayOrAbort(r, fault.Latency)
	key := odataKey(workspaceID)
	return s.writePage(ex, l, pageOut{
		contextURL:  s.metadata("security/securityCopilot/workspaces(" + key + ")/sessions"),
		tips:        "Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET security/securityCopilot/workspaces(" + key + ")/sessions?$select=createdDateTime,displayName",
		escapedPath: escapedPath, rawQuery: r.URL.RawQuery,
		items: items, total: total, last: last, nextOffset: nextOffset, fault: fault,
	})
}

func (s *Server) countSessions(ex *exchange, r *http.Request, t *tenantState, workspaceID string, faults Faults) error {
	ws := t.workspace(workspaceID)
	if ws == nil {
		return workspaceNotFound(workspaceID)
	}
	q, err := parseQuery(r.URL.RawQuery, countOptions)
	if err != nil {
		return err
	}
	match, err := compileFilter(q, sessionType(), faults)
	if err != nil {
		return err
	}
	if faults.Listing.IgnoreFilter {
		match = nil
	}
	s.store.mu.RLock()
	_, total, _ := collect(visible(ws.sessions, faults, ex.viewer), match, nil, 0)
	s.store.mu.RUnlock()
	writeBody(ex, http.StatusOK, plainText, []byte(strconv.Itoa(total)))
	return nil
}

func (s *Server) getSession(ex *exchange, r *http.Request, t *tenantState, workspaceID, sessionID string, faults Faults) error {
	ws := t.workspace(workspaceID)
	if ws == nil {
		return workspaceNotFound(workspaceID)
	}
	q, err := parseQuery(r.URL.RawQuery, entityOptions)
	if err != nil {
		return err
	}
	et := sessionType()
	props, err := parseSelect(et, q)
	if err != nil {
		return err
	}
	s.store.mu.RLock()
	i, ok := ws.index(sessionID)
	var sess Session
	if ok {
		sess = ws.sessions[i]
		ok = len(visible([]Session{sess}, faults, ex.viewer)) == 1
	}
	s.store.mu.RUnlock()
	if !ok {
		return notFound("The session '%s' was not found in workspace '%s'.", sessionID, workspaceID)
	}
	ctx := s.metadata("security/securityCopilot/workspaces(" + odataKey(workspaceID) + ")/sessions" + selectSuffix(props, q) + "/$entity")
	return s.writeEntity(ex, ctx, toJSON(&sess, props))
}

func (s *Server) getWorkspace(ex *exchange, r *http.Request, t *tenantState, workspaceID string) error {
	ws := t.workspace(workspaceID)
	if ws == nil {
		return workspaceNotFound(workspaceID)
	}
	q, err := parseQuery(r.URL.RawQuery, entityOptions)
	if err != nil {
		return err
	}
	props, err := parseSelect(workspaceType(), q)
	if err != nil {
		return err
	}
	w := Workspace{ID: ws.id, DisplayName: ws.name}
	ctx := s.metadata("security/securityCopilot/workspaces" + selectSuffix(props, q) + "/$entity")
	return s.writeEntity(ex, ctx, toJSON(&w, props))
}

func (s *Server) writeEntity(ex *exchange, contextURL string, obj jsonObject) error {
	body := append(jsonObject{{"@odata.context", contextURL}}, obj...)
	ex.Header().Set("OData-Version", "4.0")
	writeJSON(ex, http.StatusOK, odataJSON, body)
	return nil
}

func (s *Server) metadata(fragment string) string {
	return s.url + "/beta/$metadata#" + fragment
}

// odataKey writes a key the way OData context URLs do: quoted, with quotes
// doubled, and escaped as a path segment.
func odataKey(id string) string {
	return "'" + url.PathEscape(strings.ReplaceAll(id, "'", "''")) + "'"
}

func workspaceNotFound(id string) error {
	return notFound("The workspace '%s' was not found.", id)
}

// visible is what a viewer may see of sessions: all of them, unless
// OwnSessionsOnly is set and viewer (a delegated token's user) is not
// their owner. The caller holds store.mu.
func visible(sessions []Session, faults Faults, viewer string) []Session {
	if !faults.OwnSessionsOnly || viewer == "" {
		return sessions
	}
	var own []Session
	for _, sess := range sessions {
		if strings.EqualFold(sess.Owner, viewer) {
			own = append(own, sess)
		}
	}
	return own
}
