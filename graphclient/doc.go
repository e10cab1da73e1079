// Package graphclient is a small Microsoft Graph client for the Security
// Copilot endpoints the exporter reads: it lists workspaces, lists and counts
// sessions, and gets its tokens from Entra ID through azidentity.
//
// Requests go through an azcore pipeline: the bearer-token policy caches and
// refreshes tokens, and the retry policy retries 429, 503, 504 and transport
// errors, honouring Retry-After and otherwise backing off exponentially with
// jitter, but never beyond the caller's context deadline. Collection pages are
// decoded as streams, so memory does not grow with the page.
package graphclient
