package graphclient

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Session properties that can be selected and filtered on.
const (
	PropCreated      = "createdDateTime"
	PropLastModified = "lastModifiedDateTime"
)

// Comparison operators of OData $filter.
const (
	OpGE = "ge"
	OpGT = "gt"
	OpLT = "lt"
	OpLE = "le"
)

// Condition is one comparison of a timestamp property with a point in time.
type Condition struct {
	Property string
	Op       string
	Time     time.Time
}

// Filter is a conjunction of conditions; empty means no $filter.
type Filter []Condition

func (f Filter) String() string {
	parts := make([]string, len(f))
	for i, c := range f {
		// DateTimeOffset literals are unquoted: quoting makes them strings,
		// which OData rejects as a type mismatch.
		parts[i] = c.Property + " " + c.Op + " " + FormatTimestamp(c.Time)
	}
	return strings.Join(parts, " and ")
}

// Query holds the OData system query options of a collection request.
type Query struct {
	Count  bool
	Filter Filter
	Select []string
	Top    int
	// Expand is a $expand value, sent as written but for ';', which Go's
	// and other servers' query parsers take for a separator.
	Expand string
}

// Encode renders the query string. url.Values would sort the keys and escape
// '$' and ',' too; Graph accepts either, but keeping them readable makes the
// request log useful.
func (q Query) Encode() string {
	var parts []string
	if q.Count {
		parts = append(parts, "$count=true")
	}
	if len(q.Filter) > 0 {
		parts = append(parts, "$filter="+escapeQueryValue(q.Filter.String()))
	}
	if q.Expand != "" {
		parts = append(parts, "$expand="+strings.ReplaceAll(q.Expand, ";", "%3B"))
	}
	if len(q.Select) > 0 {
		parts = append(parts, "$select="+strings.Join(q.Select, ","))
	}
	if q.Top > 0 {
		parts = append(parts, "$top="+strconv.Itoa(q.Top))
	}
	return strings.Join(parts, "&")
}

func escapeQueryValue(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
