package azuresim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestBatchAnswersLikeStandaloneRequests(t *testing.T) {
	opts := twoTenants(fixedSessions(5, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)))
	s := startServer(t, opts)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	first := c.get(sessionsPath + "?$top=2")
	next := strings.TrimPrefix(first.body["@odata.nextLink"].(string), s.GraphEndpoint())
	cases := []struct {
		name, method, url string
	}{
		{"sessions page with count and select", http.MethodGet, sessionsPath + "?$count=true&$top=2&$select=createdDateTime,lastModifiedDateTime"},
		{"relative nextLink", http.MethodGet, next},
		{"filtered sessions", http.MethodGet, sessionsPath + "?$filter=" + url.QueryEscape("createdDateTime ge 2025-09-01T00:02:00Z")},
		{"workspaces", http.MethodGet, "/security/securityCopilot/workspaces"},
		{"one workspace", http.MethodGet, "/security/securityCopilot/workspaces/second"},
		{"text/plain count", http.MethodGet, sessionsPath + "/$count"},
		{"unknown workspace", http.MethodGet, wsSessionsPath("missing")},
		{"undocumented option", http.MethodGet, sessionsPath + "?$orderby=createdDateTime"},
		{"not a GET", http.MethodPost, sessionsPath},
	}
	standalone := make([]answer, len(cases))
	var body struct {
		Requests []batchItem `json:"requests"`
	}
	for i, tc := range cases {
		if tc.method == http.MethodGet {
			standalone[i] = c.get(tc.url)
		}
		body.Requests = append(body.Requests, batchItem{ID: strconv.Itoa(i + 1), Method: tc.method, URL: tc.url})
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	s.ResetStats()

	b := c.postBatch(string(raw))
	if b.status != http.StatusOK || b.header.Get("request-id") == "" {
		t.Fatalf("$batch: %d %v %s", b.status, b.header, b.raw)
	}
	requestOrder := make([]string, len(cases))
	for i := range cases {
		requestOrder[i] = strconv.Itoa(i + 1)
	}
	got := b.ids()
	if slices.Equal(got, requestOrder) {
		t.Errorf("answers in request order %v; Graph gives any order", got)
	}
	if sorted := slices.Sorted(slices.Values(got)); !slices.Equal(sorted, slices.Sorted(slices.Values(requestOrder))) {
		t.Fatalf("ids %v, want each of %v once", got, requestOrder)
	}
	items := b.byID(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			item := items[strconv.Itoa(i+1)]
			if tc.method != http.MethodGet {
				if item.Status != http.StatusMethodNotAllowed || item.errorCode() != "BadRequest" || item.Headers["Allow"] != http.MethodGet {
					t.Errorf("%s item: %+v %s", tc.method, item, item.Body)
				}
				return
			}
			assertSameAnswer(t, item, standalone[i])
		})
	}
	if link := items["1"].Body; !strings.Contains(string(link), `"@odata.nextLink":"`+s.GraphEndpoint()+sessionsPath+"?") {
		t.Errorf("nextLink inside a batch must be absolute: %s", link)
	}

	st := s.Stats()
	wantByPath := map[string]int{PathSessions: 7, PathWorkspaces: 2}
	if st.GraphRequests != 9 || st.RoundTrips != 1 || st.BatchRequests != 1 || !reflect.DeepEqual(st.ByPath, wantByPath) {
		t.Errorf("stats %+v", st)
	}
	assertBatchLog(t, s, cases[0].url)

	// A second server with the same data shuffles the same way.
	s2 := startServer(t, opts)
	c2 := newClient(t, s2).login(tenantA, clientA, secretA)
	if again := c2.postBatch(string(raw)).ids(); !slices.Equal(again, got) {
		t.Errorf("order %v on a fresh server, %v before", again, got)
	}
}

// assertSameAnswer compares an item of a batch with the answer to the same
// standalone GET. Error answers differ in their ids and date only.
func assertSameAnswer(t *testing.T, item batchItemAnswer, want answer) {
	t.Helper()
	if item.Status != want.status || item.Headers["Content-Type"] != want.header.Get("Content-Type") {
		t.Fatalf("item %d %v, standalone %d %v", item.Status, item.Headers, want.status, want.header)
	}
	if item.Headers["request-id"] == "" || item.Headers["request-id"] == want.header.Get("request-id") {
		t.Errorf("item request-id %q must be its own", item.Headers["request-id"])
	}
	if !strings.HasPrefix(want.header.Get("Content-Type"), "application/json") {
		var encoded string
		if err := json.Unmarshal(item.Body, &encoded); err != nil {
			t.Fatalf("non-JSON body must be a base64 string: %s", item.Body)
		}
		if decoded, err := base64.StdEncoding.DecodeString(encoded); err != nil || string(decoded) != string(want.raw) {
			t.Errorf("body %q (%v), standalone %q", decoded, err, want.raw)
		}
		return
	}
	var got map[string]any
	if err := json.Unmarshal(item.Body, &got); err != nil {
		t.Fatalf("item body: %v: %s", err, item.Body)
	}
	if want.status >= 400 {
		gotErr, wantErr := got["error"].(map[string]any), want.body["error"].(map[string]any)
		if gotErr["code"] != wantErr["code"] || gotErr["message"] != wantErr["message"] {
			t.Errorf("error %v, standalone %v", gotErr, wantErr)
		}
		if inner := gotErr["innerError"].(map[string]any); inner["request-id"] != item.Headers["request-id"] {
			t.Errorf("innerError request-id %v, header %q", inner["request-id"], item.Headers["request-id"])
		}
		return
	}
	if !reflect.DeepEqual(got, want.body) {
		t.Errorf("body\n%s\nstandalone\n%s", item.Body, want.raw)
	}
}

// assertBatchLog checks the request log of one batch of nine requests, the
// first on firstURL and the last a POST: the items in request order, then
// the batch itself.
func assertBatchLog(t *testing.T, s *Server, firstURL string) {
	t.Helper()
	reqs := s.Requests()
	if len(reqs) != 10 {
		t.Fatalf("%d requests logged, want 9 items and the batch: %+v", len(reqs), reqs)
	}
	for i, r := range reqs[:9] {
		if !r.InBatch || r.BatchItemID != strconv.Itoa(i+1) || r.Tenant != tenantA || r.Status == 0 || r.ClientRequestID != "test-batch-request" {
			t.Errorf("item %d logged as %+v", i+1, r)
		}
	}
	path, query, _ := strings.Cut(firstURL, "?")
	if r := reqs[0]; r.Method != http.MethodGet || r.Path != "/beta"+path || r.RawQuery != query || r.Status != http.StatusOK {
		t.Errorf("first item logged as %+v", r)
	}
	if r := reqs[8]; r.Method != http.MethodPost || r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST item logged as %+v", r)
	}
	if r := reqs[9]; r.InBatch || r.Method != http.MethodPost || r.Path != "/beta/$batch" || r.Status != http.StatusOK || r.BatchItemID != "" {
		t.Errorf("batch logged as %+v", r)
	}
}

func TestBatchDependsOn(t *testing.T) {
	s := startServer(t, twoTenants(fixedSessions(2, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	body := `{"requests":[
		{"id":"a","method":"GET","url":"` + wsSessionsPath("missing") + `"},
		{"id":"b","method":"GET","url":"` + sessionsPath + `","dependsOn":["a"]},
		{"id":"c","method":"GET","url":"` + sessionsPath + `","dependsOn":["b"]},
		{"id":"d","method":"GET","url":"/security/securityCopilot/workspaces"},
		{"id":"e","method":"GET","url":"` + sessionsPath + `","dependsOn":["d"]}]}`
	b := c.postBatch(body)
	want := map[string]int{"a": 404, "b": 424, "c": 424, "d": 200, "e": 200}
	if got := b.statuses(t); b.status != 200 || !reflect.DeepEqual(got, want) {
		t.Fatalf("statuses %v, want %v: %s", got, want, b.raw)
	}
	if code := b.byID(t)["b"].errorCode(); code != "FailedDependency" {
		t.Errorf("424 code %q", code)
	}
}
