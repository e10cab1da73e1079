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
	errs = append(errs, unknownKeys(root, reflect.TypeFor[Config](), "")...)
	if err := doc.Decode(cfg); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return append(errs, err), false
		}
		idx := indexNodes(root)
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

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// unknownKeys walks the document along the Go type it decodes into and
// reports every key that type does not have.
func unknownKeys(n *yaml.Node, t reflect.Type, path string) []error {
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
				errs = append(errs, unknownKeys(v, t, path)...)
				continue
			}
			p := joinPath(path, k.Value)
			if ft, ok := fields[k.Value]; ok {
				errs = append(errs, unknownKeys(v, ft, p)...)
				continue
			}
			known := make([]string, 0, len(fields))
			for name := range fields {
				known = append(known, name)
			}
			slices.Sort(known)
			errs = append(errs, fmt.Errorf("%s: line %d: unknown key; the keys here are %s", p, k.Line, strings.Join(known, ", ")))
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			errs = append(errs, unknownKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return errs
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
}

func indexNodes(root *yaml.Node) nodeIndex {
	idx := nodeIndex{}
	var walk func(n *yaml.Node, path string, depth int)
	walk = func(n *yaml.Node, path string, depth int) {
		if depth > 64 { // aliases may nest; keys beyond are not worth naming
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := joinPath(path, k.Value)
				idx[k.Line] = append(idx[k.Line], indexedNode{path: p, key: k, val: v})
				if v.Line != k.Line {
					idx[v.Line] = append(idx[v.Line], indexedNode{path: p, key: k, val: v})
				}
				walk(v, p, depth+1)
			}
		case yaml.SequenceNode:
			for i, item := range n.Content {
				p := fmt.Sprintf("%s[%d]", path, i)
				idx[item.Line] = append(idx[item.Line], indexedNode{path: p, val: item})
				walk(item, p, depth+1)
			}
		}
	}
	walk(root, "", 0)
	return idx
}

var (
	cannotUnmarshal = regexp.MustCompile("^line (\\d+): cannot unmarshal (!!\\w+)(?: `[^`]*`)? into (\\S+)$")
	duplicateKey    = regexp.MustCompile(`^line (\d+): mapping key "((?:[^"\\]|\\.)*)" already defined at line (\d+)$`)
)

// keyed rewrites one message of a yaml type error to name the key.
func (idx nodeIndex) keyed(msg string) error {
	if m := cannotUnmarshal.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		for _, n := range idx[line] {
			if n.val.ShortTag() == m[2] {
				return fmt.Errorf("%s: line %d: want %s, got %s", n.path, line, goKind(m[3]), tagKind(m[2]))
			}
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
