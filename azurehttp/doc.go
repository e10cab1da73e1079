// Package azurehttp is the one door through which the exporter talks to
// Azure: Microsoft Graph, Azure Resource Manager and Entra ID.
//
// A Door is built per tenant. It owns the HTTP client (no redirect is ever
// followed, https only, bounded timeouts), the cap on every answer body,
// Retry-After parsing and the retry schedule, token acquisition with a
// cache that a revoked token can be dropped from, the rule of which host
// may receive which secret, and the per-try request metrics. Nothing else
// in the project sends an HTTP request to Azure; a test walks the sources
// to keep it so.
package azurehttp
