package signin

import (
	"errors"
	"strings"
)

// advice says what to do about the AADSTS codes a sign-in or a refresh
// commonly meets.
var advice = map[string]string{
	"AADSTS7000218": "The app registration does not allow public client flows: in Entra ID, App registrations > the app > Authentication, set \"Allow public client flows\" to Yes.",
	"AADSTS700016":  "client_id is not an app registration of this tenant: check client_id and tenant_id.",
	"AADSTS90002":   "tenant_id names no tenant: check tenant_id and graph.authority_host.",
	"AADSTS65001":   "The delegated permission SecurityCopilotWorkspaces.Read.All has no consent: grant admin consent for it on the app registration, then sign in again.",
	"AADSTS53003":   "Conditional Access blocked the sign-in: ask your Entra ID administrator to let the monitoring account use the device code flow (an exclusion or a policy for it), then sign in again.",
	"AADSTS50076":   "Multi-factor authentication is now required: sign in again and complete it in the browser.",
	"AADSTS50079":   "Multi-factor authentication must be registered: register it for the monitoring account, then sign in again.",
	"AADSTS50173":   "The sign-in was revoked (a password reset or \"Revoke sessions\"): sign in again.",
	"AADSTS70008":   "The refresh token expired: sign in again.",
	"AADSTS700082":  "The refresh token expired after 90 days without use: sign in again.",
	"AADSTS70020":   "The code expired before it was entered: run the sign-in again and enter the code within 15 minutes.",
	"AADSTS50126":   "Wrong user name or password: sign in again.",
}

// Advice returns what to do about err, when its AADSTS code is a known
// one; "" otherwise.
func Advice(err error) string {
	var ee *EntraError
	if errors.As(err, &ee) {
		if a, ok := advice[ee.Code]; ok {
			return a
		}
	}
	if strings.Contains(err.Error(), "nobody completed the sign-in") {
		return "Run the sign-in again, open the URL and enter the code before the wait ends."
	}
	return ""
}

// Code returns the AADSTS code of err, or "".
func Code(err error) string {
	var ee *EntraError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ""
}
