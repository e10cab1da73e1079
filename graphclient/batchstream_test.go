package graphclient

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// sessionsPage is a page of n sessions as Graph writes it, with ids.
func sessionsPage(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"@odata.context":"x","@odata.count":%d,"value":[`, n)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		t := base.Add(time.Duration(i) * time.Minute)
		fmt.Fprintf(&b, `{"@odata.type":"#microsoft.graph.securityCopilot.session","id":"00000000-0000-4000-8000-%012d","createdDateTime":"%s","lastModifiedDateTime":"%s"}`,
			i, t.Format("2006-01-02T15:04:05.0000000Z"), t.Add(time.Second).Format("2006-01-02T15:04:05.0000000Z"))
	}
	b.WriteString(`]}`)
	return b.String()
}

// batchOf is a $batch answer holding the bodies, answered in reverse order.
func batchOf(bodies ...string) string {
	var b strings.Builder
	b.WriteString(`{"responses":[`)
	for i := len(bodies) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, `{"id":"%d","status":200,"headers":{"Content-Type":"application/json; odata.metadata=minimal"},"body":%s}`, i+1, bodies[i])
		if i > 0 {
			b.WriteByte(',')
		}
	}
	b.WriteString(`]}`)
	return b.String()
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func batchResp(body io.Reader) *http.Response {
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(body),
		Request:    &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/beta/$batch"}},
	}
}

func sessionCalls(c *Client, n int, item func(i int) itemFunc) []*pageCall {
	calls := make([]*pageCall, n)
	for i := range calls {
		calls[i] = &pageCall{url: fmt.Sprintf("%s/security/securityCopilot/workspaces/w%d/sessions", c.endpoint, i), item: item(i)}
	}
	return calls
}

// A page inside a $batch answer is read while the answer streams: its
// first session reaches the plan before the rest of the answer is read,
// rather than after the whole item was decoded into a raw body.
func TestBatchPagesAreReadAsTheAnswerStreams(t *testing.T) {
	page := sessionsPage(1000)
	body := batchOf(page)
	cr := &countingReader{r: strings.NewReader(body)}
	readAtFirst := -1
	calls := sessionCalls(fuzzBatchClient, 1, func(int) itemFunc {
		return sessionVisitor(func(SessionTimes) {
			if readAtFirst < 0 {
				readAtFirst = cr.n
			}
		})
	})
	fuzzBatchClient.readBatch(batchResp(cr), calls)
	if calls[0].err != nil {
		t.Fatal(calls[0].err)
	}
	if readAtFirst < 0 || readAtFirst >= len(body)/2 {
		t.Fatalf("the first session was read after %d of %d bytes of the answer", readAtFirst, len(body))
	}
	if calls[0].meta.Items != 1000 || calls[0].meta.Count != 1000 {
		t.Fatalf("meta %+v, want 1000 items counted 1000", calls[0].meta)
	}
}

// However the answer arrives, byte by byte or in odd pieces, each call gets
// the same sessions.
func TestBatchReadsTheSameWhateverTheReads(t *testing.T) {
	bodies := []string{sessionsPage(3), sessionsPage(700), sessionsPage(0)}
	body := batchOf(bodies...)
	read := func(r io.Reader) [][]SessionRef {
		got := make([][]SessionRef, len(bodies))
		calls := sessionCalls(fuzzBatchClient, len(bodies), func(i int) itemFunc {
			return func(s *scanner) error {
				ref, err := decodeSessionRef(s)
				got[i] = append(got[i], ref)
				return err
			}
		})
		fuzzBatchClient.readBatch(batchResp(r), calls)
		for i, call := range calls {
			if call.err != nil {
				t.Fatalf("call %d: %v", i, call.err)
			}
		}
		return got
	}
	want := read(strings.NewReader(body))
	if len(want[1]) != 700 || want[1][699].ID != "00000000-0000-4000-8000-000000000699" {
		t.Fatalf("read %d sessions, the last %+v", len(want[1]), want[1][len(want[1])-1])
	}
	for name, r := range map[string]io.Reader{
		"one byte":   iotest.OneByteReader(strings.NewReader(body)),
		"half reads": iotest.HalfReader(strings.NewReader(body)),
		"data+EOF":   iotest.DataErrReader(strings.NewReader(body)),
	} {
		got := read(r)
		for i := range want {
			if fmt.Sprint(got[i]) != fmt.Sprint(want[i]) {
				t.Fatalf("%s: call %d read differently", name, i)
			}
		}
	}
}

// A body that comes before its item's status and headers cannot be read
// as it streams; it is kept, and read once the item ends, to the same
// sessions. One whose status is not 2xx is never handed to the plan.
func TestBatchBodyBeforeStatus(t *testing.T) {
	page := sessionsPage(5)
	body := `{"responses":[{"body":` + page + `,"id":"1","status":200,"headers":{"content-type":"application/json"}},` +
		`{"body":` + page + `,"headers":{"content-type":"application/json"},"status":503,"id":"2"}]}`
	n := make([]int, 2)
	calls := sessionCalls(fuzzBatchClient, 2, func(i int) itemFunc {
		return sessionVisitor(func(SessionTimes) { n[i]++ })
	})
	fuzzBatchClient.readBatch(batchResp(strings.NewReader(body)), calls)
	if calls[0].err != nil || n[0] != 5 || calls[0].meta.Count != 5 {
		t.Fatalf("call 1: %v, %d sessions, %+v", calls[0].err, n[0], calls[0].meta)
	}
	if !IsStatus(calls[1].err, http.StatusServiceUnavailable) || !calls[1].transient || n[1] != 0 {
		t.Fatalf("call 2: %v (transient %v), %d sessions read", calls[1].err, calls[1].transient, n[1])
	}
}

// A session whose timestamp does not parse fails its own call only; the
// rest of the answer is still read.
func TestBatchBadSessionFailsItsCallOnly(t *testing.T) {
	bad := strings.Replace(sessionsPage(3), `"createdDateTime":"2026-01-01T00:01:00.0000000Z"`, `"createdDateTime":"yesterday"`, 1)
	body := batchOf(sessionsPage(2), bad, sessionsPage(4))
	calls := sessionCalls(fuzzBatchClient, 3, func(int) itemFunc { return sessionVisitor(func(SessionTimes) {}) })
	fuzzBatchClient.readBatch(batchResp(strings.NewReader(body)), calls)
	if calls[1].err == nil || !strings.Contains(calls[1].err.Error(), "createdDateTime") {
		t.Fatalf("call 2: %v, want the malformed createdDateTime", calls[1].err)
	}
	if calls[0].err != nil || calls[2].err != nil || calls[0].meta.Items != 2 || calls[2].meta.Items != 4 {
		t.Fatalf("calls 1 and 3: %v %+v, %v %+v", calls[0].err, calls[0].meta, calls[2].err, calls[2].meta)
	}
}

// An answer that breaks fails every call, the ones whose items came
// whole before the break too: the answer as a whole is not trusted.
func TestBrokenBatchAnswerFailsEveryCall(t *testing.T) {
	body := batchOf(sessionsPage(2), sessionsPage(3))
	cut := strings.Index(body, `{"id":"1"`) + 20 // item 2 is whole, item 1 is not
	calls := sessionCalls(fuzzBatchClient, 2, func(int) itemFunc { return sessionVisitor(func(SessionTimes) {}) })
	fuzzBatchClient.readBatch(batchResp(io.MultiReader(strings.NewReader(body[:cut]), iotest.ErrReader(io.ErrUnexpectedEOF))), calls)
	for i, call := range calls {
		if call.err == nil || call.transient {
			t.Errorf("call %d: err %v, transient %v; want the broken answer's error", i+1, call.err, call.transient)
		}
	}
}

// Ids are the ones sent, exactly: "01" or "+1" answers nothing.
func TestBatchIDsMatchExactly(t *testing.T) {
	for _, id := range []string{"01", "+1", " 1", "1.0"} {
		body := strings.Replace(batchOf(sessionsPage(1)), `"id":"1"`, `"id":"`+id+`"`, 1)
		calls := sessionCalls(fuzzBatchClient, 1, func(int) itemFunc { return sessionVisitor(func(SessionTimes) {}) })
		fuzzBatchClient.readBatch(batchResp(strings.NewReader(body)), calls)
		if calls[0].err == nil {
			t.Errorf("id %q answered request 1", id)
		}
	}
}

// Reading a $batch answer of twenty full pages allocates about one object
// per session read (its id), not a copy of every body.
func TestBatchReadAllocations(t *testing.T) {
	pages := make([]string, 20)
	for i := range pages {
		pages[i] = sessionsPage(1000)
	}
	body := []byte(batchOf(pages...))
	allocs := testing.AllocsPerRun(3, func() {
		calls := sessionCalls(fuzzBatchClient, 20, func(int) itemFunc { return sessionVisitor(func(SessionTimes) {}) })
		fuzzBatchClient.readBatch(batchResp(bytes.NewReader(body)), calls)
	})
	if allocs > 2000 {
		t.Fatalf("%.0f allocations to read 20,000 sessions' times", allocs)
	}
}

func BenchmarkReadBatch(b *testing.B) {
	pages := make([]string, 20)
	for i := range pages {
		pages[i] = sessionsPage(1000)
	}
	body := []byte(batchOf(pages...))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		calls := sessionCalls(fuzzBatchClient, 20, func(int) itemFunc {
			return func(s *scanner) error { _, err := decodeSessionRef(s); return err }
		})
		fuzzBatchClient.readBatch(batchResp(bytes.NewReader(body)), calls)
		if calls[0].err != nil {
			b.Fatal(calls[0].err)
		}
	}
}

// A page inside a $batch answer is held to the page cap while it streams:
// one larger than 32 MiB fails, though the answer is under its own cap.
func TestBatchPageCap(t *testing.T) {
	huge := `{"value":[{"note":"` + strings.Repeat("a", maxPageBytes) + `"}]}`
	calls := sessionCalls(fuzzBatchClient, 1, func(int) itemFunc { return sessionVisitor(func(SessionTimes) {}) })
	fuzzBatchClient.readBatch(batchResp(strings.NewReader(batchOf(huge))), calls)
	if calls[0].err == nil || !strings.Contains(calls[0].err.Error(), "larger than") {
		t.Fatalf("a page over the cap gave %v", calls[0].err)
	}
}

// BenchmarkReadBatchWays reads one $batch answer of 20 pages of 1,000
// sessions as the exporter does (ids as bytes and both timestamps) and as
// a lister of times only does: what reading the ids costs.
func BenchmarkReadBatchWays(b *testing.B) {
	pages := make([]string, 20)
	for i := range pages {
		pages[i] = sessionsPage(1000)
	}
	body := []byte(batchOf(pages...))
	ways := map[string]itemFunc{
		"ids":   func(s *scanner) error { _, err := readRawRef(s, true); return err },
		"times": sessionVisitor(func(SessionTimes) {}),
	}
	for _, name := range []string{"ids", "times"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				calls := sessionCalls(fuzzBatchClient, 20, func(int) itemFunc { return ways[name] })
				fuzzBatchClient.readBatch(batchResp(bytes.NewReader(body)), calls)
				if calls[0].err != nil {
					b.Fatal(calls[0].err)
				}
			}
		})
	}
}
