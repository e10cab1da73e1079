package azuresim

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const capacityType = "Microsoft.SecurityCopilot/capacities"

// armError is a Resource Manager error answer.
type armError struct {
	status     int
	code       string
	message    string
	retryAfter string
}

// serveARM answers the capacity listing of a subscription and GET of one
// capacity, with Resource Manager's checks in its order: token, throttling,
// api-version, subscription, tenant, role, then the resource.
func (s *Server) serveARM(a *armServer, w http.ResponseWriter, r *http.Request) {
	requestID := newUUID()
	h := w.Header()
	h.Set("x-ms-request-id", requestID)
	correlation := r.Header.Get("x-ms-correlation-request-id")
	if correlation == "" {
		correlation = requestID
	}
	h.Set("x-ms-correlation-request-id", correlation)
	a.count(func(st *ARMStats) { st.Requests++ })
	body, aerr := s.armAnswer(a, r)
	if aerr != nil {
		if aerr.retryAfter != "" {
			h.Set("Retry-After", aerr.retryAfter)
		}
		switch aerr.status {
		case http.StatusUnauthorized:
			a.count(func(st *ARMStats) { st.Unauthorized++ })
		case http.StatusTooManyRequests:
			a.count(func(st *ARMStats) { st.Throttled++ })
		}
		writeJSON(w, aerr.status, "application/json; charset=utf-8", jsonObject{{"error", jsonObject{{"code", aerr.code}, {"message", aerr.message}}}})
		return
	}
	writeJSON(w, http.StatusOK, "application/json; charset=utf-8", body)
}

func (a *armServer) count(f func(*ARMStats)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(&a.stats)
}

func (s *Server) armAnswer(a *armServer, r *http.Request) (any, *armError) {
	if r.Method != http.MethodGet {
		return nil, &armError{status: http.StatusMethodNotAllowed, code: "MethodNotAllowed", message: "The requested method is not supported by the simulator."}
	}
	tenantKey, aerr := s.armAuthenticate(a, r)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := a.throttle(); aerr != nil {
		return nil, aerr
	}
	q := r.URL.Query()
	version := q.Get("api-version")
	switch {
	case version == "":
		return nil, &armError{status: http.StatusBadRequest, code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests."}
	case !slices.Contains(armAPIVersions, version):
		return nil, &armError{status: http.StatusBadRequest, code: "NoRegisteredProviderFound", message: "No registered resource provider found for API version '" + version + "' and type 'capacities'. The supported api-versions are '" + strings.Join(armAPIVersions, ", ") + "'."}
	}
	segs, err := splitPath(r.URL.EscapedPath())
	if err != nil || len(segs) < 2 || !strings.EqualFold(segs[0], "subscriptions") {
		return nil, &armError{status: http.StatusNotFound, code: "NotFound", message: "The requested resource was not found."}
	}
	sub := a.subs[strings.ToLower(segs[1])]
	switch {
	case sub == nil:
		return nil, &armError{status: http.StatusNotFound, code: "SubscriptionNotFound", message: "The subscription '" + segs[1] + "' could not be found."}
	case sub.tenantKey != tenantKey:
		return nil, &armError{status: http.StatusUnauthorized, code: "InvalidAuthenticationTokenTenant", message: "The access token is from the wrong issuer. It must match the tenant associated with this subscription."}
	case sub.NoReader:
		return nil, &armError{status: http.StatusForbidden, code: "AuthorizationFailed", message: "The client does not have authorization to perform action '" + capacityType + "/read' over scope '" + r.URL.EscapedPath() + "' or the scope is invalid."}
	}
	rest := segs[2:]
	switch {
	case matchFold(rest, "providers", "Microsoft.SecurityCopilot", "capacities"):
		if sub.NoProvider {
			return nil, &armError{status: http.StatusNotFound, code: "NotFound", message: "The resource type 'capacities' of namespace 'Microsoft.SecurityCopilot' is not registered for the subscription."}
		}
		return a.listPage(sub, r, q.Get("$skipToken"))
	case len(rest) == 6 && matchFold([]string{rest[0], rest[2], rest[3], rest[4]}, "resourceGroups", "providers", "Microsoft.SecurityCopilot", "capacities"):
		return a.getCapacity(sub, rest[1], rest[5])
	}
	return nil, &armError{status: http.StatusNotFound, code: "NotFound", message: "The requested resource was not found."}
}

// armAuthenticate maps the bearer token to its tenant, refusing tokens of
// any other audience, such as Graph's.
func (s *Server) armAuthenticate(a *armServer, r *http.Request) (string, *armError) {
	unauthorized := func(code, msg string) *armError {
		return &armError{status: http.StatusUnauthorized, code: code, message: msg}
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
	}
	issued, err := s.tokens.lookup(strings.TrimSpace(tok), s.now())
	switch {
	case errors.Is(err, errTokenExpired):
		return "", unauthorized("ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.")
	case err != nil:
		return "", unauthorized("InvalidAuthenticationToken", "The access token is invalid.")
	case issued.audience != a.url:
		return "", unauthorized("InvalidAuthenticationTokenAudience", "The access token has been obtained for wrong audience or resource '"+issued.audience+"'. It should exactly match with one of the allowed audiences '"+a.url+"'.")
	}
	return issued.tenantKey, nil
}

func (a *armServer) throttle() *armError {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	if f := a.faults; f.ThrottleEvery > 0 && a.n%f.ThrottleEvery == 0 {
		return &armError{status: http.StatusTooManyRequests, code: "TooManyRequests", message: "The request is being throttled.", retryAfter: f.RetryAfter}
	}
	return nil
}

// listPage serves pageSize capacities from the offset in $skipToken, with
// an absolute nextLink when more follow.
func (a *armServer) listPage(sub *armSubscription, r *http.Request, skipToken string) (any, *armError) {
	offset := 0
	if skipToken != "" {
		n, err := strconv.Atoi(skipToken)
		if err != nil || n < 0 || n > len(sub.Capacities) {
			return nil, &armError{status: http.StatusBadRequest, code: "InvalidSkipToken", message: "The $skipToken is invalid."}
		}
		offset = n
	}
	end := min(offset+a.pageSize, len(sub.Capacities))
	value := make([]any, 0, end-offset)
	for _, c := range sub.Capacities[offset:end] {
		value = append(value, capacityJSON(sub.ID, c))
	}
	page := jsonObject{{"value", value}}
	if end < len(sub.Capacities) {
		q := r.URL.Query()
		q.Set("$skipToken", strconv.Itoa(end))
		page = append(page, jsonField{"nextLink", a.url + r.URL.EscapedPath() + "?" + q.Encode()})
	}
	return page, nil
}

func (a *armServer) getCapacity(sub *armSubscription, group, name string) (any, *armError) {
	for _, c := range sub.Capacities {
		if strings.EqualFold(c.ResourceGroup, group) && strings.EqualFold(c.Name, name) {
			return capacityJSON(sub.ID, c), nil
		}
	}
	if !slices.ContainsFunc(sub.Capacities, func(c Capacity) bool { return strings.EqualFold(c.ResourceGroup, group) }) {
		return nil, &armError{status: http.StatusNotFound, code: "ResourceGroupNotFound", message: "Resource group '" + group + "' could not be found."}
	}
	return nil, &armError{status: http.StatusNotFound, code: "ResourceNotFound", message: "The Resource '" + capacityType + "/" + name + "' under resource group '" + group + "' was not found."}
}

func capacityJSON(subscription string, c Capacity) jsonObject {
	props := jsonObject{{"numberOfUnits", c.Units}}
	for _, p := range []jsonField{{"crossGeoCompute", c.CrossGeoCompute}, {"geo", c.Geo}, {"overageState", c.OverageState}} {
		if p.value != "" {
			props = append(props, p)
		}
	}
	if c.OverageAmount != nil {
		props = append(props, jsonField{"overageAmount", *c.OverageAmount})
	}
	props = append(props, jsonField{"provisioningState", "Succeeded"})
	return jsonObject{
		{"id", "/subscriptions/" + subscription + "/resourceGroups/" + c.ResourceGroup + "/providers/" + capacityType + "/" + c.Name},
		{"name", c.Name},
		{"type", capacityType},
		{"location", "eastus"},
		{"properties", props},
	}
}

// matchFold reports whether segs are exactly want, without regard to case.
func matchFold(segs []string, want ...string) bool {
	if len(segs) != len(want) {
		return false
	}
	for i := range segs {
		if !strings.EqualFold(segs[i], want[i]) {
			return false
		}
	}
	return true
}
