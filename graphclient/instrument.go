package graphclient

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// instrument counts every HTTP try the door sends to Graph.
type instrument struct{ metrics *Metrics }

func (i instrument) ObserveTry(req *http.Request, status int, took time.Duration, retry bool) {
	if retry {
		i.metrics.retries.Inc()
	}
	i.metrics.duration.Observe(took.Seconds())
	code := "error"
	if status != 0 {
		code = strconv.Itoa(status)
	}
	i.metrics.httpRequests.WithLabelValues(code).Inc()
	if !isBatch(req.Context()) || status == 0 {
		// A $batch that got no answer failed all its requests; one that did
		// has its items counted as they are read.
		i.metrics.requests.WithLabelValues(code).Inc()
	}
}

type batchKey struct{}

// isBatch tells the instrumentation that a request is a $batch, whose items
// are counted one by one when its answer is read.
func isBatch(ctx context.Context) bool {
	v, _ := ctx.Value(batchKey{}).(bool)
	return v
}
