// Package graphclient is a small Microsoft Graph client for the Security
// Copilot endpoints the exporter reads: it lists workspaces, lists and counts
// sessions, and gets its tokens from Entra ID through azidentity.
//
// Requests go through an azcore pipeline: the bearer-token policy caches and
// refreshes tokens, and the retry policy retries transport errors. Answers
// 429, 503 and 504 are sent again by the fetcher after their own
// Retry-After (or a backoff), never beyond the caller's deadline; through a
// Batcher, whose rounds gather the requests of many participants into
// $batch calls, such a request leaves its round rather than holding it up.
// Every collection is read through one pager (pager.go) under the rules of
// package paging; it learns the largest $top Graph accepts (top.go).
// Collection pages are decoded as streams, so memory does not grow with the
// page.
package graphclient
