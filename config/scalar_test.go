package config

import (
	"strings"
	"testing"
)

// A configuration flag pointed at the secret file by mistake must not put
// the start of the secret into the error, which is logged.
func TestParseOfASecretFileDoesNotQuoteIt(t *testing.T) {
	_, err := Parse([]byte("Abc8Q~s3cretValueOfTheApp\n"), "secret")
	if err == nil {
		t.Fatal("a lone value parsed as a configuration")
	}
	if want := "secret: line 1: the file holds a single value, not a mapping of settings"; err.Error() != want {
		t.Fatalf("err = %q, want %q", err, want)
	}
	if strings.Contains(err.Error(), "Abc8Q") {
		t.Fatalf("the error quotes the value: %q", err)
	}
	// A null document is no lone value: it reads as an empty file.
	if _, err := Parse([]byte("~\n"), "empty"); err == nil || !strings.Contains(err.Error(), "tenants") {
		t.Fatalf("null document: %v", err)
	}
}
