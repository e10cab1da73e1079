package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decode decodes exactly one YAML document into cfg and returns every
// problem it finds, each naming its key path and line: bad durations,
// unknown keys (a typo must not silently leave a default in place) and
// values of the wrong type. read is false when the document could not be
// read at all (bad syntax, not a mapping), so that validating what was
// decoded would make no sense. An empty document leaves cfg untouched;
// validation then reports the missing tenants.
func decode(data []byte, cfg *Config) (errs []error, read bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		return []error{err}, false
	}
	// A second document would be ignored by Decode; refuse it rather than
	// silently run with half of what the user wrote.
	if err := dec.Decode(new(yaml.Node)); !errors.Is(err, io.EOF) {
		return []error{errors.New("the file holds more than one YAML document; put the whole configuration in one")}, false
	}
	root := doc.Content[0]
	// yaml's own error for a lone value quotes its start, and a lone value
	// is what a secret file holds: --config.file pointed at one must not
	// put the secret's first characters in the log.
	if root.Kind == yaml.ScalarNode && root.ShortTag() != "!!null" {
		return []error{fmt.Errorf("line %d: the file holds a single value, not a mapping of settings", root.Line)}, false
	}
	if root.Kind == yaml.SequenceNode {
		return []error{fmt.Errorf("line %d: the file holds a list, not a mapping of settings", root.Line)}, false
	}
	errs = checkDurations(&doc)
	errs = append(errs, checkTree(root, reflect.TypeFor[Config](), "")...)
	if err := doc.Decode(cfg); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return append(errs, err), false
		}
		idx := indexNodes(root, reflect.TypeFor[Config]())
		read = true
		for _, msg := range te.Errors {
			errs = append(errs, idx.keyed(msg))
			// yaml decodes nothing of a mapping with a repeated key, so
			// what was decoded is not worth validating.
			read = read && !duplicateKey.MatchString(msg)
		}
		return errs, read
	}
	return errs, true
}

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	windowType      = reflect.TypeFor[Window]()
)

// checkTree walks the document along the Go type it decodes into and
// reports what yaml would take silently or report without a key path:
// every key that type does not have, a number with a fraction where a
// count is wanted (yaml truncates 1.9 to 1), and a window that is not a
// scalar. A reported value is taken out of the document, so that decoding
// leaves the default in its place and validation does not report it again.
func checkTree(n *yaml.Node, t reflect.Type, path string) []error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	var errs []error
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		for f := range t.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" { // a merge key brings in the keys of its alias
				errs = append(errs, checkTree(v, t, path)...)
				continue
			}
			p := joinPath(path, k.Value)
			if ft, ok := fields[k.Value]; ok {
				errs = append(errs, checkTree(v, ft, p)...)
				continue
			}
			known := make([]string, 0, len(fields))
			for name := range fields {
				known = append(known, name)
			}
			slices.Sort(known)
			errs = append(errs, fmt.Errorf("%s: line %d: unknown key; the keys here are %s", p, k.Line, strings.Join(known, ", ")))
		}
	case t.Kind() == reflect.Slice && t.Elem() == windowType && n.Kind == yaml.SequenceNode:
		errs = append(errs, checkWindows(n, path)...)
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			errs = append(errs, checkTree(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case isWholeNumber(t) && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float":
		errs = append(errs, fmt.Errorf("%s: line %d: want a whole number, got %s", path, n.Line, n.Value))
		dropValue(n)
	}
	return errs
}

// checkWindows reports every window of a list that is a list or a mapping;
// such a list is dropped whole, as if the key were absent.
func checkWindows(n *yaml.Node, path string) []error {
	var errs []error
	for i, item := range n.Content {
		for item.Kind == yaml.AliasNode && item.Alias != nil {
			item = item.Alias
		}
		if item.Kind != yaml.ScalarNode {
			errs = append(errs, fmt.Errorf("%s[%d]: line %d: each window must be a duration such as \"7d\", not a list or mapping", path, i, item.Line))
		}
	}
	if len(errs) > 0 {
		dropValue(n)
	}
	return errs
}

func isWholeNumber(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// dropValue makes n a null, which decodes to nothing.
func dropValue(n *yaml.Node) {
	n.Kind, n.Tag, n.Value, n.Content, n.Style = yaml.ScalarNode, "!!null", "", nil, 0
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// nodeIndex finds the key path of the nodes on a line, to name the key of
// a yaml type error, which gives only the line.
type nodeIndex map[int][]indexedNode

type indexedNode struct {
	path string
	key  *yaml.Node // nil for a list item
	val  *yaml.Node
	// leaf is true when the Go type at path takes a scalar: a mapping
	// there is the value yaml refused, not a parent of it on the same line.
	leaf bool
}

func indexNodes(root *yaml.Node, t reflect.Type) nodeIndex {
	idx := nodeIndex{}
	var walk func(n *yaml.Node, t reflect.Type, path string, depth int)
	walk = func(n *yaml.Node, t reflect.Type, path string, depth int) {
		if depth > 64 { // aliases may nest; keys beyond are not worth naming
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := joinPath(path, k.Value)
				ft := fieldType(t, k.Value)
				node := indexedNode{path: p, key: k, val: v, leaf: isLeaf(ft)}
				idx[k.Line] = append(idx[k.Line], node)
				if v.Line != k.Line {
					idx[v.Line] = append(idx[v.Line], node)
				}
				walk(v, ft, p, depth+1)
			}
		case yaml.SequenceNode:
			et := elemType(t)
			for i, item := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				idx[item.Line] = append(idx[item.Line], indexedNode{path: p, val: item, leaf: isLeaf(et)})
				walk(item, et, p, depth+1)
			}
		}
	}
	walk(root, t, "", 0)
	return idx
}

// fieldType is the type of t's field with the yaml key, or nil.
func fieldType(t reflect.Type, key string) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name == key {
			return f.Type
		}
	}
	return nil
}

func elemType(t reflect.Type) reflect.Type {
	if t == nil || t.Kind() != reflect.Slice {
		return nil
	}
	return t.Elem()
}

// isLeaf reports whether a value of type t is written as a scalar (or a
// list of them): a known type that is no struct of keys.
func isLeaf(t reflect.Type) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t != nil && (t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshalerType))
}

var (
	cannotUnmarshal = regexp.MustCompile("^line (\\d+): cannot unmarshal (!!\\w+)(?: `[^`]*`)? into (\\S+)$")
	duplicateKey    = regexp.MustCompile(`^line (\d+): mapping key "((?:[^"\\]|\\.)*)" already defined at line (\d+)$`)
)

// keyed rewrites one message of a yaml type error to name the key.
func (idx nodeIndex) keyed(msg string) error {
	if m := cannotUnmarshal.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if n, ok := idx.refused(line, m[2]); ok {
			return fmt.Errorf("%s: line %d: want %s, got %s", n.path, line, goKind(m[3]), tagKind(m[2]))
		}
		return fmt.Errorf("line %d: want %s, got %s", line, goKind(m[3]), tagKind(m[2]))
	}
	if m := duplicateKey.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		key, _ := strconv.Unquote(`"` + m[2] + `"`)
		for _, n := range idx[line] {
			if n.key != nil && n.key.Value == key && n.key.Line == line {
				return fmt.Errorf("%s: line %d: the key is repeated (first at line %s)", n.path, line, m[3])
			}
		}
	}
	return errors.New(msg)
}

// refused finds the node on line whose value, tagged tag, yaml refused.
// Several nodes may share the line ("cache_ttl: {a: 1}" is on the line of
// the collection mapping too); the deepest one whose type takes a scalar
// is the one, so that the error names collection.cache_ttl, not collection.
func (idx nodeIndex) refused(line int, tag string) (indexedNode, bool) {
	var found indexedNode
	ok := false
	for _, n := range idx[line] {
		if n.val.ShortTag() != tag {
			continue
		}
		if !ok || n.leaf {
			found, ok = n, true
		}
	}
	return found, ok
}

func tagKind(tag string) string {
	switch tag {
	case "!!str":
		return "a string"
	case "!!int":
		return "a whole number"
	case "!!float":
		return "a number"
	case "!!bool":
		return "true or false"
	case "!!seq":
		return "a list"
	case "!!map":
		return "a mapping"
	case "!!null":
		return "nothing"
	}
	return strings.TrimPrefix(tag, "!!")
}

// goKind names the kind of value a Go type (as yaml prints it) takes.
func goKind(goType string) string {
	goType = strings.TrimLeft(goType, "*")
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map["):
		return "a mapping"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string" || goType == "config.AuthMethod":
		return "a string"
	}
	return "a mapping"
}
