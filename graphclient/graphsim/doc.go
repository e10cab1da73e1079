// Package graphsim simulates the two Microsoft services the exporter talks to:
// the Microsoft Graph beta endpoints for Security Copilot workspaces and
// sessions, and the Microsoft Entra ID v2.0 endpoints that azidentity (through
// MSAL) uses to get an app-only token with the client credentials flow.
//
// It is production code, not a test helper: the exporter's --demo mode runs it
// in-process and the project's tests run against it. It listens on 127.0.0.1
// only, over HTTPS with a certificate generated at start, because azcore
// refuses to send bearer tokens over plain HTTP. Server.Transport and
// Server.CertPool give clients the trust they need.
//
// Behaviour follows the real services where they are documented (see the
// project's notes on the Graph API) and makes explicit choices where they are
// silent, so that tests can rely on them:
//
//   - Access tokens are opaque random strings bound to the tenant they were
//     issued for. Graph paths carry no tenant, so a Graph request sees the data
//     of its token's tenant, as on the real service.
//   - Collections are served in a stable order: sessions by createdDateTime,
//     then id; workspaces by id. Paging is keyset based, so sessions added
//     while a client pages do not shift later pages.
//   - @odata.nextLink is an absolute URL carrying the original query options
//     and an opaque $skiptoken that pins them; a request whose options differ
//     from the ones pinned by its $skiptoken is answered with 400.
//   - $top sets the page size, capped by Options.MaxPageSize. $top=0 answers an
//     empty page without a nextLink, which is useful with $count=true.
//   - $select returns only the selected properties; id is not added.
//   - $filter accepts comparisons joined by "and", optionally parenthesised.
//     Sessions can be filtered on createdDateTime and lastModifiedDateTime with
//     eq, ne, gt, ge, lt and le against an unquoted DateTimeOffset literal;
//     workspaces on id and displayName with eq and ne against a quoted string.
//     "or", "not", functions and any other property are answered with 400.
//   - Query options the API reference does not document for an endpoint, such
//     as $orderby, $skip, $expand or $search, are answered with 400: what is not
//     documented is treated as unsupported. Option names are matched without
//     regard to case; query parameters without a leading "$" are ignored.
//   - Besides the listings, GET of a single workspace, of a single session and
//     of sessions/$count (text/plain) are served. Prompts, evaluations and
//     plugins are not simulated and answer 400 like any unknown segment.
//
// Faults such as throttling, latency, per-workspace errors, rejected filters,
// missing counts and token errors can be switched while serving with
// Server.SetFaults.
package graphsim
