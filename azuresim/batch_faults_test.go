package azuresim

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestBatchFaultsApplyPerItem(t *testing.T) {
	filtered := sessionsPath + "?$filter=" + url.QueryEscape("createdDateTime ge 2025-09-01T00:00:00Z")
	cases := []struct {
		name   string
		faults Faults
		urls   []string
		want   map[string]int
		check  func(t *testing.T, items map[string]batchItemAnswer, st Stats)
	}{
		{
			name:   "ThrottleEvery counts the requests inside",
			faults: Faults{ThrottleEvery: 2, RetryAfter: "5"},
			urls:   repeat(sessionsPath, 5),
			want:   map[string]int{"1": 200, "2": 429, "3": 200, "4": 429, "5": 200},
			check: func(t *testing.T, items map[string]batchItemAnswer, st Stats) {
				for _, id := range []string{"2", "4"} {
					if it := items[id]; it.Headers["Retry-After"] != "5" || it.errorCode() != "TooManyRequests" {
						t.Errorf("429 item %s: %v %s", id, it.Headers, it.Body)
					}
				}
				if items["1"].Headers["Retry-After"] != "" {
					t.Errorf("Retry-After on a 200: %v", items["1"].Headers)
				}
				if st.Throttled != 2 {
					t.Errorf("Throttled %d, want 2", st.Throttled)
				}
			},
		},
		{
			name:   "StatusFor answers only the items on its workspace",
			faults: Faults{StatusFor: map[string]int{"second": 503}, RetryAfter: "4"},
			urls:   []string{sessionsPath, wsSessionsPath("second"), "/security/securityCopilot/workspaces/second"},
			want:   map[string]int{"1": 200, "2": 503, "3": 503},
			check: func(t *testing.T, items map[string]batchItemAnswer, _ Stats) {
				if it := items["2"]; it.Headers["Retry-After"] != "4" || it.errorCode() != "ServiceUnavailable" {
					t.Errorf("503 item: %v %s", it.Headers, it.Body)
				}
			},
		},
		{
			name:   "DependencyFailed counts the requests inside",
			faults: Faults{DependencyFailed: 3},
			urls:   repeat(sessionsPath, 7),
			want:   map[string]int{"1": 200, "2": 200, "3": 424, "4": 200, "5": 200, "6": 424, "7": 200},
			check: func(t *testing.T, items map[string]batchItemAnswer, _ Stats) {
				if code := items["3"].errorCode(); code != "FailedDependency" {
					t.Errorf("424 code %q: %s", code, items["3"].Body)
				}
			},
		},
		{
			name:   "424 wins over 429 on the same request",
			faults: Faults{DependencyFailed: 2, ThrottleEvery: 2},
			urls:   repeat(sessionsPath, 3),
			want:   map[string]int{"1": 200, "2": 424, "3": 200},
		},
		{
			name:   "RejectFilter and OmitCount",
			faults: Faults{RejectFilter: true, OmitCount: true},
			urls:   []string{filtered, sessionsPath + "?$count=true"},
			want:   map[string]int{"1": 400, "2": 200},
			check: func(t *testing.T, items map[string]batchItemAnswer, _ Stats) {
				if !strings.Contains(string(items["1"].Body), "Invalid filter clause") {
					t.Errorf("RejectFilter item: %s", items["1"].Body)
				}
				if strings.Contains(string(items["2"].Body), "@odata.count") {
					t.Errorf("OmitCount item: %s", items["2"].Body)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, twoTenants(fixedSessions(3, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
			c := newClient(t, s).login(tenantA, clientA, secretA)
			c.get(sessionsPath) // before the faults: must not shift the counts
			s.SetFaults(tc.faults)
			b := c.postBatch(batchOf(tc.urls...))
			if got := b.statuses(t); b.status != http.StatusOK || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("outer %d, statuses %v, want %v", b.status, got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, b.byID(t), s.Stats())
			}
		})
	}
}

func TestBatchRefusedAsAWhole(t *testing.T) {
	twentyOne := batchOf(repeat(sessionsPath, 21)...)
	cases := []struct {
		name        string
		anonymous   bool
		faults      Faults
		method      string
		contentType string
		body        string
		wantStatus  int
		wantCode    string
	}{
		{name: "21 requests", body: twentyOne, wantStatus: 400, wantCode: "BadRequest"},
		{name: "duplicate id", body: `{"requests":[{"id":"1","method":"GET","url":"/x"},{"id":"1","method":"GET","url":"/y"}]}`, wantStatus: 400, wantCode: "BadRequest"},
		{name: "malformed JSON", body: `{"requests":[{"id":"1",`, wantStatus: 400, wantCode: "BadRequest"},
		{name: "no requests array", body: `{"request":[]}`, wantStatus: 400, wantCode: "BadRequest"},
		{name: "empty requests", body: `{"requests":[]}`, wantStatus: 400, wantCode: "BadRequest"},
		{name: "missing id", body: `{"requests":[{"method":"GET","url":"/x"}]}`, wantStatus: 400, wantCode: "BadRequest"},
		{name: "missing url", body: `{"requests":[{"id":"1","method":"GET"}]}`, wantStatus: 400, wantCode: "BadRequest"},
		{name: "dependsOn a later request", body: `{"requests":[{"id":"1","method":"GET","url":"/x","dependsOn":["2"]},{"id":"2","method":"GET","url":"/y"}]}`, wantStatus: 400, wantCode: "BadRequest"},
		{name: "not JSON content", contentType: "text/plain", body: batchOf(sessionsPath), wantStatus: 400, wantCode: "BadRequest"},
		{name: "no token", anonymous: true, body: batchOf(sessionsPath), wantStatus: 401, wantCode: "InvalidAuthenticationToken"},
		{name: "GET on $batch", method: http.MethodGet, wantStatus: 405, wantCode: "BadRequest"},
		{name: "BatchUnsupported 400", faults: Faults{BatchUnsupported: 400}, body: batchOf(sessionsPath), wantStatus: 400, wantCode: "BadRequest"},
		{name: "BatchUnsupported 404", faults: Faults{BatchUnsupported: 404}, body: batchOf(sessionsPath), wantStatus: 404, wantCode: "NotFound"},
		{name: "BatchUnsupported 405", faults: Faults{BatchUnsupported: 405}, body: batchOf(sessionsPath), wantStatus: 405, wantCode: "BadRequest"},
		{name: "BatchUnsupported 501", faults: Faults{BatchUnsupported: 501}, body: batchOf(sessionsPath), wantStatus: 501, wantCode: "NotImplemented"},
		{name: "BatchUnsupported after the token check", anonymous: true, faults: Faults{BatchUnsupported: 501}, body: batchOf(sessionsPath), wantStatus: 401, wantCode: "InvalidAuthenticationToken"},
	}
	s := startServer(t, twoTenants(nil))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, s)
			if !tc.anonymous {
				c.login(tenantA, clientA, secretA)
			}
			s.SetFaults(tc.faults)
			s.ResetStats()
			method, contentType := tc.method, tc.contentType
			if method == "" {
				method = http.MethodPost
			}
			if contentType == "" {
				contentType = "application/json"
			}
			b := c.sendBatch(context.Background(), method, contentType, tc.body)
			if b.status != tc.wantStatus || b.errorCode() != tc.wantCode || b.responses != nil {
				t.Fatalf("%d %s, want %d %s: %s", b.status, b.errorCode(), tc.wantStatus, tc.wantCode, b.raw)
			}
			wantBatches := 1
			if method != http.MethodPost {
				wantBatches = 0
			}
			if st := s.Stats(); st.GraphRequests != 0 || st.RoundTrips != 1 || st.BatchRequests != wantBatches {
				t.Errorf("stats %+v", st)
			}
			if reqs := s.Requests(); len(reqs) != 1 || reqs[0].Path != "/beta/$batch" || reqs[0].Status != tc.wantStatus {
				t.Errorf("log %+v", reqs)
			}
		})
	}
	// The limit is 20, not fewer.
	s.SetFaults(Faults{})
	c := newClient(t, s).login(tenantA, clientA, secretA)
	if b := c.postBatch(batchOf(repeat(sessionsPath, 20)...)); b.status != 200 || len(b.responses) != 20 {
		t.Errorf("20 requests: %d, %d responses", b.status, len(b.responses))
	}
}

func TestBatchAnswerFaults(t *testing.T) {
	cases := []struct {
		name    string
		faults  Faults
		urls    int
		wantIDs map[string]int // how often each id is answered
	}{
		{"none", Faults{}, 3, map[string]int{"1": 1, "2": 1, "3": 1}},
		{"BatchDropItem", Faults{BatchDropItem: true}, 3, map[string]int{"1": 1, "2": 1}},
		{"BatchDuplicateID", Faults{BatchDuplicateID: true}, 3, map[string]int{"1": 2, "2": 1, "3": 1}},
		{"both on one request", Faults{BatchDropItem: true, BatchDuplicateID: true}, 1, map[string]int{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, twoTenants(fixedSessions(2, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))))
			c := newClient(t, s).login(tenantA, clientA, secretA)
			s.SetFaults(tc.faults)
			b := c.postBatch(batchOf(repeat(sessionsPath, tc.urls)...))
			got := map[string]int{}
			for _, r := range b.responses {
				got[r.ID]++
				if r.Status != http.StatusOK {
					t.Errorf("item %s: %d", r.ID, r.Status)
				}
			}
			if b.status != http.StatusOK || !reflect.DeepEqual(got, tc.wantIDs) {
				t.Fatalf("answered ids %v, want %v: %s", got, tc.wantIDs, b.raw)
			}
			if n := len(b.responses); tc.faults.BatchDuplicateID && n > 0 && !reflect.DeepEqual(b.responses[n-1], b.first("1")) {
				t.Errorf("the duplicate differs from the first answer: %s", b.raw)
			}
			// A lost answer was still run.
			if st := s.Stats(); st.GraphRequests != tc.urls || len(s.Requests()) != tc.urls+2 {
				t.Errorf("stats %+v, %d logged", st, len(s.Requests()))
			}
		})
	}
}
