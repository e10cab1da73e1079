package azurehttp

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// A body of exactly the cap is whole; one byte more fails, never cut.
func TestCapBody(t *testing.T) {
	body, err := io.ReadAll(capBody(io.NopCloser(strings.NewReader("0123456789")), "h", "", 10))
	if err != nil || string(body) != "0123456789" {
		t.Errorf("at the cap: %q, %v", body, err)
	}
	_, err = io.ReadAll(capBody(io.NopCloser(strings.NewReader("0123456789A")), "h", "", 10))
	var tl *TooLargeError
	if !errors.As(err, &tl) || err.Error() != "answer from h is larger than 10 bytes" {
		t.Errorf("over the cap: %v", err)
	}
}
