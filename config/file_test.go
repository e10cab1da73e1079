package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileRefusesWhatIsNotASmallRegularFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yml")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		dir:         "not a regular file (a directory)",
		os.DevNull:  "not a regular file (a device)",
		big:         "larger than 1048576 bytes",
		"/no/such/": "no such file",
	} {
		if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("ReadFile(%s) = %v, want an error naming the file and saying %q", path, err, want)
		}
		if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Load(%s) = %v, want an error naming the file", path, err)
		}
	}
	exact := filepath.Join(dir, "exact")
	if err := os.WriteFile(exact, make([]byte, MaxFileSize), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := ReadFile(exact); err != nil || len(data) != MaxFileSize {
		t.Errorf("a file of exactly the limit: %d bytes, %v", len(data), err)
	}
}
