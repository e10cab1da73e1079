// Package plan decides how to read one workspace's session numbers exactly
// with the fewest Graph requests. It speaks only "list the sessions where…"
// and "count the sessions where…" through a Source, and knows nothing of
// HTTP, OData or batching: the caller's Source turns Requests into Graph
// calls (and retries throttled ones) however it likes.
//
// The numbers a read returns are exact, each for the workspace as Graph
// served it at one instant of the read, or Read returns an error: never a
// wrong number. Windows count "timestamp ge start"; a timestamp Graph did not
// set (zero) counts as a session but falls in no window and is never an
// extreme; a future one falls in every window. Times are compared in 100 ns
// ticks, Graph's precision.
//
// A read starts with one request for a page of $top sessions and
// $count=true. A workspace that fits in it is read in that one request. The
// page size Graph serves is learned from a page that has a next one, never
// assumed from $top: Graph may serve fewer. A workspace of a few pages is
// listed; its extremes are remembered, so that when it is larger than what
// counting costs, the next reads count instead.
//
// A listed workspace of a few pages is partitioned once Graph is known to
// honour $filter: the next read sends, in one round, the unfiltered first
// page with $count=true beside one request per createdDateTime range that
// held at most a page at the last read; the first page held, then, every
// session on one side of the ranges (Graph lists oldest or newest first).
// Ranges are disjoint and a creation never moves, so the distinct sessions
// of the answers are every session exactly when they are as many as the
// first page's @odata.count, and each range lists as many as its own
// count; a range grown past a page is read on, and the first page's listing
// too while sessions are missing, side by side in further rounds.
// Otherwise the workspace is listed, and planned anew. A partition is
// planned only when it costs no more than listing even after a tenth of a
// page and four sessions are created, or deleted, before the next read;
// both at once, beyond the room left, can cost one request more. Planning
// asks whether Graph honours $filter with one request, once. A partition
// whose answers leave sessions out is not planned again for a day.
//
// A counted read sends one round: the total, a count per window and
// timestamp, and three checks of the extremes found last time, each listing
// the sessions at or beyond a point a few sessions short of one of them
// (2 × windows + 4 requests). A check that is not empty holds the current
// extreme, since anything newer (or older) would match it too, and its
// margin lets the extreme itself be deleted. Only when a check comes back
// empty or holding more than a page does a search run: rounds of counts at chosen times,
// narrowing to a time beyond which 1 to a page of sessions lie, which are
// listed, or to two adjacent ticks that pin the extreme. Sessions crowd
// towards the present (the last hour may hold more than the month before
// it), so the search for a newest value first places its counts by a power
// law of the age since the read's instant, fitted to the two nearest counts
// beyond it, which follows an even spread just as well. It spends no more
// than listing would have cost when it can, and gives up by listing what its
// counts bound. The first counted read searches from what the first page and
// the window counts suggest.
//
// More than a page of sessions on one tick (a batch created together, an
// import) cannot be listed by a check from that tick, and a search can only
// pin it. A check that holds such a tie is remembered as tied, and the next
// read also counts one tick beyond it, in the same round: nothing beyond
// and the tie still there pins the extreme again for one request.
//
// Graph's metadata marks no session property as filterable, so a $filter it
// silently ignores must be caught: the newest and the oldest checks are
// disjoint, and a Graph that ignores $filter counts the whole workspace in
// both, which no workspace can have; without checks, a filter no session can
// match is asked in the same round. A session in an answer that does not
// match its filter is the same evidence, and so is a shortest window that
// counts the whole workspace (a Graph ignoring $filter on one property).
// Then, or when Graph answers $filter with an error that means "not
// supported" (ErrRefused), the workspace is listed, going on from the first
// page when the read has one, and remembered as such for a day; the first
// read after it asks again with one request, a filter no session matches,
// beside the first page. A listed workspace about to be counted for the
// first time is asked the same, once, before the read that would count it.
// $count=true without @odata.count is listed too, and needs no memory:
// every listing asks for the count and sees it come back. Result.FellBack
// says why.
//
// So that no scrape after the first costs more requests than listing every
// page: a workspace whose read failed starts its next read with the first
// page alone, as listing does, before it counts (a workspace that answers
// 404 costs one request a read); a search that cannot afford another round
// of probes and the listing of its bracket lists the bracket at once.
//
// A listing is exact or fails. Graph may page by offset, so a session
// created during a listing can appear twice (sessions are told apart by id)
// and one deleted can make another never appear. The listing is accepted
// only when every page that carries @odata.count carries the same one and
// exactly that many distinct sessions were listed; otherwise it is listed
// once more, then the read fails. Two limits no client can see past: a
// creation and a deletion between the same two pages leave the count as it
// was, and without @odata.count at all only a single creation during a
// listing is known to be harmless.
//
// Memory, which the caller keeps per workspace after every read, failed or
// not, holds a few flags and timestamps: the served page size, whether the
// workspace is counted, whether Graph honours $filter, until when it is
// listed, whether the last read failed, the extremes to check, with their
// ties, and the bounds of a partition's ranges (at most 20). Nothing per
// session.
package plan
