package azuresim

import (
	"net/http"
	"strconv"
	"strings"
)

// entraTimestamp is how Entra ID writes timestamps in error bodies.
const entraTimestamp = "2006-01-02 15:04:05Z"

// serveEntra serves the Entra ID endpoints MSAL uses for the client
// credentials flow and for delegated sign-in: OpenID discovery, the token
// endpoint, the device code endpoint and the (empty) signing keys. Anything else is a plain 404, as login.microsoftonline.com
// answers unknown paths with a page, not JSON.
func (s *Server) serveEntra(ex *exchange, r *http.Request, escapedPath string) {
	segs, err := splitPath(escapedPath)
	if err != nil || len(segs) != 4 {
		http.NotFound(ex, r)
		return
	}
	tenantSeg := segs[0]
	t := s.store.tenant(tenantSeg)
	if t != nil {
		ex.tenant = t.id
	}
	ex.Header().Set("x-ms-request-id", ex.requestID)
	if id := r.Header.Get("client-request-id"); id != "" {
		ex.Header().Set("client-request-id", id)
	}
	switch strings.Join(segs[1:], "/") {
	case "v2.0/.well-known/openid-configuration":
		s.serveDiscovery(ex, r, tenantSeg, t)
	case "oauth2/v2.0/token":
		s.serveToken(ex, r, tenantSeg, t)
	case "oauth2/v2.0/devicecode":
		s.serveDeviceCode(ex, r, tenantSeg, t)
	case "discovery/v2.0/keys":
		if t == nil {
			s.writeUnknownTenant(ex, r, tenantSeg, "invalid_tenant")
			return
		}
		writeJSON(ex, http.StatusOK, "application/json; charset=utf-8", jsonObject{{"keys", []any{}}})
	default:
		http.NotFound(ex, r)
	}
}

// serveDiscovery answers the OpenID configuration. MSAL requires issuer on
// the authority's scheme and host, and authorization and token endpoints.
func (s *Server) serveDiscovery(ex *exchange, r *http.Request, tenantSeg string, t *tenantState) {
	if r.Method != http.MethodGet {
		http.Error(ex, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.stats.discovery()
	if t == nil {
		s.writeUnknownTenant(ex, r, tenantSeg, "invalid_tenant")
		return
	}
	base := s.baseFor(r) + "/" + t.id
	host := strings.TrimPrefix(s.baseFor(r), "https://")
	writeJSON(ex, http.StatusOK, "application/json; charset=utf-8", jsonObject{
		{"token_endpoint", s.tokenEndpoint(base)},
		{"token_endpoint_auth_methods_supported", []string{"client_secret_post", "private_key_jwt", "client_secret_basic"}},
		{"jwks_uri", base + "/discovery/v2.0/keys"},
		{"response_modes_supported", []string{"query", "fragment", "form_post"}},
		{"subject_types_supported", []string{"pairwise"}},
		{"id_token_signing_alg_values_supported", []string{"RS256"}},
		{"response_types_supported", []string{"code", "id_token", "code id_token", "id_token token"}},
		{"scopes_supported", []string{"openid", "profile", "email", "offline_access"}},
		{"issuer", base + "/v2.0"},
		{"request_uri_parameter_supported", false},
		{"userinfo_endpoint", s.baseFor(r) + "/oidc/userinfo"},
		{"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
		{"device_authorization_endpoint", base + "/oauth2/v2.0/devicecode"},
		{"http_logout_supported", true},
		{"frontchannel_logout_supported", true},
		{"end_session_endpoint", base + "/oauth2/v2.0/logout"},
		{"claims_supported", []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"}},
		{"kerberos_endpoint", base + "/kerberos"},
		{"tenant_region_scope", "WW"},
		{"cloud_instance_name", host},
		{"cloud_graph_host_name", host},
		{"msgraph_host", host},
		{"rbac_url", s.baseFor(r)},
	})
}

func (s *Server) writeUnknownTenant(ex *exchange, r *http.Request, tenantSeg, code string) {
	s.writeEntraError(ex, r, http.StatusBadRequest, code, 90002,
		"AADSTS90002: Tenant '"+tenantSeg+"' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.")
}

// writeEntraError writes an OAuth error the way Entra ID does, with the
// trace and correlation ids appended to the description.
func (s *Server) writeEntraError(ex *exchange, r *http.Request, status int, code string, aadsts int, description string) {
	now := s.now().UTC().Format(entraTimestamp)
	correlation := r.Header.Get("client-request-id")
	if correlation == "" {
		correlation = newUUID()
	}
	codes := []int{}
	if aadsts != 0 {
		codes = append(codes, aadsts)
	}
	setNoStore(ex)
	writeJSON(ex, status, "application/json; charset=utf-8", jsonObject{
		{"error", code},
		{"error_description", description + " Trace ID: " + ex.requestID + " Correlation ID: " + correlation + " Timestamp: " + now},
		{"error_codes", codes},
		{"timestamp", now},
		{"trace_id", ex.requestID},
		{"correlation_id", correlation},
		{"error_uri", s.url + "/error?code=" + strconv.Itoa(aadsts)},
	})
}

func setNoStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
}
