package azuresim

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The grant types of delegated sign-in.
const (
	deviceCodeGrant   = "urn:ietf:params:oauth:grant-type:device_code"
	refreshTokenGrant = "refresh_token"
)

// Lifetimes Entra ID uses: a device code is good for 15 minutes, and the
// client is told to poll every 5 seconds.
const (
	deviceCodeLife     = 15 * time.Minute
	deviceCodeInterval = 5
)

// delegatedState holds the device codes waiting for a user, the refresh
// tokens issued, and who approves sign-ins.
type delegatedState struct {
	mu       sync.Mutex
	codes    map[string]*deviceCode   // by device_code
	refresh  map[string]*refreshGrant // by refresh token
	approver map[string]User          // by lower-case tenant id
	issued   []string                 // every access and refresh token issued, for leak tests
	polled   chan struct{}            // closed and replaced at each device code poll
}

type deviceCode struct {
	tenantKey, clientID, scope string
	expires                    time.Time
	polls                      int
}

type refreshGrant struct {
	tenantKey, clientID, scope string
	user                       User
	revoked                    bool
}

func (d *delegatedState) init() {
	if d.codes == nil {
		d.codes = map[string]*deviceCode{}
		d.refresh = map[string]*refreshGrant{}
		d.approver = map[string]User{}
		d.polled = make(chan struct{})
	}
}

// Polled returns a channel that is closed when the next device code poll
// has been answered, so that a test can approve a sign-in after the
// client met authorization_pending, without sleeping.
func (s *Server) Polled() <-chan struct{} {
	s.delegated.mu.Lock()
	defer s.delegated.mu.Unlock()
	s.delegated.init()
	return s.delegated.polled
}

func (d *delegatedState) signalPoll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	close(d.polled)
	d.polled = make(chan struct{})
}

// ApproveDeviceLogin makes the user with upn approve every device code
// sign-in of the tenant from now on, as a person entering the code in a
// browser would; until it is called, polls are answered
// authorization_pending.
func (s *Server) ApproveDeviceLogin(tenantID, upn string) error {
	t := s.store.tenant(tenantID)
	if t == nil {
		return fmt.Errorf("azuresim: approve device login: tenant %q: %w", tenantID, ErrNotFound)
	}
	u, ok := t.users[strings.ToLower(upn)]
	if !ok {
		return fmt.Errorf("azuresim: approve device login: user %q of tenant %q: %w", upn, tenantID, ErrNotFound)
	}
	s.delegated.mu.Lock()
	defer s.delegated.mu.Unlock()
	s.delegated.init()
	s.delegated.approver[strings.ToLower(t.id)] = u
	return nil
}

// RevokeSignIns revokes every refresh token issued in the tenant, as an
// administrator's "Revoke sessions" or a password reset does: the next
// refresh is answered invalid_grant AADSTS50173.
func (s *Server) RevokeSignIns(tenantID string) {
	key := strings.ToLower(tenantID)
	s.delegated.mu.Lock()
	defer s.delegated.mu.Unlock()
	for _, g := range s.delegated.refresh {
		if g.tenantKey == key {
			g.revoked = true
		}
	}
}

// IssuedTokens returns every access token and refresh token issued by
// the delegated grants, so that tests can check none of them leaks into
// logs or output.
func (s *Server) IssuedTokens() []string {
	s.delegated.mu.Lock()
	defer s.delegated.mu.Unlock()
	return append([]string(nil), s.delegated.issued...)
}

// serveDeviceCode starts a device code sign-in: POST client_id and scope.
func (s *Server) serveDeviceCode(ex *exchange, r *http.Request, tenantSeg string, t *tenantState) {
	if r.Method != http.MethodPost {
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_request", 900561,
			"AADSTS900561: The endpoint only accepts POST, OPTIONS requests. Received a "+r.Method+" request.")
		return
	}
	s.stats.deviceCode()
	if t == nil {
		s.writeUnknownTenant(ex, r, tenantSeg, "invalid_request")
		return
	}
	r.Body = http.MaxBytesReader(ex, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("client_id") == "" {
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_request", 900144,
			"AADSTS900144: The request body must contain the following parameter: 'client_id'.")
		return
	}
	clientID, scope := r.PostForm.Get("client_id"), r.PostForm.Get("scope")
	if !strings.EqualFold(clientID, t.clientID) {
		s.writeAppNotFound(ex, r, clientID)
		return
	}
	if s.audienceOf(scope) == "" {
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_scope", 70011,
			"AADSTS70011: The provided value for the input parameter 'scope' is not valid.")
		return
	}
	userCode := strings.ToUpper(rand.Text()[:9])
	code := &deviceCode{tenantKey: strings.ToLower(t.id), clientID: clientID, scope: scope, expires: s.now().Add(deviceCodeLife)}
	device := rand.Text() + rand.Text()
	s.delegated.mu.Lock()
	s.delegated.init()
	s.delegated.codes[device] = code
	s.delegated.mu.Unlock()
	verify := s.baseFor(r) + "/devicelogin"
	setNoStore(ex)
	writeJSON(ex, http.StatusOK, "application/json; charset=utf-8", jsonObject{
		{"user_code", userCode},
		{"device_code", device},
		{"verification_uri", verify},
		{"expires_in", int(deviceCodeLife / time.Second)},
		{"interval", deviceCodeInterval},
		{"message", "To sign in, use a web browser to open the page " + verify + " and enter the code " + userCode + " to authenticate."},
	})
}

func (s *Server) writeAppNotFound(ex *exchange, r *http.Request, clientID string) {
	s.writeEntraError(ex, r, http.StatusBadRequest, "unauthorized_client", 700016,
		"AADSTS700016: Application with identifier '"+clientID+"' was not found in the directory.")
}

// serveDelegatedGrant answers the device code and refresh token grants of
// a public client: no client secret, a user behind the token.
func (s *Server) serveDelegatedGrant(ex *exchange, r *http.Request, t *tenantState, grant, clientID string) {
	if !strings.EqualFold(clientID, t.clientID) {
		s.writeAppNotFound(ex, r, clientID)
		return
	}
	faults := s.faults.current()
	var (
		u     User
		scope string
		ok    bool
	)
	if grant == deviceCodeGrant {
		u, scope, ok = s.pollDeviceCode(ex, r, t, faults)
		defer s.delegated.signalPoll()
	} else {
		s.stats.refresh()
		u, scope, ok = s.redeemRefreshToken(ex, r, t, faults)
	}
	if !ok {
		return
	}
	s.writeDelegatedTokens(ex, r, t, clientID, scope, u)
}

// pollDeviceCode answers one poll of a device code: pending until a user
// approves, slow_down for the first Faults.SlowDown polls, the
// DeviceCodeError fault, or the user once approved.
func (s *Server) pollDeviceCode(ex *exchange, r *http.Request, t *tenantState, faults Faults) (User, string, bool) {
	device := r.PostForm.Get("device_code")
	s.delegated.mu.Lock()
	s.delegated.init()
	code := s.delegated.codes[device]
	if code != nil {
		code.polls++
	}
	var (
		u        User
		approved bool
	)
	if code != nil {
		u, approved = s.delegated.approver[code.tenantKey]
	}
	s.delegated.mu.Unlock()
	switch {
	case device == "":
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_request", 900144,
			"AADSTS900144: The request body must contain the following parameter: 'device_code'.")
	case code == nil || code.tenantKey != strings.ToLower(t.id):
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_grant", 70000,
			"AADSTS70000: The provided value for the 'device_code' is not valid.")
	case !s.now().Before(code.expires):
		s.writeEntraError(ex, r, http.StatusBadRequest, "expired_token", 70020,
			"AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
	case faults.DeviceCodeError != "":
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_grant", aadstsCode(faults.DeviceCodeError), describeFault(faults.DeviceCodeError))
	case code.polls <= faults.SlowDown:
		s.writeEntraError(ex, r, http.StatusBadRequest, "slow_down", 70016,
			"AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Slow down polling.")
	case !approved:
		s.writeEntraError(ex, r, http.StatusBadRequest, "authorization_pending", 70016,
			"AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
	default:
		s.delegated.mu.Lock()
		delete(s.delegated.codes, device)
		s.delegated.mu.Unlock()
		return u, code.scope, true
	}
	return User{}, "", false
}

// redeemRefreshToken answers a refresh: the RefreshTokenError fault, a
// revoked or unknown token, or the user it was issued to. The answer
// carries a new refresh token (rotation); the old one stays valid, as
// Entra ID's does until it expires.
func (s *Server) redeemRefreshToken(ex *exchange, r *http.Request, t *tenantState, faults Faults) (User, string, bool) {
	rt := r.PostForm.Get("refresh_token")
	s.delegated.mu.Lock()
	s.delegated.init()
	g := s.delegated.refresh[rt]
	var grant refreshGrant
	if g != nil {
		grant = *g
	}
	s.delegated.mu.Unlock()
	switch {
	case rt == "":
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_request", 900144,
			"AADSTS900144: The request body must contain the following parameter: 'refresh_token'.")
	case faults.RefreshTokenError != "":
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_grant", aadstsCode(faults.RefreshTokenError), describeFault(faults.RefreshTokenError))
	case g == nil || grant.tenantKey != strings.ToLower(t.id):
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_grant", 9002313,
			"AADSTS9002313: Invalid request. Request is malformed or invalid.")
	case grant.revoked:
		s.writeEntraError(ex, r, http.StatusBadRequest, "invalid_grant", 50173,
			"AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.")
	default:
		scope := r.PostForm.Get("scope")
		if scope == "" || s.audienceOf(scope) == "" {
			scope = grant.scope
		}
		return grant.user, scope, true
	}
	return User{}, "", false
}

// refreshFaultText is what Entra ID says for the codes the RefreshTokenError
// and DeviceCodeError faults are usually set to.
var refreshFaultText = map[string]string{
	"AADSTS70008":  "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
	"AADSTS700082": "The refresh token has expired due to inactivity. The token was issued on 2026-01-01T00:00:00Z and was inactive for 90.00:00:00.",
	"AADSTS50076":  "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.",
	"AADSTS50173":  "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
	"AADSTS53003":  "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
}

func describeFault(value string) string {
	if strings.Contains(value, ": ") {
		return value
	}
	if text, ok := refreshFaultText[value]; ok {
		return value + ": " + text
	}
	return value + ": The request was refused."
}

// writeDelegatedTokens issues an access token for the user, a new refresh
// token, an id token and client_info, as Entra ID answers a public client
// that asked for openid and offline_access.
func (s *Server) writeDelegatedTokens(ex *exchange, r *http.Request, t *tenantState, clientID, scope string, u User) {
	audience := s.audienceOf(scope)
	now := s.now()
	life := s.tokenLife
	scp := ""
	if audience == s.url && !s.faults.current().RoleMissing {
		scp = RoleRead
	}
	at := newDelegatedToken(t.id, clientID, audience, u, scp, now, life)
	s.tokens.add(at, issuedToken{tenantKey: strings.ToLower(t.id), audience: audience, user: u.UPN, scopes: scp, expires: now.Add(life)}, now)
	rt := rand.Text() + "." + rand.Text() + rand.Text()
	s.delegated.mu.Lock()
	s.delegated.init()
	s.delegated.refresh[rt] = &refreshGrant{tenantKey: strings.ToLower(t.id), clientID: clientID, scope: scope, user: u}
	s.delegated.issued = append(s.delegated.issued, at, rt)
	s.delegated.mu.Unlock()
	ex.tenant = t.id
	expiresIn := max(int(life/time.Second), 1)
	setNoStore(ex)
	writeJSON(ex, http.StatusOK, "application/json; charset=utf-8", jsonObject{
		{"token_type", "Bearer"},
		{"scope", scope},
		{"expires_in", expiresIn},
		{"ext_expires_in", expiresIn},
		{"access_token", at},
		{"refresh_token", rt},
		{"id_token", newIDToken(t.id, clientID, u, s.baseFor(r), now)},
		{"client_info", clientInfo(t.id, u)},
	})
}
