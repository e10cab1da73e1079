// Package signin gives a server delegated access to Microsoft Graph: a
// monitoring account signs in once with the device code flow (Login), and
// the exporter then renews its access tokens unattended from the refresh
// token kept in a file (Credential), writing a rotated refresh token back.
//
// The OAuth exchange is MSAL for Go's public client; this package only
// supplies MSAL's cache storage (a file written atomically with mode 0600,
// read with a size cap, no desktop keyring), its HTTP client (the tenant's
// transport), and what a server needs around it: a refresh token that
// Entra ID refuses makes the credential fail fast with "sign in again"
// for a few minutes instead of asking Entra ID on every scrape, and the
// change is logged once.
//
// No access token, refresh token or device code ever appears in an error,
// a log line or the output: errors carry Entra ID's AADSTS code and the
// first line of its description, never MSAL's request dump.
package signin
