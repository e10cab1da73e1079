package collector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector/plan"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// A shared fetch never outlives the scrape that started it by more than
// collection.timeout, even when that scrape has no deadline.
func TestDetachedFetchIsBounded(t *testing.T) {
	ctx, cancel := detach(context.Background(), 3*time.Second)
	defer cancel()
	deadline, ok := ctx.Deadline()
	if !ok || time.Until(deadline) > 3*time.Second {
		t.Fatalf("a fetch for a scrape without a deadline has deadline %v (set %v), want within 3s", deadline, ok)
	}
	parent, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	ctx, cancel = detach(parent, time.Hour)
	defer cancel()
	stop() // the scrape that started the fetch goes away
	if ctx.Err() != nil {
		t.Fatal("the fetch ended with the scrape that started it")
	}
	if d, _ := ctx.Deadline(); d.After(time.Now().Add(10 * time.Second)) {
		t.Fatalf("fetch deadline %v is past the scrape's", d)
	}
}

func TestSourceQuery(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	q := query(plan.Request{Count: true, Top: 25, Filter: plan.Filter{{Prop: plan.LastModified, Op: plan.LT, Time: at}, {Prop: plan.Created, Op: plan.GE, Time: at}}})
	want := graphclient.Query{Count: true, Top: 25, Select: graphclient.SessionRefSelect, Filter: graphclient.Filter{
		{Property: graphclient.PropLastModified, Op: graphclient.OpLT, Time: at},
		{Property: graphclient.PropCreated, Op: graphclient.OpGE, Time: at},
	}}
	if q.Encode() != want.Encode() {
		t.Fatalf("query %s, want %s", q.Encode(), want.Encode())
	}
}

func TestSourceRefusal(t *testing.T) {
	for status, refused := range map[int]bool{400: true, 501: true, 403: false, 429: false, 500: false} {
		err := refusal(fmt.Errorf("wrapped: %w", &graphclient.Error{Status: status}))
		if errors.Is(err, plan.ErrRefused) != refused {
			t.Errorf("HTTP %d (%s): refused %v, want %v", status, http.StatusText(status), !refused, refused)
		}
	}
	if err := refusal(errors.New("decode page: unexpected EOF")); errors.Is(err, plan.ErrRefused) {
		t.Error("a broken answer was taken for a refusal")
	}
}
