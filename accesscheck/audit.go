package accesscheck

import (
	"slices"
	"strings"
)

// The permission of the audit log query API, which a tenant's audit
// section needs: the application permission (a role) for an app-only
// token, the delegated one (a scope) for a signed-in user's. The
// per-service variants (AuditLogsQuery-Entra.Read.All and others) and
// AuditLog.Read.All do not cover Copilot records.
const (
	AuditRole          = "AuditLogsQuery.Read.All"
	AuditRoleID        = "5e1e9171-754d-478c-812c-f1755a9a4c2d"
	AuditDelegatedID   = "1d9e7ac3-0eca-442c-82f9-e92625af6e6d"
	auditNotEnoughNote = "AuditLog.Read.All and the per-service AuditLogsQuery-*.Read.All permissions do not cover Security Copilot records."
)

// auditLines report whether the token carries the audit permission, and
// how to grant it when it does not; ok is false when it is missing.
func auditLines(token, clientID string) (lines []string, ok bool) {
	c, err := decodeClaims(token)
	if err != nil {
		return []string{"audit: the token's claims cannot be read, so " + AuditRole + " is not checked"}, true
	}
	if clientID == "" {
		clientID = "APP_ID"
	}
	if c.Scp != "" {
		if slices.Contains(strings.Fields(c.Scp), AuditRole) {
			return []string{"audit: delegated scope " + AuditRole + " is granted"}, true
		}
		return []string{
			"audit: delegated scope " + AuditRole + " is NOT in the token (scp: " + c.Scp + "); the audit log query API will answer 403. " + auditNotEnoughNote,
			"  az ad app permission add --id " + clientID + " --api " + MicrosoftGraphAppID + " --api-permissions " + AuditDelegatedID + "=Scope",
			"  then consent to it, and sign in again.",
		}, false
	}
	if slices.Contains(c.Roles, AuditRole) {
		return []string{"audit: application permission " + AuditRole + " is granted"}, true
	}
	return []string{
		"audit: application permission " + AuditRole + " is NOT granted; the audit log query API will answer 403. " + auditNotEnoughNote,
		"  az ad app permission add --id " + clientID + " --api " + MicrosoftGraphAppID + " --api-permissions " + AuditRoleID + "=Role",
		"  az ad app permission admin-consent --id " + clientID,
	}, false
}
