package collector

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/collector/plan"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// TestSourceSummarizesLastPages: a request that carries a Summarizer is
// answered with a summary exactly when its page has no next link, and the
// summary reads as the page's sessions would; side by side in one $batch
// with pages that keep their sessions, and read twice, so that the second
// read fills slices the first gave back.
func TestSourceSummarizesLastPages(t *testing.T) {
	sizes := map[string]int{"default": 250, "small": 37}
	opts := azuresim.Options{MaxPageSize: 100, Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", sizes)}}
	f := newFixture(t, opts, 100)
	c, err := graphclient.New(f.cfg.Graph, f.cfg.Tenants[0], graphclient.Options{
		Metrics: graphclient.NewMetrics(prometheus.NewRegistry()), Transport: &http.Client{Transport: f.sim.Transport()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	z := &plan.Summarizer{}
	for round := range 2 {
		var answers [][]plan.Answer
		c.Run(ctx, func(r graphclient.Reader) {
			for _, ws := range []string{"default", "small"} {
				pages, err := r.Sessions(ws)
				if err != nil {
					t.Error(err)
					return
				}
				src := source{pages: pages}
				answers = append(answers, src.Fetch(ctx, []plan.Request{
					{Count: true, Top: 100, Summary: z},
					{Count: true, Top: 100},
				}))
			}
		})
		for i, ws := range []string{"default", "small"} {
			summed, plain := answers[i][0], answers[i][1]
			if summed.Err != nil || plain.Err != nil {
				t.Fatalf("round %d, %s: %v, %v", round, ws, summed.Err, plain.Err)
			}
			last := plain.Page.NextLink == ""
			if (summed.Page.Summary != nil) != last || plain.Page.Summary != nil {
				t.Errorf("round %d, %s: summary %v and %v for a page with next link %q", round, ws, summed.Page.Summary != nil, plain.Page.Summary != nil, plain.Page.NextLink)
			}
			if !last {
				if !reflect.DeepEqual(summed.Page.Sessions, plain.Page.Sessions) {
					t.Errorf("round %d, %s: a page with a next link lost its sessions", round, ws)
				}
				continue
			}
			if len(summed.Page.Sessions) != 0 {
				t.Errorf("round %d, %s: a summarized page kept %d sessions", round, ws, len(summed.Page.Sessions))
			}
			if want := z.Of(plain.Page.Sessions); !reflect.DeepEqual(summed.Page.Summary, want) || len(plain.Page.Sessions) != sizes[ws] {
				t.Errorf("round %d, %s: summary %+v, want %+v of %d sessions", round, ws, summed.Page.Summary, want, len(plain.Page.Sessions))
			}
		}
	}
}
