package azuresim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// batchItemAnswer is one entry of responses[] in a $batch answer.
type batchItemAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// errorCode is the OData error code of the item's body, "" if none.
func (a batchItemAnswer) errorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(a.Body, &e) // a body that is no error has no code
	return e.Error.Code
}

// batchAnswer is the HTTP answer to a $batch POST.
type batchAnswer struct {
	answer
	responses []batchItemAnswer
}

func (b batchAnswer) ids() []string {
	out := make([]string, len(b.responses))
	for i, r := range b.responses {
		out[i] = r.ID
	}
	return out
}

// byID indexes the responses; a test that expects duplicates reads
// responses itself.
func (b batchAnswer) byID(t *testing.T) map[string]batchItemAnswer {
	t.Helper()
	out := make(map[string]batchItemAnswer, len(b.responses))
	for _, r := range b.responses {
		if _, dup := out[r.ID]; dup {
			t.Fatalf("id %q answered twice: %v", r.ID, b.ids())
		}
		out[r.ID] = r
	}
	return out
}

// first returns the first response with the id.
func (b batchAnswer) first(id string) batchItemAnswer {
	for _, r := range b.responses {
		if r.ID == id {
			return r
		}
	}
	return batchItemAnswer{}
}

// statuses maps each id to its status.
func (b batchAnswer) statuses(t *testing.T) map[string]int {
	t.Helper()
	out := make(map[string]int)
	for id, r := range b.byID(t) {
		out[id] = r.Status
	}
	return out
}

// batchOf builds a $batch body of GETs with ids "1", "2", … in order.
func batchOf(urls ...string) string {
	type item struct {
		ID     string `json:"id"`
		Method string `json:"method"`
		URL    string `json:"url"`
	}
	items := make([]item, len(urls))
	for i, u := range urls {
		items[i] = item{ID: strconv.Itoa(i + 1), Method: http.MethodGet, URL: u}
	}
	b, err := json.Marshal(map[string]any{"requests": items})
	if err != nil {
		panic(err) // strings always encode
	}
	return string(b)
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// postBatch POSTs a JSON body to $batch with the client's token.
func (c *client) postBatch(body string) batchAnswer {
	c.t.Helper()
	return c.sendBatch(context.Background(), http.MethodPost, "application/json", body)
}

func (c *client) sendBatch(ctx context.Context, method, contentType, body string) batchAnswer {
	c.t.Helper()
	u := c.s.GraphEndpoint() + "/$batch"
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
	if err != nil {
		c.t.Fatalf("request %s: %v", u, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("client-request-id", "test-batch-request")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read %s: %v", u, err)
	}
	b := batchAnswer{answer: answer{status: resp.StatusCode, header: resp.Header, raw: raw}}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		c.t.Fatalf("$batch answered %d with Content-Type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	var decoded struct {
		Responses []batchItemAnswer `json:"responses"`
	}
	if err := json.Unmarshal(raw, &b.body); err != nil {
		c.t.Fatalf("decode $batch answer: %v\n%s", err, raw)
	}
	if err := json.Unmarshal(raw, &decoded); err != nil {
		c.t.Fatalf("decode $batch responses: %v\n%s", err, raw)
	}
	b.responses = decoded.Responses
	return b
}
