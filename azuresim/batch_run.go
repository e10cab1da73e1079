package azuresim

import (
	"net/http"
	"runtime"
)

// runBatch starts a batch's requests, prepared in request order, and
// returns at once; each job's done closes when its answer is ready.
//
// Graph runs the requests of a batch that do not depend on each other
// side by side; so does the simulator, on at most GOMAXPROCS workers, so
// that its work on a batch of twenty pages does not lie whole on the
// critical path of the client it answers. Workers take the requests in
// the order of the answer, so that its first items are ready first and
// the answer streams while the rest is built; a request comes after the
// ones it waits for (batchJob.waitFor), which never wait themselves for a
// later one, so a worker that waits is always waiting on one that runs.
func (s *Server) runBatch(jobs []*batchJob, order []int) {
	queue := make(chan *batchJob, len(jobs))
	queued := make(map[*batchJob]bool, len(jobs))
	var enqueue func(j *batchJob)
	enqueue = func(j *batchJob) {
		if queued[j] {
			return
		}
		queued[j] = true
		for _, w := range j.waitFor {
			enqueue(w) // always an earlier request: this ends
		}
		queue <- j
	}
	for _, i := range order {
		enqueue(jobs[i])
	}
	for _, j := range jobs {
		enqueue(j) // the one BatchDropItem leaves out of the answer
	}
	close(queue)
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		go func() {
			for j := range queue {
				s.run(j)
			}
		}()
	}
}

// streamBatchAnswer writes the answer's items in order as soon as each is
// ready, flushing each, so that the client decodes the first while the
// simulator still builds the next, as with Graph's chunked answers. The
// items' requests are logged in request order before the answer ends.
func (s *Server) streamBatchAnswer(ex *exchange, jobs []*batchJob, order []int) {
	logged := false
	logAll := func() {
		for _, j := range jobs {
			<-j.done
			if j.logged != nil {
				s.log.add(*j.logged)
			}
		}
		logged = true
	}
	defer func() {
		if !logged {
			logAll()
		}
	}()
	flusher, _ := ex.ResponseWriter.(http.Flusher)
	begin := func() {
		h := ex.Header()
		h.Set("OData-Version", "4.0")
		h.Set("Content-Type", odataJSON)
		ex.WriteHeader(http.StatusOK)
		_, _ = ex.Write([]byte(`{"responses":[`)) // a client that went away cannot be told anything
	}
	if len(order) == 0 {
		begin()
	}
	for n, i := range order {
		j := jobs[i]
		<-j.done
		switch {
		case j.panicked != nil:
			panic(j.panicked)
		case j.err != nil && n == 0:
			http.Error(ex, "azuresim: "+j.err.Error(), http.StatusInternalServerError)
			return
		case j.err != nil:
			panic(http.ErrAbortHandler) // the answer has begun: cut it short
		case n == 0:
			begin()
		default:
			_, _ = ex.Write([]byte{','})
		}
		_, _ = ex.Write(j.answer)
		if flusher != nil {
			flusher.Flush()
		}
	}
	logAll()
	for _, j := range jobs {
		if j.panicked != nil {
			panic(j.panicked) // the one BatchDropItem leaves out of the answer
		}
	}
	_, _ = ex.Write([]byte(`]}`))
}
