package azuresim

import (
	"slices"
	"strings"
	"time"
)

type propKind int

const (
	kindString propKind = iota
	kindDateTime
	kindInt64
	kindBool
	kindComplex // an object whose properties $select can pick with a path
)

func (k propKind) edmName() string {
	switch k {
	case kindDateTime:
		return "Edm.DateTimeOffset"
	case kindInt64:
		return "Edm.Int64"
	case kindBool:
		return "Edm.Boolean"
	case kindComplex:
		return "Edm.ComplexType"
	}
	return "Edm.String"
}

type propDef struct {
	name       string
	kind       propKind
	filterable bool
	// filterOps, when set, are the only operators $filter may apply to
	// the property, by the names operatorKind gives them ("contains" for
	// the function); nil allows every operator of its kind.
	filterOps []string
	// unsetZero writes a zero time the way Graph writes a time that was
	// never set, rather than with seven fractional digits.
	unsetZero bool
	// complexType and subProps describe a kindComplex property: its type
	// name and its properties in wire order.
	complexType string
	subProps    []string
	// picked is, for a property parseSelect narrowed with a path such as
	// result/type, the properties selected; nil selects all of them.
	picked []string
}

// richRecord is a record with properties other than strings and times.
type richRecord interface {
	// value is the JSON value of a property of kindInt64, kindBool or
	// kindComplex; for a complex one, only p.picked (nil: all).
	value(p propDef) any
}

// entityType describes what a collection's items look like on the wire.
type entityType struct {
	name  string    // OData type name, used in messages
	props []propDef // in the order Graph writes them
}

func (et *entityType) prop(name string) (propDef, bool) {
	for _, p := range et.props {
		if p.name == name {
			return p, true
		}
	}
	return propDef{}, false
}

// sessionType: which properties $filter accepts is undocumented; the two
// timestamps are what the exporter needs and what the notes expect to work.
func sessionType() *entityType {
	return &entityType{
		name: "microsoft.graph.securityCopilot.session",
		props: []propDef{
			{name: "id", kind: kindString},
			{name: "createdDateTime", kind: kindDateTime, filterable: true},
			{name: "lastModifiedDateTime", kind: kindDateTime, filterable: true},
			{name: "displayName", kind: kindString},
		},
	}
}

func workspaceType() *entityType {
	return &entityType{
		name: "microsoft.graph.securityCopilot.workspace",
		props: []propDef{
			{name: "id", kind: kindString, filterable: true},
			{name: "displayName", kind: kindString, filterable: true},
		},
	}
}

// parseSelect returns the selected properties in wire order; nil means all.
func parseSelect(et *entityType, q queryOptions) ([]propDef, error) {
	if !q.hasSelect {
		return et.props, nil
	}
	// chosen maps a selected property to the sub-properties selected
	// with paths; an empty, non-nil list means the whole property.
	chosen := make(map[string][]string)
	for _, item := range strings.Split(q.selectList, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			return nil, badRequest("The $select expression '%s' is empty or has an empty item.", q.selectList)
		case item == "*":
			return et.props, nil
		}
		head, path, isPath := strings.Cut(item, "/")
		p, ok := et.prop(head)
		if !ok {
			return nil, badRequest("Could not find a property named '%s' on type '%s'.", head, et.name)
		}
		sub, err := selectPath(p, path, isPath)
		if err != nil {
			return nil, err
		}
		chosen[head] = mergePicked(chosen[head], sub, isPath)
	}
	var out []propDef
	for _, p := range et.props {
		picked, ok := chosen[p.name]
		if !ok {
			continue
		}
		if len(picked) > 0 {
			p.picked = picked
			slices.SortFunc(p.picked, func(a, b string) int { return slices.Index(p.subProps, a) - slices.Index(p.subProps, b) })
		}
		out = append(out, p)
	}
	return out, nil
}

// selectPath checks the part of a $select item after the first "/": one
// property of a complex property.
func selectPath(p propDef, path string, isPath bool) (string, error) {
	if !isPath {
		return "", nil
	}
	sub, _, _ := strings.Cut(path, "/")
	if p.kind != kindComplex {
		return "", badRequest("Could not find a property named '%s' on type '%s'.", sub, p.kind.edmName())
	}
	if sub != path || !slices.Contains(p.subProps, sub) {
		return "", badRequest("Could not find a property named '%s' on type '%s'.", path, p.complexType)
	}
	return sub, nil
}

// mergePicked adds one $select item to what was chosen of a property so
// far: the whole property, once selected, wins over any path.
func mergePicked(sofar []string, sub string, isPath bool) []string {
	whole := sofar != nil && len(sofar) == 0
	switch {
	case whole:
		return sofar
	case !isPath:
		return []string{}
	case slices.Contains(sofar, sub):
		return sofar
	}
	return append(sofar, sub)
}

// graphTimeLayout is how Graph writes DateTimeOffset values: up to seven
// fractional digits, trailing zeros left out, and Z. So most times have
// seven digits, one in ten has six (the docs show both:
// 2025-10-15T15:54:58.4862768Z and 2025-10-22T20:12:13.759634Z), and a
// whole second has none.
const graphTimeLayout = "2006-01-02T15:04:05.9999999Z"

func formatGraphTime(t time.Time) string { return t.UTC().Format(graphTimeLayout) }

// unsetGraphTime is how Graph writes a time that was never set.
const unsetGraphTime = "0001-01-01T00:00:00Z"

// toJSON writes a record with the given properties in wire order.
func toJSON(r record, props []propDef) jsonObject {
	obj := make(jsonObject, 0, len(props))
	for _, p := range props {
		var v any
		switch p.kind {
		case kindDateTime:
			t := r.timeValue(p.name)
			v = formatGraphTime(t)
			if p.unsetZero && t.IsZero() {
				v = unsetGraphTime
			}
		case kindString:
			if s, ok := r.stringValue(p.name); ok {
				v = s
			}
		default:
			if rr, ok := r.(richRecord); ok {
				v = rr.value(p)
			}
		}
		obj = append(obj, jsonField{p.name, v})
	}
	return obj
}

func selectSuffix(props []propDef, q queryOptions) string {
	if !q.hasSelect {
		return ""
	}
	var names []string
	for _, p := range props {
		if p.picked == nil {
			names = append(names, p.name)
		}
		for _, sub := range p.picked {
			names = append(names, p.name+"/"+sub)
		}
	}
	return "(" + strings.Join(names, ",") + ")"
}
