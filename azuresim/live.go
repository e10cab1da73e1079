package azuresim

import (
	"context"
	mrand "math/rand/v2"
	"time"
)

// MaxLiveSessions is the number of sessions per workspace above which live
// mode stops adding to that workspace, so that a demo left running for
// days stays responsive.
const MaxLiveSessions = 100000

// maxUnnamed bounds how many live sessions wait for a name; when it is
// reached the oldest stays unnamed, as some real sessions do.
const maxUnnamed = 1000

// liveRef points at a session live mode may name later.
type liveRef struct {
	ws *workspaceState
	id string
}

// StartLive runs live mode until ctx is done or the server is closed: every
// `every` (real time) it adds one session, Created = LastModified = Now(),
// without a name, to a random workspace of any tenant that has fewer than
// MaxLiveSessions sessions, and with probability 1/2 names one of the
// sessions it added earlier, bumping its LastModified to Now(), as the
// service does when a first prompt names a session. About 20% of the
// sessions it adds are never named. After that, on each tick, it completes
// every evaluation it started on an earlier tick (state "completed",
// Completed = LastModified = Now(), a result of type success ~75%,
// capacityExceeded ~12%, error, rejected, timedOut or needAdditionalClaims,
// and the prompt's LastModified bumped), and with probability 1/2 adds a
// prompt of type "prompt" with one "running" evaluation (RunStart = Now(),
// no result) to one of the last 50 sessions it added, or, before it added
// any, to a session created in the last day. The same seed gives the same
// choices.
// It returns at once; every <= 0 or a server without workspaces does
// nothing.
func (s *Server) StartLive(ctx context.Context, every time.Duration, seed int64) {
	if every <= 0 {
		return
	}
	var targets []*workspaceState
	for _, t := range s.store.order {
		for _, w := range t.workspaces {
			targets = append(targets, t.byID[w.ID])
		}
	}
	if len(targets) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.liveWG.Add(1)
	go func() {
		defer s.liveWG.Done()
		s.runLive(ctx, every, mrand.New(mrand.NewPCG(uint64(seed), liveStream)), targets)
	}()
}

func (s *Server) runLive(ctx context.Context, every time.Duration, rng *mrand.Rand, targets []*workspaceState) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	var unnamed, recent []liveRef
	var running []runningRef
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.life.Done():
			return
		case <-ticker.C:
		}
		now := s.now().UTC().Truncate(graphTick)
		if len(unnamed) > 0 && rng.IntN(2) == 0 {
			i := rng.IntN(len(unnamed))
			s.nameLiveSession(rng, unnamed[i], now)
			unnamed = append(unnamed[:i], unnamed[i+1:]...)
		}
		ref, ok := s.addLiveSession(rng, targets, now)
		if ok && rng.Float64() >= 0.2 {
			if len(unnamed) == maxUnnamed {
				unnamed = unnamed[1:]
			}
			unnamed = append(unnamed, ref)
		}
		if ok {
			recent = pushBounded(recent, ref, maxLiveRecent)
		}
		// The prompt steps come last, so that a seed adds and names the
		// same sessions as before prompts were simulated.
		s.completeLiveEvaluations(rng, running, now)
		running = running[:0]
		if rng.IntN(2) == 0 {
			if r, ok := s.addLivePrompt(rng, targets, recent, now); ok {
				running = pushBounded(running, r, maxLiveRunning)
			}
		}
	}
}

// addLiveSession adds to a random workspace that has room, trying the
// others in turn when it has none.
func (s *Server) addLiveSession(rng *mrand.Rand, targets []*workspaceState, now time.Time) (liveRef, bool) {
	id := seededUUID(rng)
	start := rng.IntN(len(targets))
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	for i := range targets {
		ws := targets[(start+i)%len(targets)]
		if len(ws.sessions) >= MaxLiveSessions || ws.deleted.Load() {
			continue
		}
		if err := ws.insert(Session{ID: id, Created: now, LastModified: now}); err != nil {
			return liveRef{}, false // an id collision: skip this tick
		}
		return liveRef{ws: ws, id: id}, true
	}
	return liveRef{}, false
}

func (s *Server) nameLiveSession(rng *mrand.Rand, ref liveRef, now time.Time) {
	name := sessionName(rng)
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	i, ok := ref.ws.index(ref.id)
	if !ok {
		return
	}
	sess := &ref.ws.sessions[i]
	sess.DisplayName = &name
	// LastModified never goes back, whatever the clock does.
	if now.After(sess.LastModified) {
		sess.LastModified = now
	}
}
