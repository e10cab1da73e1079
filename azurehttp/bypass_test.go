package azurehttp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// doorOnly are the ways to reach Azure without the door: a client or
// transport of net/http's own, azcore's pipeline and bearer policy, and
// azidentity's credentials, which must get the door's identity transport.
var doorOnly = map[string]map[string]bool{
	"net/http": {
		"DefaultClient": true, "DefaultTransport": true, "Get": true, "Head": true, "Post": true, "PostForm": true,
		"Client": true, "Transport": true, // as composite literals; see below
	},
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime": {"NewPipeline": true, "NewBearerTokenPolicy": true},
}

// outsideTheDoor are the directories that may hold such code: the door
// itself; the simulator, which is the other side of it; and the benchmark
// harness, which is no part of the exporter and talks to the simulator's
// control port (its Graph client is graphclient's, behind the door).
var outsideTheDoor = []string{"azurehttp", "azuresim", "bench"}

// No Azure HTTP call bypasses the door: every non-test Go file of the
// module outside the door and the simulator is read, and any use of a
// net/http client or transport of its own, of azcore's pipeline, or of an
// azidentity constructor fails the test. A file that needs a socket
// layer for tests or the demo passes one through Socket.
func TestNoAzureCallBypassesTheDoor(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			base := d.Name()
			if rel != "." && (strings.HasPrefix(base, ".") || base == "testdata" || base == "node_modules" || isOutside(rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		for _, v := range bypasses(t, path) {
			t.Errorf("%s:%s bypasses the door to Azure", rel, v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("read only %d files; is the walk rooted at the module?", files)
	}
}

func isOutside(rel string) bool {
	for _, dir := range outsideTheDoor {
		if rel == dir {
			return true
		}
	}
	return false
}

// bypasses lists the uses of doorOnly names in one file, as "line: name".
func bypasses(t *testing.T, path string) []string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]string{} // local name -> import path
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imports[name] = p
	}
	var found []string
	report := func(n ast.Node, what string) {
		found = append(found, strconv.Itoa(fset.Position(n.Pos()).Line)+": "+what)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if sel, ok := n.Type.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && imports[pkg.Name] == "net/http" && (sel.Sel.Name == "Client" || sel.Sel.Name == "Transport") {
					report(n, "http."+sel.Sel.Name+"{}")
				}
			}
		case *ast.SelectorExpr:
			pkg, ok := n.X.(*ast.Ident)
			if !ok {
				return true
			}
			path := imports[pkg.Name]
			name := n.Sel.Name
			switch {
			case path == "github.com/Azure/azure-sdk-for-go/sdk/azidentity" && strings.HasPrefix(name, "New"):
				report(n, "azidentity."+name)
			case path == "net/http" && (name == "Client" || name == "Transport"):
				// a type in a declaration is fine; a literal is caught above
			case doorOnly[path][name]:
				report(n, pkg.Name+"."+name)
			}
		}
		return true
	})
	return found
}
