package azuresim

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// predicate reports whether a record matches a $filter.
type predicate func(record) bool

// dateTimeOffsetLiteral is OData's DateTimeOffset literal, limited to the
// seven fractional digits Graph stores. Seconds are optional, as in OData.
var dateTimeOffsetLiteral = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$`)

type tokenKind int

const (
	tokWord tokenKind = iota
	tokString
	tokOpen
	tokClose
	tokComma
	tokEOF
)

type token struct {
	kind tokenKind
	text string // unquoted for strings
	pos  int
}

func lexFilter(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			toks = append(toks, token{tokOpen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tokClose, ")", i})
			i++
		case c == ',':
			toks = append(toks, token{tokComma, ",", i})
			i++
		case c == '\'':
			start := i
			var b strings.Builder
			for i++; ; i++ {
				if i >= len(src) {
					return nil, badRequest("Syntax error: unterminated string literal at position %d in '%s'.", start, src)
				}
				if src[i] == '\'' {
					if i+1 < len(src) && src[i+1] == '\'' { // '' is an escaped quote
						b.WriteByte('\'')
						i++
						continue
					}
					i++
					break
				}
				b.WriteByte(src[i])
			}
			toks = append(toks, token{tokString, b.String(), start})
		default:
			start := i
			for i < len(src) && !strings.ContainsRune(" \t(),'", rune(src[i])) {
				i++
			}
			if i < len(src) && src[i] == '\'' {
				return nil, badRequest("Syntax error at position %d in '%s'.", i, src)
			}
			toks = append(toks, token{tokWord, src[start:i], start})
		}
	}
	return append(toks, token{tokEOF, "", len(src)}), nil
}

type filterParser struct {
	src  string
	toks []token
	pos  int
	et   *entityType
}

// parseFilter compiles a $filter for a collection of et.
func parseFilter(src string, et *entityType) (predicate, error) {
	if strings.TrimSpace(src) == "" {
		return nil, badRequest("The $filter expression must not be empty.")
	}
	toks, err := lexFilter(src)
	if err != nil {
		return nil, err
	}
	p := &filterParser{src: src, toks: toks, et: et}
	pred, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.unexpected(t)
	}
	return pred, nil
}

func (p *filterParser) peek() token { return p.toks[p.pos] }

func (p *filterParser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *filterParser) unexpected(t token) error {
	switch {
	case t.kind == tokEOF:
		return badRequest("Syntax error: unexpected end of $filter expression '%s'.", p.src)
	case t.kind == tokWord && (strings.EqualFold(t.text, "or") || strings.EqualFold(t.text, "not")):
		return badRequest("Invalid filter clause: the operator '%s' is not supported; only 'and' can combine comparisons.", t.text)
	}
	return badRequest("Syntax error at position %d in '%s'.", t.pos, p.src)
}

// expr := factor { "and" factor }
func (p *filterParser) expr() (predicate, error) {
	left, err := p.factor()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tokWord && strings.EqualFold(t.text, "and"); t = p.peek() {
		p.next()
		right, err := p.factor()
		if err != nil {
			return nil, err
		}
		l := left
		left = func(r record) bool { return l(r) && right(r) }
	}
	return left, nil
}

// factor := "(" expr ")" | comparison
func (p *filterParser) factor() (predicate, error) {
	if p.peek().kind == tokOpen {
		p.next()
		inner, err := p.expr()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != tokClose {
			return nil, p.unexpected(t)
		}
		return inner, nil
	}
	return p.comparison()
}

// comparison := property operator literal
func (p *filterParser) comparison() (predicate, error) {
	name := p.next()
	if name.kind != tokWord || strings.EqualFold(name.text, "not") {
		return nil, p.unexpected(name)
	}
	if p.peek().kind == tokOpen {
		if name.text == "contains" {
			return p.contains()
		}
		return nil, badRequest("Invalid filter clause: the function '%s' is not supported.", name.text)
	}
	prop, err := p.filterProp(name)
	if err != nil {
		return nil, err
	}
	opTok := p.next()
	op, ok := operatorKind(opTok.text)
	if opTok.kind != tokWord || !ok {
		return nil, p.unexpected(opTok)
	}
	if !prop.allows(op) {
		return nil, badRequest("Invalid filter clause: the operator kind '%s' is not supported for the property '%s'.", op, prop.name)
	}
	lit := p.next()
	switch lit.kind {
	case tokString:
		if prop.kind != kindString {
			return nil, incompatible(prop.kind.edmName(), "Edm.String", op)
		}
		return stringComparison(prop.name, op, &lit.text)
	case tokWord:
	default:
		return nil, p.unexpected(lit)
	}
	kind := literalKind(lit.text)
	switch {
	case kind == "null":
		return nullComparison(prop.name, prop.kind, op)
	case kind == "" && isIdentifier(lit.text):
		return nil, badRequest("Could not find a property named '%s' on type '%s'.", lit.text, p.et.name)
	case kind == "":
		return nil, badRequest("Syntax error at position %d in '%s'.", lit.pos, p.src)
	case kind != prop.kind.edmName():
		return nil, incompatible(prop.kind.edmName(), kind, op)
	case prop.kind == kindBool:
		return boolComparison(prop.name, op, lit.text == "true")
	}
	// Only a DateTimeOffset literal gets here: string literals are quoted.
	t, err := parseDateTimeOffset(lit.text)
	if err != nil {
		return nil, err
	}
	return timeComparison(prop.name, op, t), nil
}

// operatorKind maps an OData operator to the name OData uses in messages.
func operatorKind(op string) (string, bool) {
	switch strings.ToLower(op) {
	case "eq":
		return "Equal", true
	case "ne":
		return "NotEqual", true
	case "gt":
		return "GreaterThan", true
	case "ge":
		return "GreaterThanOrEqual", true
	case "lt":
		return "LessThan", true
	case "le":
		return "LessThanOrEqual", true
	}
	return "", false
}

func incompatible(left, right, op string) error {
	return badRequest("A binary operator with incompatible types was detected. Found operand types '%s' and '%s' for operator kind '%s'.", left, right, op)
}

// literalKind classifies an unquoted literal by its OData type name, or
// returns "" when it is not a literal.
func literalKind(s string) string {
	switch {
	case s == "null":
		return "null"
	case s == "true" || s == "false":
		return "Edm.Boolean"
	case dateTimeOffsetLiteral.MatchString(s):
		return "Edm.DateTimeOffset"
	case len(s) == 10 && s[4] == '-' && s[7] == '-' && strings.Trim(s, "0123456789-") == "":
		return "Edm.Date"
	case strings.Trim(strings.TrimPrefix(s, "-"), "0123456789") == "" && s != "-":
		return "Edm.Int32"
	case strings.Trim(strings.TrimPrefix(s, "-"), "0123456789.") == "" && strings.Count(s, ".") == 1 && len(s) > 1:
		return "Edm.Decimal"
	}
	return ""
}

func isIdentifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return s != ""
}

func parseDateTimeOffset(s string) (time.Time, error) {
	norm := s
	if len(s) >= 16 && (len(s) == 16 || s[16] != ':') { // no seconds: 2025-10-15T15:54Z
		norm = s[:16] + ":00" + s[16:]
	}
	t, err := time.Parse(time.RFC3339Nano, norm)
	if err != nil {
		return time.Time{}, badRequest("The DateTimeOffset text '%s' is not a valid DateTimeOffset value.", s)
	}
	return t, nil
}

func timeComparison(prop, op string, lit time.Time) predicate {
	var ok func(c int) bool
	switch op {
	case "Equal":
		ok = func(c int) bool { return c == 0 }
	case "NotEqual":
		ok = func(c int) bool { return c != 0 }
	case "GreaterThan":
		ok = func(c int) bool { return c > 0 }
	case "GreaterThanOrEqual":
		ok = func(c int) bool { return c >= 0 }
	case "LessThan":
		ok = func(c int) bool { return c < 0 }
	default:
		ok = func(c int) bool { return c <= 0 }
	}
	return func(r record) bool { return ok(r.timeValue(prop).Compare(lit)) }
}

// stringComparison compares with a string, or with null when lit is nil.
func stringComparison(prop, op string, lit *string) (predicate, error) {
	if op != "Equal" && op != "NotEqual" {
		return nil, badRequest("Invalid filter clause: the operator kind '%s' is not supported for the property '%s'.", op, prop)
	}
	want := op == "Equal"
	return func(r record) bool {
		v, ok := r.stringValue(prop)
		same := ok == (lit != nil) && (!ok || v == *lit)
		return same == want
	}, nil
}

func nullComparison(prop string, kind propKind, op string) (predicate, error) {
	if kind == kindString {
		return stringComparison(prop, op, nil)
	}
	switch op {
	case "Equal": // the timestamps are never null
		return func(record) bool { return false }, nil
	case "NotEqual":
		return func(record) bool { return true }, nil
	}
	return nil, incompatible(kind.edmName(), "<null>", op)
}
