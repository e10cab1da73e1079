// Package paging holds the rules every listing of the exporter follows, for
// Graph's collections (workspaces, sessions, prompts, evaluations, and
// whatever is listed next) and Resource Manager's alike:
//
//   - A listing reads at most MaxPages pages; a chain of next links that
//     long is a loop, not data.
//   - A page's number of items plays no part in whether the listing goes
//     on: a page with no items but a next link is followed. Graph serves
//     such pages when it filters after paging.
//   - A next link is followed only when the caller's Check accepts it
//     (graphclient.NextLinkWithin: within the configured endpoint, with no
//     dot segment, for Graph and Resource Manager alike), and never twice
//     within one listing.
//
// Chain applies them to one listing page by page, for callers that decide
// themselves when to ask for the next page (the plan of collector/plan);
// Each runs whole listings side by side. The package does no I/O: the
// caller's Fetch reads and decodes the pages, so the same rules hold in
// the plan, which must stay free of HTTP, and at the door to Azure.
package paging
