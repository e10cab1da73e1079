package azuresim

import "strings"

type routeKind int

const (
	routeUnknown routeKind = iota
	routeWorkspaces
	routeWorkspace
	routeSessions
	routeSessionCount
	routeSession
	routePrompts
	routePrompt
	routeEvaluations
	routeEvaluation
	routePlugins
)

// route is a parsed Graph path.
type route struct {
	kind         routeKind
	bucket       string // Stats.ByPath key
	workspaceID  string // set for every path under a workspace
	underWS      bool
	sessionID    string
	promptID     string
	evaluationID string
	err          *apiError // for routeUnknown: what to answer
}

// parseRoute maps the path after /beta. Fixed segments are matched without
// regard to case, as Graph does; ids are matched exactly.
func parseRoute(escaped string) route {
	segs, err := splitPath(escaped)
	if err != nil {
		return route{bucket: PathOther, err: badRequest("The request URI is malformed: %v", err)}
	}
	fixed := []string{"security", "securityCopilot", "workspaces"}
	for i, want := range fixed {
		if i >= len(segs) {
			return route{bucket: PathOther, err: notFound("The requested resource was not found.")}
		}
		if !strings.EqualFold(segs[i], want) {
			return route{bucket: PathOther, err: segmentNotFound(segs[i])}
		}
	}
	rest := segs[len(fixed):]
	if len(rest) == 0 {
		return route{kind: routeWorkspaces, bucket: PathWorkspaces}
	}
	rt := route{bucket: PathOther, workspaceID: rest[0], underWS: true}
	switch {
	case rest[0] == "":
		return route{bucket: PathOther, err: segmentNotFound("")}
	case len(rest) == 1:
		rt.kind, rt.bucket = routeWorkspace, PathWorkspaces
	case strings.EqualFold(rest[1], "plugins"):
		// Only the listing is documented: a plugin has no id to GET it by.
		rt.bucket = PathPlugins
		if len(rest) == 2 {
			rt.kind = routePlugins
		} else {
			rt.err = segmentNotFound(rest[2])
		}
	case !strings.EqualFold(rest[1], "sessions"):
		rt.err = segmentNotFound(rest[1])
	default:
		rt.bucket = PathSessions
		switch {
		case len(rest) == 2:
			rt.kind = routeSessions
		case len(rest) == 3 && strings.EqualFold(rest[2], "$count"):
			rt.kind = routeSessionCount
		case rest[2] == "":
			rt.err = segmentNotFound("")
		case len(rest) == 3:
			rt.kind, rt.sessionID = routeSession, rest[2]
		default:
			rt.sessionID = rest[2]
			parseSessionChild(&rt, rest[3:])
		}
	}
	return rt
}

// parseSessionChild maps what follows sessions/{id}: prompts/{id} and
// evaluations/{id}, alternating a fixed segment and an id.
func parseSessionChild(rt *route, rest []string) {
	steps := []struct {
		segment string
		bucket  string
		list    routeKind
		one     routeKind
		id      *string
	}{
		{"prompts", PathPrompts, routePrompts, routePrompt, &rt.promptID},
		{"evaluations", PathEvaluations, routeEvaluations, routeEvaluation, &rt.evaluationID},
	}
	for _, st := range steps {
		if !strings.EqualFold(rest[0], st.segment) {
			rt.err = segmentNotFound(rest[0])
			return
		}
		rt.bucket = st.bucket
		switch {
		case len(rest) == 1:
			rt.kind = st.list
			return
		case rest[1] == "":
			rt.err = segmentNotFound("")
			return
		}
		*st.id = rest[1]
		if len(rest) == 2 {
			rt.kind = st.one
			return
		}
		rest = rest[2:]
	}
	// Nothing below an evaluation is simulated.
	rt.err = segmentNotFound(rest[0])
}

func segmentNotFound(seg string) *apiError {
	return badRequest("Resource not found for the segment '%s'.", seg)
}
