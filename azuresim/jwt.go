package azuresim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The application permissions (app roles of Microsoft Graph) that allow
// reading Security Copilot workspaces, as an app-only token's roles claim
// names them.
const (
	RoleRead      = "SecurityCopilotWorkspaces.Read.All"
	RoleReadWrite = "SecurityCopilotWorkspaces.ReadWrite.All"
)

// newAccessToken returns an access token shaped like the ones Entra ID
// issues for Microsoft Graph: a JWT whose payload carries tid, appid and,
// when the app was granted application permissions, roles. The signature
// is random bytes: clients must treat the token as opaque, and a client
// that tried to verify it would fail, as it should. Graph here looks the
// token up rather than verifying it.
func newAccessToken(tenantID, clientID, audience string, roles []string, now time.Time, life time.Duration) string {
	claims := accessClaims(tenantID, clientID, audience, now, life)
	claims["idtyp"], claims["oid"] = "app", newUUID()
	// Entra ID leaves the claim out when no application permission is
	// granted, rather than sending an empty list.
	if len(roles) > 0 {
		claims["roles"] = roles
	}
	return signedJWT(claims)
}

// accessClaims are the claims every access token carries, app-only or
// delegated.
func accessClaims(tenantID, clientID, audience string, now time.Time, life time.Duration) map[string]any {
	return map[string]any{
		"aud":   audience,
		"iss":   "https://sts.windows.net/" + tenantID + "/",
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"exp":   now.Add(life).Unix(),
		"appid": clientID,
		"sub":   newUUID(),
		"tid":   tenantID,
		"uti":   newUUID(),
		"ver":   "1.0",
	}
}

// signedJWT is a JWT of the claims with a signature of random bytes.
func signedJWT(claims map[string]any) string {
	header := map[string]string{"typ": "JWT", "alg": "RS256", "kid": "azuresim"}
	var sig [256]byte
	_, _ = rand.Read(sig[:])
	return segment(header) + "." + segment(claims) + "." + base64.RawURLEncoding.EncodeToString(sig[:])
}

func segment(v any) string {
	b, _ := json.Marshal(v) // maps of strings, numbers and string slices always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

// grantedRoles are the roles of tokens issued while the RoleMissing fault
// is off: the application permission the exporter needs.
func grantedRoles(f Faults) []string {
	if f.RoleMissing {
		return nil
	}
	return []string{RoleRead}
}

// authorize refuses a token without a role (app-only) or scope
// (delegated) that allows reading, with the answer Graph gives an app
// whose permission lacks admin consent.
func authorize(issued issuedToken) error {
	roles := issued.roles
	if slices.Contains(roles, RoleRead) || slices.Contains(roles, RoleReadWrite) {
		return nil
	}
	if scp := strings.Fields(issued.scopes); slices.Contains(scp, RoleRead) || slices.Contains(scp, RoleReadWrite) {
		return nil
	}
	return &apiError{status: http.StatusForbidden, code: "Forbidden",
		message: "Missing role permissions on the request. API requires one of '" + RoleRead + ", " + RoleReadWrite +
			"'. Roles on the request '" + strings.Join(roles, ", ") + "'."}
}

// newDelegatedToken returns an access token shaped like the ones Entra ID
// issues to a public client for a signed-in user: scp and the user's
// upn and oid, idtyp "user", and no roles.
func newDelegatedToken(tenantID, clientID, audience string, u User, scopes string, now time.Time, life time.Duration) string {
	claims := accessClaims(tenantID, clientID, audience, now, life)
	claims["idtyp"], claims["oid"], claims["upn"], claims["name"], claims["scp"] = "user", u.ObjectID, u.UPN, u.UPN, scopes
	return signedJWT(claims)
}

// newIDToken returns the OpenID Connect id token of a sign-in. MSAL reads
// its claims to name the account; nobody checks its signature here.
func newIDToken(tenantID, clientID string, u User, base string, now time.Time) string {
	header := map[string]string{"typ": "JWT", "alg": "RS256", "kid": "azuresim"}
	claims := map[string]any{
		"aud":                clientID,
		"iss":                base + "/" + tenantID + "/v2.0",
		"iat":                now.Unix(),
		"nbf":                now.Unix(),
		"exp":                now.Add(time.Hour).Unix(),
		"name":               u.UPN,
		"oid":                u.ObjectID,
		"preferred_username": u.UPN,
		"sub":                u.ObjectID,
		"tid":                tenantID,
		"ver":                "2.0",
	}
	return segment(header) + "." + segment(claims) + ".c2ln"
}

// clientInfo is what Entra ID returns with client_info=1: MSAL keys its
// cache on uid.utid.
func clientInfo(tenantID string, u User) string {
	return segment(map[string]string{"uid": u.ObjectID, "utid": tenantID})
}
