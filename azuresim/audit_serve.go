package azuresim

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// auditPrefix is the audit API's path after the version.
const auditPrefix = "/security/auditLog/queries"

// auditVersion returns the version of an audit API path ("beta",
// "v1.0"), or "" when the path is not one.
func auditVersion(path string) string {
	for _, v := range []string{"beta", "v1.0"} {
		rest, ok := strings.CutPrefix(path, "/"+v)
		if ok && (strings.EqualFold(rest, auditPrefix) || len(rest) > len(auditPrefix) && strings.EqualFold(rest[:len(auditPrefix)+1], auditPrefix+"/")) {
			return v
		}
	}
	return ""
}

// serveAudit answers the audit log query API.
func (s *Server) serveAudit(ex *exchange, r *http.Request, path, version string) {
	setGraphHeaders(ex, r)
	if err := s.auditAnswer(ex, r, path, version); err != nil {
		s.writeGraphError(ex, r, asAPIError(err))
	}
}

func (s *Server) auditAnswer(ex *exchange, r *http.Request, path, version string) error {
	t, _, err := s.authenticate(r)
	if err != nil {
		return err
	}
	ex.tenant = t.id
	a := &s.audit
	a.mu.Lock()
	defer a.mu.Unlock()
	f := &a.faults
	if version == "v1.0" && !f.V1Serves {
		return notFound("Resource not found for the segment 'auditLog'.")
	}
	if f.RoleMissing {
		return &apiError{status: http.StatusForbidden, code: "Forbidden", message: "Missing role permissions on the request. API requires one of 'AuditLogsQuery.Read.All'."}
	}
	rest := strings.Trim(path[len("/"+version+auditPrefix):], "/")
	segs := strings.Split(rest, "/")
	switch {
	case rest == "" && r.Method == http.MethodPost:
		return s.createAuditQuery(ex, r, t.id)
	case rest == "":
		return &apiError{status: http.StatusMethodNotAllowed, code: "BadRequest", message: "The simulator lists no queries."}
	case r.Method != http.MethodGet:
		return &apiError{status: http.StatusMethodNotAllowed, code: "BadRequest", message: "Method not allowed."}
	}
	q := a.queries[segs[0]]
	if q == nil || q.tenant != t.id {
		return notFound("Query %q not found.", segs[0])
	}
	switch {
	case len(segs) == 1:
		a.stats.Polls++
		s.pollAuditQuery(q)
		writeJSON(ex, http.StatusOK, "application/json;odata.metadata=minimal", s.auditQueryJSON(q))
		return nil
	case len(segs) == 2 && strings.EqualFold(segs[1], "records"):
		return s.auditRecordsPage(ex, r, q, version)
	}
	return notFound("The requested resource was not found.")
}

type auditQueryBody struct {
	DisplayName       string          `json:"displayName"`
	Start             *time.Time      `json:"filterStartDateTime"`
	End               *time.Time      `json:"filterEndDateTime"`
	OperationFilters  []string        `json:"operationFilters"`
	RecordTypeFilters json.RawMessage `json:"recordTypeFilters"`
}

func (s *Server) createAuditQuery(ex *exchange, r *http.Request, tenant string) error {
	a := &s.audit
	f := &a.faults
	a.stats.Submissions++
	if f.CreateThrottles > 0 {
		f.CreateThrottles--
		ra := f.RetryAfter
		if ra == "" {
			ra = "1"
		}
		return &apiError{status: http.StatusTooManyRequests, code: "TooManyRequests", message: "Too many requests.", retryAfter: ra}
	}
	if f.CreateFailures > 0 {
		f.CreateFailures--
		return &apiError{status: http.StatusInternalServerError, code: "InternalServerError", message: "An error has occurred."}
	}
	var b auditQueryBody
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&b); err != nil {
		return badRequest("Invalid request body: %v", err)
	}
	if len(b.RecordTypeFilters) > 0 && string(b.RecordTypeFilters) != "[]" && string(b.RecordTypeFilters) != "null" {
		// As a live tenant answered for copilotInteraction.
		return badRequest("Requested value 'copilotInteraction' was not found.")
	}
	if b.Start == nil || b.End == nil || !b.End.After(*b.Start) {
		return badRequest("filterStartDateTime and filterEndDateTime are required, start before end.")
	}
	ending := "succeeded"
	if len(f.Ends) > 0 {
		ending, f.Ends = f.Ends[0], f.Ends[1:]
	}
	q := &auditQuery{id: newUUID(), tenant: tenant, start: b.Start.UTC(), end: b.End.UTC(), ops: map[string]bool{},
		status: "notStarted", ending: ending}
	for _, op := range b.OperationFilters {
		q.ops[strings.ToLower(op)] = true
	}
	if f.DropFirstPagings > 0 {
		f.DropFirstPagings--
		q.dropOnFirst = true
	}
	if a.queries == nil {
		a.queries = map[string]*auditQuery{}
	}
	a.queries[q.id] = q
	writeJSON(ex, http.StatusCreated, "application/json;odata.metadata=minimal", s.auditQueryJSON(q))
	return nil
}

// pollAuditQuery advances a query: running on its first poll, ended once
// PollsToFinish polls were made, unless it never ends.
func (s *Server) pollAuditQuery(q *auditQuery) {
	q.polls++
	if q.status == "succeeded" || q.status == "failed" || q.status == "cancelled" {
		return
	}
	need := max(s.audit.faults.PollsToFinish, 1)
	if q.polls < need || q.ending == "never" {
		q.status = "running"
		return
	}
	q.status = q.ending
	if q.ending != "succeeded" {
		return
	}
	for _, rec := range s.audit.records[q.tenant] {
		if !rec.Time.Before(q.start) && rec.Time.Before(q.end) && q.ops[strings.ToLower(rec.Operation)] {
			q.result = append(q.result, rec)
		}
	}
	slices.SortFunc(q.result, func(a, b AuditRecord) int { return a.Time.Compare(b.Time) })
	if lim := s.audit.faults.TruncateAbove; lim > 0 && len(q.result) > lim {
		q.result, q.truncated = q.result[:lim], true
	}
}

func (s *Server) auditQueryJSON(q *auditQuery) jsonObject {
	out := jsonObject{
		{"@odata.context", s.url + "/beta/$metadata#security/auditLog/queries/$entity"},
		{"id", q.id},
		{"displayName", "query"},
		{"filterStartDateTime", q.start.Format(time.RFC3339)},
		{"filterEndDateTime", q.end.Format(time.RFC3339)},
		{"status", q.status},
	}
	if q.status == "succeeded" && !s.audit.faults.OldMetadata {
		out = append(out, jsonField{"isRecordCountLimitExceeded", q.truncated}, jsonField{"approximateReturnedRecordCount", len(q.result)})
	}
	return out
}

func (s *Server) auditRecordsPage(ex *exchange, r *http.Request, q *auditQuery, version string) error {
	a := &s.audit
	a.stats.RecordPages++
	if q.status != "succeeded" {
		return badRequest("The query has not succeeded.")
	}
	skip, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	if skip == 0 {
		q.pagings++
	}
	if skip > 0 && a.faults.RecordFailures > 0 {
		a.faults.RecordFailures--
		return &apiError{status: http.StatusInternalServerError, code: "UnknownError", message: "An error has occurred."}
	}
	if a.faults.MalformedPages > 0 {
		a.faults.MalformedPages--
		writeBody(ex, http.StatusOK, "application/json", []byte(`{"value":[{"id":"broken",`))
		return nil
	}
	result := q.result
	if q.dropOnFirst && q.pagings == 1 {
		result = dropLastSecurityCopilot(result)
	}
	size := s.maxPageSize
	end := min(skip+size, len(result))
	skip = min(skip, end)
	items := make([]any, 0, end-skip)
	for _, rec := range result[skip:end] {
		items = append(items, auditRecordJSON(rec))
	}
	page := jsonObject{{"@odata.context", s.url + "/" + version + "/$metadata#security/auditLog/queries('" + q.id + "')/records"}, {"value", items}}
	if end < len(result) {
		page = append(page, jsonField{"@odata.nextLink", s.url + "/" + version + auditPrefix + "/" + q.id + "/records?$skiptoken=" + strconv.Itoa(end)})
	}
	writeJSON(ex, http.StatusOK, "application/json;odata.metadata=minimal", page)
	return nil
}

// auditRecordJSON renders a record as Graph does: the envelope, and
// auditData as a nested object with the classic keys.
func auditRecordJSON(r AuditRecord) jsonObject {
	userID, upn := r.UserKey, r.User
	if r.Swapped {
		userID, upn = r.User, r.UserKey
	}
	odataType := "#microsoft.graph.security.copilotInteractionAuditRecord"
	if r.Default || r.Operation != AuditInteraction {
		odataType = "#microsoft.graph.security.defaultAuditData"
	}
	data := jsonObject{{"@odata.type", odataType}, {"RecordType@odata.type", "#Int64"}, {"RecordType", 261},
		{"Workload", "Copilot"}, {"Operation", r.Operation}}
	if !r.NoAuditUser {
		data = append(data, jsonField{"UserId", r.User})
	}
	recType := "CopilotInteraction"
	if r.Operation == AuditInteraction {
		msgs := []jsonObject{}
		for i := range r.Prompts + r.Replies {
			msgs = append(msgs, jsonObject{{"Id", strconv.Itoa(i + 1)}, {"isPrompt", i < r.Prompts}})
		}
		plugins := []jsonObject{}
		for _, p := range r.Plugins {
			plugins = append(plugins, jsonObject{{"Name", p}, {"Id", p}, {"Version", "1"}})
		}
		data = append(data, jsonField{"AppIdentity", r.App}, jsonField{"CopilotEventData", jsonObject{
			{"AppHost", r.Surface}, {"ThreadId", r.Session}, {"Messages", msgs}, {"AISystemPlugin", plugins},
		}})
	} else {
		recType = "CopilotForSecurityTrigger"
	}
	return jsonObject{
		{"id", r.ID}, {"createdDateTime", r.Time.UTC().Format(time.RFC3339)}, {"auditLogRecordType", recType},
		{"operation", r.Operation}, {"service", "Copilot"}, {"userType", "Regular"},
		{"userId", userID}, {"userPrincipalName", upn}, {"auditData", data},
	}
}

// dropLastSecurityCopilot leaves out the newest Security Copilot
// interaction, as a paging that lost a record would.
func dropLastSecurityCopilot(recs []AuditRecord) []AuditRecord {
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].App == AppSecurityCopilot {
			return append(slices.Clone(recs[:i]), recs[i+1:]...)
		}
	}
	return recs
}
