package azuresim

import (
	mrand "math/rand/v2"
	"slices"
	"time"
)

// Bounds of what live mode remembers, so that a demo left running for days
// does not grow.
const (
	maxLiveRecent  = 50   // sessions live mode may add prompts to
	maxLiveRunning = 1000 // evaluations live mode will complete
)

// liveResults are the result types live mode completes evaluations with.
// capacityExceeded is more common than in generated data, so that a demo
// shows it within minutes.
func liveResults() []weighted {
	return []weighted{{"success", 75}, {"capacityExceeded", 12}, {"error", 5}, {"rejected", 3}, {"timedOut", 3}, {"needAdditionalClaims", 2}}
}

// runningRef points at an evaluation live mode started.
type runningRef struct {
	ws                          *workspaceState
	session, prompt, evaluation string
}

// pushBounded appends v, dropping the oldest element when s is full.
func pushBounded[T any](s []T, v T, limit int) []T {
	if len(s) == limit {
		s = slices.Delete(s, 0, 1)
	}
	return append(s, v)
}

// addLivePrompt adds a prompt with one running evaluation to one of the
// sessions live mode added recently or, when there is none, to a session
// created in the day before now.
func (s *Server) addLivePrompt(rng *mrand.Rand, targets []*workspaceState, recent []liveRef, now time.Time) (runningRef, bool) {
	var ref liveRef
	if len(recent) > 0 {
		ref = recent[rng.IntN(len(recent))]
	} else {
		var ok bool
		if ref, ok = s.recentSession(rng, targets[rng.IntN(len(targets))], now); !ok {
			return runningRef{}, false
		}
	}
	p := Prompt{ID: seededUUID(rng), Type: "prompt", Content: promptContent(rng, "prompt"), Created: now, LastModified: now}
	e := Evaluation{ID: seededUUID(rng), Created: now, RunStart: now, LastModified: now, ExecutionCount: 1, State: "running"}
	p.Evaluations = []Evaluation{e}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if ref.ws.deleted.Load() || !ref.ws.hasSession(ref.id) {
		return runningRef{}, false // deleted by a test meanwhile
	}
	if err := ref.ws.insertPrompt(ref.id, p); err != nil {
		return runningRef{}, false // an id collision: skip this tick
	}
	return runningRef{ws: ref.ws, session: ref.id, prompt: p.ID, evaluation: e.ID}, true
}

// recentSession picks a session of ws created in the day before now.
func (s *Server) recentSession(rng *mrand.Rand, ws *workspaceState, now time.Time) (liveRef, bool) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	from, _ := slices.BinarySearchFunc(ws.sessions, now.Add(-24*time.Hour), func(sess Session, t time.Time) int {
		return sess.Created.Compare(t)
	})
	if from == len(ws.sessions) || ws.deleted.Load() {
		return liveRef{}, false
	}
	return liveRef{ws: ws, id: ws.sessions[from+rng.IntN(len(ws.sessions)-from)].ID}, true
}

// completeLiveEvaluations completes the evaluations live mode started, as
// the service does when the answer is ready, and bumps their prompts'
// LastModified. One a test changed from "running" meanwhile is left alone.
func (s *Server) completeLiveEvaluations(rng *mrand.Rand, refs []runningRef, now time.Time) {
	for _, ref := range refs {
		// Drawn before looking, so that the sequence does not depend on
		// what tests did meanwhile.
		resultType := pick(rng, liveResults())
		content := resultContent(rng, resultType)
		s.store.mu.Lock()
		if p := ref.ws.prompt(ref.session, ref.prompt); p != nil {
			if i := slices.IndexFunc(p.Evaluations, func(e Evaluation) bool { return e.ID == ref.evaluation }); i >= 0 && p.Evaluations[i].State == "running" {
				e := p.Evaluations[i]
				// Times never go back, whatever the clock does.
				done := latest(now, e.RunStart, e.Created)
				e.State, e.Completed, e.LastModified = "completed", done, done
				e.ResultType, e.ResultContent = resultType, content
				p.Evaluations = putEvaluation(p.Evaluations, e)
				p.LastModified = latest(p.LastModified, done)
			}
		}
		s.store.mu.Unlock()
	}
}

func latest(t time.Time, others ...time.Time) time.Time {
	for _, o := range others {
		if o.After(t) {
			t = o
		}
	}
	return t
}
