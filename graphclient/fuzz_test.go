package graphclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The fuzz targets of what Graph sends back. Seeds live in
// testdata/fuzz/<FuzzName>; tools/fuzz.sh runs each target for a while.
// Every target checks properties, not just the absence of a panic.

// maxErrorLine bounds an error message built from a hostile answer: one
// log line, not a copy of the answer.
const maxErrorLine = 1024

func FuzzDecodePage(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var seen int
		var got []SessionTimes
		meta, err := decodePage(bytes.NewReader(data), sessionVisitor(func(st SessionTimes) {
			seen++
			got = append(got, st)
		}))
		// The same page read by encoding/json: the streaming reader must
		// agree with it, item by item.
		var want []SessionTimes
		_, jsonErr := decodePage(bytes.NewReader(data), jsonItem(func(dec *json.Decoder) error {
			var s sessionJSON
			if err := dec.Decode(&s); err != nil {
				return err
			}
			st, err := s.times()
			if err == nil {
				want = append(want, st)
			}
			return err
		}))
		if (err == nil) != (jsonErr == nil) || err == nil && !slices.EqualFunc(got, want, sameTimes) {
			t.Fatalf("streaming read: %v, %v; encoding/json: %v, %v", got, err, want, jsonErr)
		}
		// Read a byte at a time, every token crosses a read: the same.
		var bytewise []SessionTimes
		_, oneErr := decodePage(iotest.OneByteReader(bytes.NewReader(data)), sessionVisitor(func(st SessionTimes) {
			bytewise = append(bytewise, st)
		}))
		if (err == nil) != (oneErr == nil) || !slices.EqualFunc(got, bytewise, sameTimes) {
			t.Fatalf("read whole: %v, %v; byte by byte: %v, %v", got, err, bytewise, oneErr)
		}
		checkRawIDs(t, data)
		if err != nil {
			checkOneLine(t, err.Error())
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted a page that is not JSON: %q", data)
		}
		if meta.Items != seen || meta.Items < 0 {
			t.Fatalf("meta says %d items, the visitor saw %d", meta.Items, seen)
		}
		if meta.HasCount && (meta.Count < 0 || meta.Count > maxCount) {
			t.Fatalf("accepted @odata.count %d", meta.Count)
		}
	})
}

// checkRawIDs reads the page's ids as the exporter's sessions are read,
// as bytes, whole and byte by byte, and checks them against encoding/json.
func checkRawIDs(t *testing.T, data []byte) {
	read := func(r io.Reader) ([]string, error) {
		var ids []string
		_, err := decodePage(r, func(s *scanner) error {
			ref, err := readRawRef(s, true)
			if err == nil {
				ids = append(ids, fmt.Sprintf("%v:%q", ref.hasID, ref.rawID))
			}
			return err
		})
		return ids, err
	}
	got, err := read(bytes.NewReader(data))
	bytewise, oneErr := read(iotest.OneByteReader(bytes.NewReader(data)))
	var want []string
	_, jsonErr := decodePage(bytes.NewReader(data), jsonItem(func(dec *json.Decoder) error {
		var s struct {
			ID *string `json:"id"`
			sessionJSON
		}
		if err := dec.Decode(&s); err != nil {
			return err
		}
		if _, err := s.times(); err != nil {
			return err
		}
		id := []byte(nil)
		if s.ID != nil {
			id = []byte(*s.ID)
		}
		want = append(want, fmt.Sprintf("%v:%q", s.ID != nil, id))
		return nil
	}))
	if (err == nil) != (jsonErr == nil) || err == nil && !slices.Equal(got, want) {
		t.Fatalf("ids read as bytes: %v, %v; encoding/json: %v, %v", got, err, want, jsonErr)
	}
	if (err == nil) != (oneErr == nil) || !slices.Equal(got, bytewise) {
		t.Fatalf("ids read whole: %v, %v; byte by byte: %v, %v", got, err, bytewise, oneErr)
	}
}

func sameTimes(a, b SessionTimes) bool {
	return a.Created.Equal(b.Created) && a.LastModified.Equal(b.LastModified)
}

func FuzzErrorBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		resp := &http.Response{
			StatusCode: status,
			Header:     http.Header{"Request-Id": {"req-1"}},
			Body:       io.NopCloser(bytes.NewReader(body)),
			Request:    &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/beta/x"}},
		}
		e := newError(resp)
		if e.Status != status {
			t.Fatalf("status %d became %d", status, e.Status)
		}
		checkOneLine(t, e.Error())
		if e.Code == "" && e.Message != http.StatusText(status) {
			t.Fatalf("a body without an OData code gave the message %q", e.Message)
		}
	})
}

// fuzzBatchClient is a client that only decodes: readBatch needs its
// endpoint and metrics, never the network.
var fuzzBatchClient = &Client{
	endpoint: &url.URL{Scheme: "https", Host: "graph.test", Path: "/beta"},
	metrics:  NewMetrics(prometheus.NewRegistry()),
}

func FuzzDecodeBatch(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c := fuzzBatchClient
		calls := make([]*pageCall, 3)
		for i := range calls {
			calls[i] = &pageCall{url: c.endpoint.String() + "/security/securityCopilot/workspaces/w" + strconv.Itoa(i) + "/sessions",
				item: sessionVisitor(func(SessionTimes) {})}
		}
		resp := &http.Response{
			StatusCode: http.StatusOK,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(bytes.NewReader(data)),
			Request:    &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/beta/$batch"}},
		}
		c.readBatch(resp, calls)
		for _, call := range calls {
			if call.transient && (call.err == nil || call.retryAfter < 0 || call.retryAfter > 24*time.Hour) {
				t.Fatalf("a call to send again has error %v, wait %v", call.err, call.retryAfter)
			}
			if call.err != nil {
				checkOneLine(t, call.err.Error())
			}
		}
		checkAnsweredOnce(t, data, calls)
	})
}

// checkAnsweredOnce checks, against an independent decoding, that a call
// succeeded only if the answer held exactly one response for it, with a
// 2xx status: a missing or repeated answer never counts.
func checkAnsweredOnce(t *testing.T, data []byte, calls []*pageCall) {
	var doc struct {
		Responses []struct {
			ID     any `json:"id"`
			Status any `json:"status"`
		} `json:"responses"`
	}
	if json.Unmarshal(data, &doc) != nil {
		return // a broken answer: calls answered before the break may stand
	}
	for i, call := range calls {
		id := strconv.Itoa(i + 1)
		n, ok := 0, false
		for _, r := range doc.Responses {
			if r.ID == id {
				n++
				s, isNum := r.Status.(float64)
				ok = isNum && s >= 200 && s <= 299
			}
		}
		if call.err == nil && (n != 1 || !ok) {
			t.Fatalf("call %s succeeded with %d answers (2xx: %v)", id, n, ok)
		}
	}
}

func FuzzParseTimestamp(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTimestamp(s)
		if err != nil {
			checkOneLine(t, err.Error())
			return
		}
		if ts.Location() != time.UTC {
			t.Fatalf("%q parsed in %v, not UTC", s, ts.Location())
		}
		back, err := ParseTimestamp(FormatTimestamp(ts))
		if err != nil || !back.Equal(ts.Truncate(100*time.Nanosecond)) {
			t.Fatalf("%q: %v formats as %q, which parses to %v (%v)", s, ts, FormatTimestamp(ts), back, err)
		}
	})
}

// checkOneLine checks that an error message is one line of bounded length.
func checkOneLine(t *testing.T, msg string) {
	t.Helper()
	if strings.ContainsAny(msg, "\r\n") || len(msg) > maxErrorLine {
		t.Fatalf("error message is not one short line (%d bytes): %.300q", len(msg), msg)
	}
}
