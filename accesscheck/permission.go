package accesscheck

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The Graph permission the exporter needs, and the ids that name it where
// the Entra portal does not: the application permission is hidden from the
// portal's "Application permissions" list.
const (
	ReadRole            = "SecurityCopilotWorkspaces.Read.All"
	readWriteRole       = "SecurityCopilotWorkspaces.ReadWrite.All"
	ReadRoleID          = "f3a4aa61-e12b-4725-9032-0d80ca254c0c"
	MicrosoftGraphAppID = "00000003-0000-0000-c000-000000000000"
)

// claims are the parts of an access token's payload the check reads.
type claims struct {
	Roles []string `json:"roles"`
	// Scp is set in delegated tokens, those of a signed-in user, with
	// the user's name and id.
	Scp               string `json:"scp"`
	UPN               string `json:"upn"`
	PreferredUsername string `json:"preferred_username"`
	OID               string `json:"oid"`
	// Idtyp is "user" in a delegated token, "app" in an app-only one.
	Idtyp string `json:"idtyp"`
}

// delegated reports whether the token is a signed-in user's.
func (c claims) delegated() bool {
	return c.Scp != "" || c.Idtyp == "user"
}

// account names a delegated token's user.
func (c claims) account() string {
	switch {
	case c.UPN != "":
		return c.UPN
	case c.PreferredUsername != "":
		return c.PreferredUsername
	}
	return c.OID
}

// scopeGranted reports whether a delegated token carries the scope.
func (c claims) scopeGranted() bool {
	scp := strings.Fields(c.Scp)
	return slices.Contains(scp, ReadRole) || slices.Contains(scp, readWriteRole)
}

// delegatedLines report a signed-in account's token: who, which scopes,
// and what its counts may mean.
func delegatedLines(c claims) []string {
	account := c.account()
	if account == "" {
		account = "unknown"
	}
	scp := c.Scp
	if scp == "" {
		scp = "none"
	}
	lines := []string{"token: ok; kind: delegated; account: " + account + "; scopes: " + scp}
	if c.scopeGranted() {
		lines = append(lines, "permission: delegated "+ReadRole+" is granted")
	} else {
		lines = append(lines, "permission: delegated "+ReadRole+" is NOT granted; Graph will answer 403. Grant admin consent for it on the app registration, then sign in again with --auth.login.")
	}
	return append(lines, "coverage: Microsoft does not say whether a delegated listing returns every session of a workspace or only the signed-in account's; this tenant's counts may cover only "+account+"'s sessions.")
}

// maxTokenBytes bounds what is decoded; Entra tokens are a few KiB.
const maxTokenBytes = 64 << 10

// decodeClaims reads a JWT's payload without verifying its signature: the
// result is only reported, never trusted for anything.
func decodeClaims(token string) (claims, error) {
	var c claims
	if len(token) > maxTokenBytes {
		return c, fmt.Errorf("token longer than %d bytes", maxTokenBytes)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("the token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return c, errors.New("the token's payload is not base64url")
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, errors.New("the token's payload is not a JSON object of claims")
	}
	return c, nil
}

// granted reports whether the claims allow reading workspaces app-only.
func (c claims) granted() bool {
	return slices.Contains(c.Roles, ReadRole) || slices.Contains(c.Roles, readWriteRole)
}

// rolesText lists the roles for a report line.
func (c claims) rolesText() string {
	if len(c.Roles) == 0 {
		return "none"
	}
	return strings.Join(c.Roles, ", ")
}

// fix says why an app-only token lacks the role and what works instead:
// Microsoft keeps the application permission hidden and out of Microsoft
// Graph's app roles, so no tenant can grant it today.
func fix(clientID string) []string {
	if clientID == "" {
		clientID = "APP_ID"
	}
	return []string{
		"Microsoft does not let tenants grant this application permission today: it (" + ReadRoleID + ") is hidden and not among the app roles of Microsoft Graph, so admin consent for it fails or grants nothing.",
		"Use delegated access instead: set auth: device_code with a public client app registration (\"Allow public client flows\"), the delegated permission " + ReadRole + " with admin consent, a monitoring account holding the Security Copilot Contributor role, and token_cache_file; then sign in once with --auth.login=TENANT (see the README, \"Delegated access (auth: device_code)\").",
		"Should Microsoft publish the application permission, grant it to app " + clientID + " and this check will say so.",
	}
}
