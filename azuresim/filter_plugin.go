package azuresim

import (
	"slices"
	"strings"
)

// filterProp resolves the left operand of a comparison or the first
// argument of a function to a property $filter may use.
func (p *filterParser) filterProp(name token) (propDef, error) {
	prop, ok := p.et.prop(name.text)
	if !ok {
		if literalKind(name.text) != "" {
			return propDef{}, badRequest("Invalid filter clause: the left operand must be a property, found '%s'.", name.text)
		}
		return propDef{}, badRequest("Could not find a property named '%s' on type '%s'.", name.text, p.et.name)
	}
	if !prop.filterable {
		return propDef{}, badRequest("Invalid filter clause: filtering on the property '%s' is not supported.", prop.name)
	}
	return prop, nil
}

func (d propDef) allows(op string) bool {
	return d.filterOps == nil || slices.Contains(d.filterOps, op)
}

// contains := "contains" "(" property "," string ")"; the name was read
// and "(" is next. Only properties that list "contains" accept it.
func (p *filterParser) contains() (predicate, error) {
	p.next()
	name := p.next()
	if name.kind != tokWord {
		return nil, p.unexpected(name)
	}
	prop, err := p.filterProp(name)
	if err != nil {
		return nil, err
	}
	if prop.kind != kindString || prop.filterOps == nil || !prop.allows("contains") {
		return nil, badRequest("Invalid filter clause: the function 'contains' is not supported for the property '%s'.", prop.name)
	}
	if t := p.next(); t.kind != tokComma {
		return nil, p.unexpected(t)
	}
	lit := p.next()
	if lit.kind != tokString {
		return nil, p.unexpected(lit)
	}
	if t := p.next(); t.kind != tokClose {
		return nil, p.unexpected(t)
	}
	want := lit.text
	return func(r record) bool {
		v, ok := r.stringValue(prop.name)
		return ok && strings.Contains(v, want)
	}, nil
}

// boolRecord is a record with Boolean properties $filter can compare.
type boolRecord interface {
	boolValue(prop string) bool
}

func boolComparison(prop, op string, lit bool) (predicate, error) {
	if op != "Equal" && op != "NotEqual" {
		return nil, incompatible("Edm.Boolean", "Edm.Boolean", op)
	}
	want := op == "Equal"
	return func(r record) bool {
		br, ok := r.(boolRecord)
		return ok && (br.boolValue(prop) == lit) == want
	}, nil
}
