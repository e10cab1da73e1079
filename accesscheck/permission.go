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
	// Scp is set in delegated tokens, those of a signed-in user.
	Scp string `json:"scp"`
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

// fix says how to grant the permission to the app with clientID, in the
// three ways that work although the portal hides it.
func fix(clientID string) []string {
	if clientID == "" {
		clientID = "APP_ID"
	}
	return []string{
		"The Entra portal does not list this application permission; add it by id (" + ReadRoleID + "), then grant admin consent:",
		"  az ad app permission add --id " + clientID + " --api " + MicrosoftGraphAppID + " --api-permissions " + ReadRoleID + "=Role",
		"  az ad app permission admin-consent --id " + clientID,
		"or with Microsoft Graph PowerShell, or the app manifest's requiredResourceAccess (see the README, \"Setup in Entra ID\").",
	}
}
