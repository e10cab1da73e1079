package azuresim

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

var (
	errTokenUnknown = errors.New("unknown access token")
	errTokenExpired = errors.New("access token expired")
)

// clientAssertionType is the only client_assertion_type Entra ID accepts.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// tokenStore maps issued access tokens to their tenant and roles.
type tokenStore struct {
	mu     sync.Mutex
	tokens map[string]issuedToken
}

type issuedToken struct {
	tenantKey string
	roles     []string
	// user and scopes are set on delegated tokens: the signed-in user's
	// UPN and the scp claim.
	user, scopes string
	audience     string // the resource's URL: Graph's or Resource Manager's
	expires      time.Time
}

func newTokenStore() *tokenStore {
	return &tokenStore{tokens: make(map[string]issuedToken)}
}

// pruneAbove is the size at which issue drops expired tokens, so a long
// demo that refreshes tokens hourly does not accumulate them.
const pruneAbove = 1024

func (ts *tokenStore) issue(t *tenantState, audience string, roles []string, now time.Time, life time.Duration) string {
	tok := newAccessToken(t.id, t.clientID, audience, roles, now, life)
	ts.add(tok, issuedToken{tenantKey: strings.ToLower(t.id), audience: audience, roles: roles, expires: now.Add(life)}, now)
	return tok
}

// add records an issued token, dropping expired ones once there are many.
func (ts *tokenStore) add(tok string, it issuedToken, now time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(ts.tokens) >= pruneAbove {
		for k, t := range ts.tokens {
			if !now.Before(t.expires) {
				delete(ts.tokens, k)
			}
		}
	}
	ts.tokens[tok] = it
}

func (ts *tokenStore) lookup(tok string, now time.Time) (issuedToken, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	t, ok := ts.tokens[tok]
	switch {
	case !ok:
		return issuedToken{}, errTokenUnknown
	case !now.Before(t.expires):
		return issuedToken{}, errTokenExpired
	}
	return t, nil
}

// serveToken is the client credentials grant of the v2.0 token endpoint.
// The checks come in the order Entra ID reports them.
func (s *Server) serveToken(ex *exchange, r *http.Request, tenantSeg string, t *tenantState) {
	if r.Method != http.MethodPost {
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_request", 900561,
			"AADSTS900561: The endpoint only accepts POST, OPTIONS requests. Received a "+r.Method+" request.")
		return
	}
	s.stats.token()
	faults := s.faults.current()
	delayOrAbort(r, faults.TokenLatency)
	if te := faults.TokenError; te != "" {
		s.writeTokenFault(ex, r, te, clientIDOf(r))
		return
	}
	if t == nil {
		s.writeUnknownTenant(ex, r, tenantSeg, "invalid_request")
		return
	}
	r.Body = http.MaxBytesReader(ex, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_request", 900144,
			"AADSTS900144: The request body must contain the following parameter: 'grant_type'.")
		return
	}
	form := r.PostForm
	missing := func(param string) {
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_request", 900144,
			"AADSTS900144: The request body must contain the following parameter: '"+param+"'.")
	}
	clientID, basicSecret, hasBasic := r.BasicAuth()
	if !hasBasic {
		clientID = form.Get("client_id")
	}
	grant := form.Get("grant_type")
	if grant == "device_code" {
		// MSAL sends the short form, which Entra ID accepts too.
		grant = deviceCodeGrant
	}
	switch {
	case grant == "":
		missing("grant_type")
		return
	case grant != "client_credentials" && grant != deviceCodeGrant && grant != refreshTokenGrant:
		s.writeEntraError(ex, r, http.StatusBadRequest, "unsupported_grant_type", 70003,
			"AADSTS70003: The app requested an unsupported grant type '"+grant+"'.")
		return
	case clientID == "":
		missing("client_id")
		return
	case grant != "client_credentials":
		s.serveDelegatedGrant(ex, r, t, grant, clientID)
		return
	}
	scope := form.Get("scope")
	audience := s.audienceOf(scope)
	switch {
	case scope == "":
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_scope", 70011,
			"AADSTS70011: The provided request must include a 'scope' input parameter.")
		return
	case audience == "":
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_scope", 70011,
			"AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope '"+scope+"' is not valid: the only resources here are '"+s.Scope()+"' and '"+s.ARMScope()+"'.")
		return
	}
	if !s.clientAuthenticated(ex, r, t, clientID, basicSecret, hasBasic) {
		return
	}
	lifetime := s.tokenLife
	expiresIn := int(lifetime / time.Second)
	if expiresIn < 1 {
		expiresIn = 1
	}
	ex.tenant = t.id
	var roles []string
	if audience == s.url {
		roles = grantedRoles(faults)
	}
	tok := s.tokens.issue(t, audience, roles, s.now(), lifetime)
	s.writeTokenAnswer(ex, tok, expiresIn)
}

// audienceOf returns the resource a scope names, Graph's or Resource
// Manager's .default scope; "" when it names neither or both. MSAL adds
// "openid offline_access profile" to every request, client credentials
// included, and Entra ID ignores them there, so they are tolerated.
func (s *Server) audienceOf(scope string) string {
	audience := ""
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.url, "https://"))
	for _, sc := range strings.Fields(scope) {
		var aud string
		switch {
		case sc == "openid" || sc == "profile" || sc == "offline_access":
			continue
		case sc == s.Scope():
			aud = s.url
		case strings.HasPrefix(sc, "https://") && strings.HasSuffix(sc, "/.default") &&
			slices.Contains(s.hostnames, strings.TrimSuffix(strings.TrimPrefix(sc, "https://"), ":"+port+"/.default")):
			aud = s.url // a hostname of the Graph server, for proxy tests
		case sc == s.ARMScope():
			aud = s.arm.url
		default:
			return ""
		}
		if audience != "" && audience != aud {
			return ""
		}
		audience = aud
	}
	return audience
}

// clientAuthenticated checks the client secret or assertion and writes
// the error answer when they fail.
func (s *Server) clientAuthenticated(ex *exchange, r *http.Request, t *tenantState, clientID, basicSecret string, hasBasic bool) bool {
	form := r.PostForm
	secret, assertion := form.Get("client_secret"), form.Get("client_assertion")
	if hasBasic {
		secret = basicSecret
	}
	invalidSecret := func() bool {
		s.writeEntraError(ex, r, http.StatusUnauthorized, "invalid_client", 7000215, invalidSecretDescription("AADSTS7000215", clientID))
		return false
	}
	switch {
	case secret != "" && assertion != "":
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_request", 90014,
			"AADSTS90014: Only one of 'client_secret' and 'client_assertion' may be sent.")
		return false
	case secret == "" && assertion == "":
		s.writeEntraError(ex, r, http.StatusUnauthorized, "invalid_client", 7000216,
			"AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
		return false
	case !strings.EqualFold(clientID, t.clientID):
		return invalidSecret()
	case secret != "":
		if t.secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(t.secret)) != 1 {
			return invalidSecret()
		}
		return true
	}
	if form.Get("client_assertion_type") != clientAssertionType {
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_request", 900144,
			"AADSTS900144: The request body must contain the following parameter: 'client_assertion_type' with the value '"+clientAssertionType+"'.")
		return false
	}
	if !looksLikeJWT(assertion) {
		s.writeEntraError(ex, r, http.StatusUnauthorized, "invalid_client", 50027,
			"AADSTS50027: JWT token is invalid or malformed.")
		return false
	}
	return true
}

// looksLikeJWT accepts three non-empty base64url parts. Claims are not
// checked: a federated (workload identity) assertion names its own issuer
// and subject, not the client id.
func looksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}

func invalidSecretDescription(prefix, clientID string) string {
	return prefix + ": Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + clientID + "'."
}

func (s *Server) writeTokenFault(ex *exchange, r *http.Request, value, clientID string) {
	desc := value
	if !strings.Contains(value, ": ") {
		desc = invalidSecretDescription(value, clientID)
	}
	s.writeEntraError(ex, r, http.StatusUnauthorized, "invalid_client", aadstsCode(value), desc)
}

// clientIDOf reads client_id without failing: it only decorates messages.
func clientIDOf(r *http.Request) string {
	if id, _, ok := r.BasicAuth(); ok {
		return id
	}
	if err := r.ParseForm(); err != nil {
		return ""
	}
	return r.PostForm.Get("client_id")
}

// aadstsCode extracts 7000215 from "AADSTS7000215..."; 0 if there is none.
func aadstsCode(s string) int {
	rest, ok := strings.CutPrefix(s, "AADSTS")
	if !ok {
		return 0
	}
	n := 0
	for _, c := range rest {
		if c < '0' || c > '9' || n > 1e8 {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}
