package graphsim

import (
	"strings"
	"time"
)

type propKind int

const (
	kindString propKind = iota
	kindDateTime
)

func (k propKind) edmName() string {
	if k == kindDateTime {
		return "Edm.DateTimeOffset"
	}
	return "Edm.String"
}

type propDef struct {
	name       string
	kind       propKind
	filterable bool
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
	chosen := make(map[string]bool)
	for _, item := range strings.Split(q.selectList, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
			return nil, badRequest("The $select expression '%s' is empty or has an empty item.", q.selectList)
		case item == "*":
			return et.props, nil
		}
		if _, ok := et.prop(item); !ok {
			return nil, badRequest("Could not find a property named '%s' on type '%s'.", item, et.name)
		}
		chosen[item] = true
	}
	var out []propDef
	for _, p := range et.props {
		if chosen[p.name] {
			out = append(out, p)
		}
	}
	return out, nil
}

// graphTimeLayout is how Graph writes DateTimeOffset values: always seven
// fractional digits and Z.
const graphTimeLayout = "2006-01-02T15:04:05.0000000Z"

func formatGraphTime(t time.Time) string { return t.UTC().Format(graphTimeLayout) }

// toJSON writes a record with the given properties in wire order.
func toJSON(r record, props []propDef) jsonObject {
	obj := make(jsonObject, 0, len(props))
	for _, p := range props {
		var v any
		if p.kind == kindDateTime {
			v = formatGraphTime(r.timeValue(p.name))
		} else if s, ok := r.stringValue(p.name); ok {
			v = s
		}
		obj = append(obj, jsonField{p.name, v})
	}
	return obj
}

func selectSuffix(props []propDef, q queryOptions) string {
	if !q.hasSelect {
		return ""
	}
	names := make([]string, len(props))
	for i, p := range props {
		names[i] = p.name
	}
	return "(" + strings.Join(names, ",") + ")"
}
