package plan

import (
	"errors"
	"fmt"
)

// Whether Graph honours $filter is asked with one request, where finding it
// out by a round of counts would cost a round on top of a listing: before a
// listed workspace is first counted, and once a day after a fallback.

// probe is a count of a filter no session matches, on lastModifiedDateTime:
// a Graph that refuses $filter, ignores it, or ignores it on that property
// alone answers it with an error or with sessions.
func (r *reader) probe() Request {
	return r.count(Filter{{Prop: LastModified, Op: LT, Time: unset}}, 1)
}

// honoured says an answer to the probe shows Graph applying its filter.
func honoured(a Answer) bool {
	return a.Err == nil && a.Page.HasCount && a.Page.Count == 0 && len(a.Page.Sessions) == 0
}

// notHonoured says why an answer to the probe shows Graph not honouring
// $filter, or "" when it does not: an error other than a refusal says
// nothing of $filter, and the probe is sent again on the next read.
func notHonoured(a Answer) string {
	switch {
	case errors.Is(a.Err, ErrRefused):
		return fmt.Sprintf("$filter refused: %v", a.Err)
	case a.Err != nil:
		return ""
	case !a.Page.HasCount:
		return "no @odata.count with $count=true and $filter"
	case a.Page.Count > 0 || len(a.Page.Sessions) > 0:
		return fmt.Sprintf("$filter ignored: a filter no session matches matched %d", max(a.Page.Count, int64(len(a.Page.Sessions))))
	}
	return ""
}
