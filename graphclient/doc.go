// Package graphclient is a small Microsoft Graph client for the Security
// Copilot endpoints the exporter reads: it lists workspaces, lists and counts
// sessions, and gets its tokens from Entra ID through azidentity.
//
// Requests go through the tenant's door (package azurehttp), which holds
// the token, refuses redirects, caps answers and retries transport
// errors. Transient answers (the door's Transient statuses, and 424 inside
// a $batch) are sent again after the wait the door's schedule gives, never
// beyond the caller's deadline; through a Batcher, whose rounds gather the
// requests of many participants into $batch calls, such a request leaves
// its round and waits on its own timer rather than holding it up.
// Every collection is read through one pager (pager.go) under the rules of
// package paging; it learns the largest $top Graph accepts (top.go).
// Collection pages are decoded as streams, so memory does not grow with the
// page.
package graphclient
