package azurehttp

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	in := `raw message was: {"access_token":"` + jwt + `"} Trace ID: 0a1b2c3d-0000-4000-8000-00000000abcd AADSTS7000215 secret Q8~abcdefghijklmnopqrstuvwxyz0123456789AB`
	got := Redact(in)
	for _, gone := range []string{jwt[:12], "Q8~abcdefghij"} {
		if strings.Contains(got, gone) {
			t.Errorf("Redact kept %q: %s", gone, got)
		}
	}
	for _, kept := range []string{"0a1b2c3d-0000-4000-8000-00000000abcd", "AADSTS7000215", "raw message was"} {
		if !strings.Contains(got, kept) {
			t.Errorf("Redact lost %q: %s", kept, got)
		}
	}
}

func TestPrintable(t *testing.T) {
	if got := Printable("a\x1b[31mb\nc", 100); got != `a\x1b[31mb\nc` {
		t.Errorf("Printable = %q", got)
	}
	if got := Printable(strings.Repeat("x", 500), 10); got != "xxxxxxxxxx…" {
		t.Errorf("Printable cut = %q", got)
	}
}
