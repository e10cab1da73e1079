package kubernetes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStrictDecodingRejectsUnknownFields makes sure a misspelt field, which
// the API server would drop without a word, fails the render, including a
// field whose only mistake is its case.
func TestStrictDecodingRejectsUnknownFields(t *testing.T) {
	deployment, err := os.ReadFile(baseFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ field, misspelt, unknown string }{
		{"  replicas: 1", "  replica: 1", "replica"},
		{"readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true", "readOnlyRootFileSystem"},
	} {
		t.Run(tc.unknown, func(t *testing.T) {
			if !strings.Contains(string(deployment), tc.field) {
				t.Fatalf("%s has no %q to misspell", baseFile, tc.field)
			}
			dir := t.TempDir()
			for name, content := range map[string]string{
				baseFile:             strings.Replace(string(deployment), tc.field, tc.misspelt, 1),
				"kustomization.yaml": "resources:\n  - " + baseFile + "\n",
			} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := render(dir)
			if err == nil || !strings.Contains(err.Error(), tc.unknown) {
				t.Fatalf("render with %q: err = %v, want an unknown field %s", tc.misspelt, err, tc.unknown)
			}
		})
	}
}

func TestStrictDecodingRejectsUnexpectedKinds(t *testing.T) {
	m := &manifests{}
	if err := m.decodeStrict([]byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: stray\n")); err == nil {
		t.Fatal("a Pod decoded although the base has none")
	}
	if err := m.decodeStrict([]byte("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n")); err != nil {
		t.Fatal(err)
	}
	if err := m.decodeStrict([]byte("apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n")); err == nil {
		t.Fatal("a second Service decoded over the first")
	}
}
