package azurehttp

import (
	"fmt"
	"io"
)

const (
	// DefaultMaxAnswerBytes caps a page or a $batch answer when the caller
	// names no cap: a page of 1,000 sessions with every property is far
	// below it.
	DefaultMaxAnswerBytes = 32 << 20
	// maxIdentityAnswerBytes caps every answer of Entra ID (a token,
	// discovery, an error): a real token answer is a few kilobytes.
	maxIdentityAnswerBytes = 1 << 20
)

// TooLargeError is an answer longer than its cap. The request fails; the
// answer is never cut short and read as if it were whole.
type TooLargeError struct {
	Host      string
	Limit     int64
	RequestID string
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("answer from %s is larger than %d bytes%s", e.Host, e.Limit, RequestIDNote(e.RequestID))
}

func (e *TooLargeError) NonRetriable() {}

// cappedBody fails a read past its cap instead of ending early, as
// io.LimitReader would: a cut page must never pass for a whole one.
type cappedBody struct {
	io.ReadCloser
	left int64
	err  *TooLargeError
}

func capBody(body io.ReadCloser, host, requestID string, limit int64) io.ReadCloser {
	return &cappedBody{ReadCloser: body, left: limit, err: &TooLargeError{Host: host, Limit: limit, RequestID: requestID}}
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a body of exactly the cap from a longer one.
		var one [1]byte
		n, err := c.ReadCloser.Read(one[:])
		if n > 0 {
			return 0, c.err
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.ReadCloser.Read(p)
	c.left -= int64(n)
	return n, err
}
