// Package azuresim simulates the Microsoft services the exporter talks to:
// the Microsoft Graph beta endpoints for Security Copilot workspaces,
// sessions, prompts and evaluations, the Microsoft Entra ID v2.0
// endpoints that azidentity (through MSAL) uses to get an app-only token
// with the client credentials flow and that MSAL's public client uses for
// delegated sign-in (device code and refresh token grants), and the Azure
// Resource Manager reads of Security Copilot capacities.
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
//   - Access tokens are shaped like Entra ID's: JWTs whose payload carries
//     tid, appid, idtyp "app" and, unless the RoleMissing fault is set, a
//     roles claim with SecurityCopilotWorkspaces.Read.All. Their signature
//     is random: Graph here looks tokens up, bound to the tenant they were
//     issued for. Graph paths carry no tenant, so a Graph request sees the
//     data of its token's tenant, as on the real service. A token without
//     a role that allows reading is answered 403 Forbidden, "Missing role
//     permissions".
//   - Delegated sign-in: POST {tenant}/oauth2/v2.0/devicecode starts a
//     device code sign-in for the tenant's ClientID (a public client, no
//     secret). Polls of the token endpoint (grant_type device_code, in the
//     long or the short form) answer authorization_pending until a test
//     calls Server.ApproveDeviceLogin with one of the tenant's Users,
//     slow_down for the first Faults.SlowDown polls, and
//     Faults.DeviceCodeError (e.g. AADSTS53003, Conditional Access) when
//     set. The answer carries a delegated access token (scp, upn, oid,
//     idtyp "user", no roles), a refresh token, an id token and
//     client_info. Each refresh_token grant answers a new refresh token
//     (rotation; the old one stays valid, as on Entra ID) or 400
//     invalid_grant: Faults.RefreshTokenError (AADSTS70008, 700082,
//     50076) or, after Server.RevokeSignIns, AADSTS50173.
//     Server.IssuedTokens lists what was issued, for leak tests.
//   - A delegated token reads Graph like an app-only one; with
//     Faults.OwnSessionsOnly it sees only the sessions whose Owner is its
//     user, in listings, counts and single sessions: one way Graph may
//     treat delegated listings, which Microsoft does not document.
//   - A workspace marked Default is also served under the id "default", as
//     Graph serves the workspace created at onboarding; listings and
//     entities show its real id, and listed workspaces carry @odata.type.
//   - Times are written with up to seven fractional digits and trailing
//     zeros left out, as OData serializers do, so both the docs' 7-digit
//     and 6-digit examples occur.
//   - Collections are served in a stable order: sessions, prompts and
//     evaluations by createdDateTime, then id; workspaces by id. Paging is
//     keyset based, so items added while a client pages do not shift later
//     pages. Faults.Listing (ListingQuirks) serves session listings the
//     other ways a Graph may: $top or $filter silently ignored, newest
//     first or in an arbitrary order, paged by offset.
//   - @odata.nextLink is an absolute URL carrying the original query options
//     and an opaque $skiptoken that pins them; a request whose options differ
//     from the ones pinned by its $skiptoken is answered with 400.
//   - $top sets the page size, capped by Options.MaxPageSize. $top=0 answers an
//     empty page without a nextLink, which is useful with $count=true.
//   - $select returns only the selected properties; id is not added. Names
//     are matched with regard to case. A path picks properties of a complex
//     property: $select=result/type serves an evaluation's result as
//     {"type":"…"} (null without a result), leaving its content out, while
//     $select=result serves it whole, with content and @odata.type. A path
//     on any other property answers 400.
//   - $filter accepts comparisons joined by "and", optionally parenthesised.
//     Sessions, prompts and evaluations can be filtered on createdDateTime
//     and lastModifiedDateTime with
//     eq, ne, gt, ge, lt and le against an unquoted DateTimeOffset literal;
//     workspaces on id and displayName with eq and ne against a quoted string.
//     "or", "not", functions and any other property are answered with 400.
//   - Query options the API reference does not document for an endpoint, such
//     as $orderby, $skip, $expand or $search, are answered with 400: what is not
//     documented is treated as unsupported. Option names are matched without
//     regard to case; query parameters without a leading "$" are ignored.
//   - Besides the listings, GET of a single workspace, of a single session and
//     of sessions/$count (text/plain) are served. A session's prompts are
//     served at sessions/{id}/prompts and a prompt's evaluations at
//     prompts/{id}/evaluations, as collections with the options of the
//     sessions listing and as single entities with $select. An unknown
//     session, prompt or evaluation answers 404 NotFound.
//   - A workspace's plugins are listed at workspaces/{id}/plugins by name,
//     with the sessions' options and listing quirks (ListingQuirks; the
//     newest-first order lists names descending). $filter accepts name
//     (eq, contains), displayName (eq) and isEnabled (eq, a Boolean
//     literal), as the plugin resource documents, and nothing else. A
//     plugin is written as name, displayName, description, category,
//     catalogScope, previewState, isEnabled, authorization (null or
//     {authType}), settings (each setting whole, a secretString's value
//     included) and supportedAuthTypes (null). plugins/{name} answers 400:
//     a plugin has no id. Faults.PluginStatusFor fails the listing alone.
//   - Prompts are written as id, type, content, skillName (null when
//     empty), createdDateTime, lastModifiedDateTime; content is served
//     unless $select leaves it out. Evaluations are written as id,
//     createdDateTime, runStartDateTime, completedDateTime,
//     lastModifiedDateTime (an unset one as 0001-01-01T00:00:00Z),
//     executionCount (a number), isCancelled, state and result: null (a
//     just-created evaluation) or
//     {"@odata.type":"#microsoft.graph.securityCopilot.evaluationResult",
//     "type":…,"content":…,"previewState":…}, content null when empty, as
//     for a running evaluation whose type is "unknown". Types, states and
//     result types are served as configured, members the metadata does not
//     list included.
//   - JSON batching: POST /beta/$batch with {"requests":[...]} runs up to 20
//     requests, each as the same standalone request would run, side by
//     side as Graph runs them (on at most GOMAXPROCS workers); what depends
//     on order (request counts, ThrottleEvery, DependencyFailed,
//     TransientFor, dependsOn and the request log) is decided in the order
//     given. The answer streams: an item is written, and flushed, once it
//     and every item before it in the answer are ready. Same query options, paging with
//     absolute nextLinks, OData error bodies and request-id. Item urls are
//     relative to /beta, with or without the leading "/"; an absolute url
//     answers that item 400. Every item gets the headers of the POST, the
//     bearer token included; the item's own headers override them, except
//     Authorization. An item whose dependsOn names a request that did not
//     succeed answers 424 without being run.
//   - A batch answers 200 with {"responses":[...]} in a shuffled order. The
//     order is never the request order and, for the same sequence of
//     batches, the same on every server, so that a test that fails on it
//     fails again. Each response has id, status, headers (without
//     Content-Length) and body: a JSON body as JSON, any other, such as the
//     text/plain of sessions/$count, as a base64 string, as Graph does.
//   - A batch is refused as a whole, with an OData error, when it has no
//     valid token (401), is not POST (405), or is not JSON, holds no or more
//     than 20 requests, repeats an id, lacks an id, method or url, or
//     depends on a request that does not come before it (400).
//
// Azure Resource Manager listens on another loopback host (ARMEndpoint:
// [::1], or another port of 127.0.0.1 without IPv6), with the same
// certificate. The token endpoint issues tokens for either resource's
// .default scope (Scope, ARMScope), each bound to that audience, and each
// service refuses the other's tokens with 401. It serves
// GET /subscriptions/{id}/providers/Microsoft.SecurityCopilot/capacities,
// paged by Options.ARMPageSize with an absolute nextLink carrying
// $skipToken, and GET of one capacity by resource id, for api-versions
// 2023-12-01-preview and 2024-11-01-preview, with Resource Manager's error
// bodies: 403 AuthorizationFailed without Reader (Subscription.NoReader),
// 404 for a subscription without the provider (Subscription.NoProvider),
// 404 SubscriptionNotFound, ResourceGroupNotFound and ResourceNotFound,
// 401 InvalidAuthenticationTokenTenant for another tenant's subscription,
// and 429 with Retry-After from Server.SetARMFaults.
//
// Faults such as throttling, latency, per-workspace errors and transient
// per-workspace errors (both apply to everything under the workspace,
// prompts and evaluations included), broken session listing answers (cut
// short, reset, empty, mistyped, HTML, oversized, slow, with a bad count,
// timestamp or nextLink), rejected filters, missing counts, token errors, a
// slow token endpoint, refused batches, lost or repeated batch answers and
// failed dependencies can be switched while serving with Server.SetFaults.
// Inside a batch each request meets the faults on its own, as on Graph,
// except Latency, which delays each HTTP request once, and the listing
// faults that delay or reset an answer, which delay or reset the rest of
// the batch's answer from that item on. Server.DeleteWorkspace deletes a workspace while serving;
// Server.AddPrompt, UpdatePrompt and PutEvaluation change prompts and
// evaluations, and GeneratePrompts and live mode make realistic ones;
// Server.SetPlugin adds or changes a plugin, and GeneratePlugins makes a
// workspace's plugins.
package azuresim
