package collector

import (
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// activityMemory is what the activity read of a workspace keeps between
// scrapes. Both maps hold only prompts and evaluations of covered sessions
// within the lookback, so they stay bounded by max_sessions.
type activityMemory struct {
	// watching is set after the first successful read: evaluations that
	// were already completed then are not observed by the duration
	// histogram, which counts completions from that read on, as a counter
	// counts events since the process started.
	watching bool
	// final holds prompts whose evaluations all ended (completed or
	// cancelled), and prompts that have had none for settledAfter. An
	// ended evaluation never changes, and a new one (a re-run) changes its
	// prompt's lastModifiedDateTime, so such a prompt's evaluations are not
	// listed again while the prompt's lastModifiedDateTime stays the same.
	final map[string]finalPrompt // by promptKey
	// seen maps each completed evaluation the histogram has accounted for,
	// by promptKey and evaluation id, to its completedDateTime. Entries
	// older than the lookback are dropped: such evaluations are never
	// observed again.
	seen map[string]time.Time
}

// settledAfter is how long after its creation a prompt without an
// evaluation is taken to have none to come but by a change of the prompt:
// long beyond the moment between a prompt and its evaluation's creation.
const settledAfter = 5 * time.Minute

type finalPrompt struct {
	lastModified time.Time
	evaluations  []graphclient.Evaluation
}

// completion is an evaluation seen completed for the first time.
type completion struct {
	key      string // promptKey and evaluation id
	duration time.Duration
}

// commitActivity stores the memory a successful read leaves and returns the
// durations of its completions that no other read has accounted for. Two
// fetches of one workspace overlap only across a reload; merging their
// seen sets, rather than keeping the last, keeps either from observing an
// evaluation the other already did.
func (t *tenant) commitActivity(ws string, next activityMemory, done []completion) []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.activity[ws]
	var fresh []time.Duration
	for _, c := range done {
		if _, observed := cur.seen[c.key]; !observed {
			fresh = append(fresh, c.duration)
		}
	}
	for k, v := range cur.seen {
		if _, ok := next.seen[k]; !ok {
			next.seen[k] = v
		}
	}
	t.activity[ws] = next
	return fresh
}
