package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary files. Seeds are every file of testdata
// plus testdata/fuzz/FuzzParse; tools/fuzz.sh runs it for a while. Beyond
// not panicking, every error names the file, and a configuration that
// parses renders (Config.String) to YAML that parses to the same
// configuration, so a reload of what the exporter logged changes nothing.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.yml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return // a configuration file is small; huge inputs only slow the search
		}
		cfg, err := Parse(data, "fuzz.yml")
		if err != nil {
			errs := []error{err}
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				errs = joined.Unwrap()
			}
			for _, e := range errs {
				if !strings.HasPrefix(e.Error(), "fuzz.yml: ") {
					t.Fatalf("error does not name the file: %q", e)
				}
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Parse accepted what Validate refuses: %v", err)
		}
		again, err := Parse([]byte(cfg.String()), "rendered.yml")
		if err != nil {
			t.Fatalf("the rendered configuration does not parse: %v\n%s", err, cfg)
		}
		// Compared as rendered: an empty list and an absent one mean the same.
		if cfg.String() != again.String() {
			t.Fatalf("rendering and parsing changed the configuration:\n%s\nbecame\n%s", cfg, again)
		}
	})
}
