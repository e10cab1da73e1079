package graphclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The wire format of JSON batching: what a $batch request holds and how its
// answer is read.

type batchRequest struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	URL    string `json:"url"`
}

type batchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// header looks a header up without regard to case: Graph's inner headers
// are a plain JSON object.
func (r *batchResponse) header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// decodeBatch streams the "responses" array, handing each item to settle as
// soon as it is read, so that only one item's body is held at a time.
func decodeBatch(resp *http.Response, each func(*batchResponse)) error {
	if err := checkJSON(resp); err != nil {
		return err
	}
	// The door caps the body: past the cap, reads fail with its error.
	dec := json.NewDecoder(resp.Body)
	wrap := func(err error) error {
		return fmt.Errorf("decode $batch answer%s: %w", requestIDNote(resp.Header.Get("request-id")), err)
	}
	if err := expectDelim(dec, '{'); err != nil {
		return wrap(err)
	}
	sawResponses := false
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return wrap(err)
		}
		if key != "responses" {
			if err := skipValue(dec); err != nil {
				return wrap(err)
			}
			continue
		}
		sawResponses = true
		if err := expectDelim(dec, '['); err != nil {
			return wrap(err)
		}
		for dec.More() {
			var r batchResponse
			if err := dec.Decode(&r); err != nil {
				return wrap(err)
			}
			each(&r)
		}
		if err := expectDelim(dec, ']'); err != nil {
			return wrap(err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return wrap(err)
	}
	if !sawResponses {
		return wrap(errors.New(`no "responses" array`))
	}
	return nil
}
