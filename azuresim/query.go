package azuresim

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// queryOptions are the OData system query options of one request.
type queryOptions struct {
	count        bool
	filter       string
	hasFilter    bool
	selectList   string
	hasSelect    bool
	top          int
	hasTop       bool
	skipToken    string
	hasSkipToken bool
	// expand is $expand, which only session listings accept (see
	// Faults.Expand).
	expand    string
	hasExpand bool
	// canonical is every option but $skiptoken, sorted and re-encoded: the
	// query a $skiptoken pins and a nextLink repeats.
	canonical string
}

// Options each kind of endpoint accepts, lower-case. The collections accept
// what the API reference documents for sessions; $skiptoken is how paging
// continues.
const (
	collectionOptions = "$count $filter $select $top $skiptoken"
	entityOptions     = "$select"
	countOptions      = "$filter"
)

// odataOptionName returns the name ASP.NET OData gives a system query option
// in its messages, and whether the option is an OData system option at all.
func odataOptionName(lower string) (string, bool) {
	switch lower {
	case "$filter":
		return "Filter", true
	case "$select":
		return "Select", true
	case "$expand":
		return "Expand", true
	case "$orderby":
		return "OrderBy", true
	case "$top":
		return "Top", true
	case "$skip":
		return "Skip", true
	case "$count":
		return "Count", true
	case "$search":
		return "Search", true
	case "$format":
		return "Format", true
	case "$skiptoken":
		return "SkipToken", true
	case "$deltatoken":
		return "DeltaToken", true
	case "$apply":
		return "Apply", true
	case "$compute":
		return "Compute", true
	case "$levels":
		return "Levels", true
	case "$index":
		return "Index", true
	}
	return "", false
}

// parseQuery validates the query string against the options an endpoint
// allows (a space-separated list).
func parseQuery(rawQuery, allowed string) (queryOptions, error) {
	var q queryOptions
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return q, badRequest("The query string is malformed: %v", err)
	}
	opts := make(map[string]string)
	names := make([]string, 0, len(values))
	for name, vs := range values {
		if !strings.HasPrefix(name, "$") {
			continue // custom query parameters do not change a Graph answer
		}
		lower := strings.ToLower(name)
		if _, dup := opts[lower]; dup || len(vs) > 1 {
			return q, badRequest("Query option '%s' was specified more than once, but it must be specified at most once.", lower)
		}
		opts[lower] = vs[0]
		names = append(names, lower)
	}
	slices.Sort(names) // so that messages and the canonical form do not depend on map order
	allow := strings.Fields(allowed)
	for _, name := range names {
		if slices.Contains(allow, name) {
			continue
		}
		if pascal, ok := odataOptionName(name); ok {
			return q, badRequest("Query option '%s' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.", pascal)
		}
		return q, badRequest("The query parameter '%s' is not supported.", name)
	}
	var canonical []string
	for _, name := range names {
		v := opts[name]
		switch name {
		case "$count":
			switch strings.ToLower(v) {
			case "true":
				q.count = true
			case "false":
			default:
				return q, badRequest("'%s' is not a valid count option.", v)
			}
		case "$filter":
			q.filter, q.hasFilter = v, true
		case "$select":
			q.selectList, q.hasSelect = v, true
		case "$top":
			n, err := parseTop(v)
			if err != nil {
				return q, err
			}
			q.top, q.hasTop = n, true
		case "$skiptoken":
			q.skipToken, q.hasSkipToken = v, true
			continue
		case "$expand":
			q.expand, q.hasExpand = v, true
		}
		canonical = append(canonical, name+"="+queryEscape(v))
	}
	q.canonical = strings.Join(canonical, "&")
	return q, nil
}

func parseTop(v string) (int, error) {
	invalid := badRequest("Invalid value '%s' for $top query option found. The $top query option requires a non-negative integer value.", v)
	if v == "" || strings.Trim(v, "0123456789") != "" {
		return 0, invalid
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalid
	}
	return n, nil
}

// queryEscape escapes a query value with %20 for spaces: "+" would be read
// back as a space too, but %20 is what Graph itself writes.
func queryEscape(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}
