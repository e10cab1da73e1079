package signin

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

type fakeCache struct{ data []byte }

func (f *fakeCache) Marshal() ([]byte, error) { return f.data, nil }
func (f *fakeCache) Unmarshal(b []byte) error {
	if !bytes.HasPrefix(b, []byte("{")) {
		return errors.New("invalid character at offset 0")
	}
	f.data = append([]byte(nil), b...)
	return nil
}

func TestExportWritesPrivateFileAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.json")
	// An earlier, world-readable file is replaced, not rewritten in place.
	if err := os.WriteFile(path, []byte(`{"old":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fc := &fileCache{path: path}
	if err := fc.Export(context.Background(), &fakeCache{data: []byte(`{"new":2}`)}, cacheHints()); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	if got, _ := os.ReadFile(path); string(got) != `{"new":2}` {
		t.Errorf("content %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files left in the directory, want only the cache", len(entries))
	}
}

func TestExportSkipsAnUnchangedCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	fc := &fileCache{path: path}
	if err := fc.Export(context.Background(), &fakeCache{data: []byte(`{}`)}, cacheHints()); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := fc.Export(context.Background(), &fakeCache{data: []byte(`{}`)}, cacheHints()); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// A write would have renamed a new file over it.
	if !os.SameFile(before, after) {
		t.Error("an unchanged cache was written again")
	}
}

func TestReplaceMissingFileIsEmptyCache(t *testing.T) {
	fc := &fileCache{path: filepath.Join(t.TempDir(), "absent.json")}
	u := &fakeCache{}
	if err := fc.Replace(context.Background(), u, replaceHints()); err != nil {
		t.Fatal(err)
	}
	if string(u.data) != "{}" {
		t.Errorf("cache %q, want empty", u.data)
	}
}

func TestReplaceRefusesOversizedAndForeignFiles(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), config.MaxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := (&fileCache{path: big}).Replace(context.Background(), &fakeCache{}, replaceHints()); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized cache: %v", err)
	}
	foreign := filepath.Join(dir, "foreign.json")
	const secretish = "not-a-cache-but-a-secret-value"
	if err := os.WriteFile(foreign, []byte(secretish), 0o600); err != nil {
		t.Fatal(err)
	}
	err := (&fileCache{path: foreign}).Replace(context.Background(), &fakeCache{}, replaceHints())
	if err == nil || !strings.Contains(err.Error(), "sign in again") || strings.Contains(err.Error(), secretish) {
		t.Errorf("foreign file: %v", err)
	}
}

func cacheHints() cache.ExportHints    { return cache.ExportHints{} }
func replaceHints() cache.ReplaceHints { return cache.ReplaceHints{} }
