package azuresim

import (
	"strconv"
	"strings"
)

// ExpandMode is how a session listing answers
// $expand=prompts($select=…;$count=true), a standard OData 4.0 expansion
// of the containment navigation property that Microsoft does not document
// for this API. Each mode is one way a Graph could answer it.
type ExpandMode int

const (
	// ExpandHonoured serves every prompt of each session inline, and
	// prompts@odata.count when the expansion asks for $count=true.
	ExpandHonoured ExpandMode = iota
	// ExpandNoCount serves every prompt but never a count.
	ExpandNoCount
	// ExpandTruncated serves at most ExpandLimit prompts per session, with
	// the count of all of them and no sign of the cut besides.
	ExpandTruncated
	// ExpandNextLink serves at most ExpandLimit prompts per session, with
	// the count and a prompts@odata.nextLink when more follow.
	ExpandNextLink
	// ExpandIgnored accepts $expand and serves sessions without prompts.
	ExpandIgnored
	// ExpandRefused answers 400 for $expand, as for any option a listing
	// does not allow.
	ExpandRefused
)

// expansion is a parsed $expand=prompts(...).
type expansion struct {
	props []propDef
	count bool
	top   int // 0: no $top
}

// sessionOptions are the options a session listing accepts under faults.
func sessionOptions(faults Faults) string {
	if faults.Expand == ExpandRefused {
		return collectionOptions
	}
	return collectionOptions + " $expand"
}

// parseExpand reads $expand: only prompts, with $select, $count and $top
// inside, separated by ';', as OData writes nested options.
func parseExpand(q queryOptions) (*expansion, error) {
	if !q.hasExpand {
		return nil, nil
	}
	name, inner, nested := strings.Cut(q.expand, "(")
	if !strings.EqualFold(strings.TrimSpace(name), "prompts") {
		return nil, badRequest("Could not find a property named '%s' on type 'microsoft.graph.securityCopilot.session'.", name)
	}
	ex := &expansion{props: promptType().props}
	if !nested {
		return ex, nil
	}
	body, ok := strings.CutSuffix(inner, ")")
	if !ok {
		return nil, badRequest("Syntax error at position %d in '%s'.", len(q.expand), q.expand)
	}
	for opt := range strings.SplitSeq(body, ";") {
		k, v, _ := strings.Cut(opt, "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "$select":
			props, err := parseSelect(promptType(), queryOptions{selectList: v, hasSelect: true})
			if err != nil {
				return nil, err
			}
			ex.props = props
		case "$count":
			ex.count = strings.EqualFold(v, "true")
		case "$top":
			n, err := parseTop(v)
			if err != nil {
				return nil, err
			}
			ex.top = n
		default:
			return nil, badRequest("The query option '%s' is not supported in $expand.", k)
		}
	}
	return ex, nil
}

// expandPrompts adds each session's prompts to its item as the mode says.
// The caller holds store.mu.
func (ex *expansion) expandPrompts(items []jsonObject, page []Session, ws *workspaceState, faults Faults, sessionsURL string) {
	if ex == nil || faults.Expand == ExpandIgnored {
		return
	}
	limit := faults.ExpandLimit
	if limit <= 0 {
		limit = 2
	}
	for i, sess := range page {
		all := ws.prompts[sess.ID]
		served := all
		if ex.top > 0 && len(served) > ex.top {
			served = served[:ex.top]
		}
		cut := faults.Expand == ExpandTruncated || faults.Expand == ExpandNextLink
		if cut && len(served) > limit {
			served = served[:limit]
		}
		if ex.count && faults.Expand != ExpandNoCount && !faults.OmitCount {
			items[i] = append(items[i], jsonField{"prompts@odata.count", len(all)})
		}
		if faults.Expand == ExpandNextLink && len(served) < len(all) {
			link := sessionsURL + "/" + odataKey(sess.ID) + "/prompts?$skip=" + strconv.Itoa(len(served))
			items[i] = append(items[i], jsonField{"prompts@odata.nextLink", link})
		}
		prompts := make([]jsonObject, len(served))
		for k := range served {
			prompts[k] = toJSON(&served[k], ex.props)
		}
		items[i] = append(items[i], jsonField{"prompts", prompts})
	}
}
