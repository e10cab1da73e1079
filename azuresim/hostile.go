package azuresim

import (
	"net/http"
	"strings"
	"sync"
)

// Hostile are answers of an Azure that is misconfigured, compromised or
// behind a hostile proxy: what a client must refuse rather than follow.
// The zero value changes nothing. They are kept apart from Faults, which
// are the ways the real services fail.
type Hostile struct {
	// Redirect answers every Graph request ($batch included) and every
	// token request with this status (301, 302, 307 or 308) and a
	// Location of RedirectTo followed by the request's path and query.
	// 0 disables it.
	Redirect int
	// RedirectTo is the scheme and host redirects point to, such as
	// "http://127.0.0.1:8080".
	RedirectTo string
	// TokenEndpoint replaces token_endpoint in the OpenID discovery
	// document, as a hostile discovery answer would.
	TokenEndpoint string
	// OmitExpiresIn leaves expires_in out of token answers.
	OmitExpiresIn bool
	// TokenPadding makes issued access tokens at least this many bytes
	// long (a padded token is not valid at Graph).
	TokenPadding int
}

type hostileState struct {
	mu        sync.Mutex
	h         Hostile
	lastToken string
}

// SetHostile replaces the hostile behaviours.
func (s *Server) SetHostile(h Hostile) {
	s.hostile.mu.Lock()
	defer s.hostile.mu.Unlock()
	s.hostile.h = h
}

func (s *Server) currentHostile() Hostile {
	s.hostile.mu.Lock()
	defer s.hostile.mu.Unlock()
	return s.hostile.h
}

// LastToken is the access token of the last token answer, as sent; "" if
// none was sent yet. Tests look for it where it must never appear.
func (s *Server) LastToken() string {
	s.hostile.mu.Lock()
	defer s.hostile.mu.Unlock()
	return s.hostile.lastToken
}

// RevokeTokens makes every access token issued so far unknown, as Entra ID
// revoking them does: Graph answers 401 InvalidAuthenticationToken to
// them, and a client gets a working token only by asking for a new one.
func (s *Server) RevokeTokens() {
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	clear(s.tokens.tokens)
}

// redirectHostile answers r with the Redirect behaviour, if it is set and
// r is a Graph or token request; it reports whether it answered.
func (s *Server) redirectHostile(w http.ResponseWriter, r *http.Request, path string) bool {
	h := s.currentHostile()
	graph := path == "/beta" || strings.HasPrefix(path, "/beta/") || isBatchPath(r.URL.Path)
	if h.Redirect == 0 || !graph && !strings.HasSuffix(path, "/oauth2/v2.0/token") {
		return false
	}
	w.Header().Set("Location", h.RedirectTo+r.URL.RequestURI())
	w.Header().Set("request-id", newUUID())
	w.WriteHeader(h.Redirect)
	return true
}

// tokenEndpoint is the token endpoint the discovery document names.
func (s *Server) tokenEndpoint(base string) string {
	if te := s.currentHostile().TokenEndpoint; te != "" {
		return te
	}
	return base + "/oauth2/v2.0/token"
}

// writeTokenAnswer writes a successful token answer.
func (s *Server) writeTokenAnswer(ex *exchange, tok string, expiresIn int) {
	h := s.currentHostile()
	if pad := h.TokenPadding - len(tok); pad > 0 {
		tok += strings.Repeat("A", pad)
	}
	s.hostile.mu.Lock()
	s.hostile.lastToken = tok
	s.hostile.mu.Unlock()
	answer := jsonObject{{"token_type", "Bearer"}}
	if !h.OmitExpiresIn {
		answer = append(answer, jsonField{"expires_in", expiresIn}, jsonField{"ext_expires_in", expiresIn})
	}
	setNoStore(ex)
	writeJSON(ex, http.StatusOK, "application/json; charset=utf-8", append(answer, jsonField{"access_token", tok}))
}
