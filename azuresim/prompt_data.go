package azuresim

import (
	"fmt"
	"math"
	mrand "math/rand/v2"
	"time"
)

// promptStream is the PCG stream of GeneratePrompts, unrelated to the
// streams of GenerateSessions and live mode for the same seed.
const promptStream = 0x70726f6d70747321 // "prompts!"

// recentPrompt is how close to now a prompt's evaluation is still running
// or pending rather than done.
const recentPrompt = 2 * time.Minute

// weighted is a value and its weight in a draw.
type weighted struct {
	value  string
	weight int
}

// generatedResults are the result types of completed generated
// evaluations, in percent.
func generatedResults() []weighted {
	return []weighted{{"success", 85}, {"error", 5}, {"capacityExceeded", 5}, {"rejected", 2}, {"timedOut", 2}, {"needAdditionalClaims", 1}}
}

func pick(rng *mrand.Rand, choices []weighted) string {
	total := 0
	for _, c := range choices {
		total += c.weight
	}
	n := rng.IntN(total)
	for _, c := range choices {
		if n < c.weight {
			return c.value
		}
		n -= c.weight
	}
	return choices[len(choices)-1].value
}

// GeneratePrompts returns prompts for the sessions, by session ID, the same
// for the same seed, sessions and now:
//
//   - About 15% of sessions have no prompt and no entry; the others have 1
//     to 6 prompts, fewer when they would lie after now. The first comes
//     within 20 s of the session's Created, each next one 5 s to 10 min
//     (log-uniform) after the previous one's last activity.
//   - Types: prompt ~70%, skill ~20% (with a SkillName), context and
//     feedback ~5% each. Content is made-up text that starts with
//     "PROMPT-CONTENT-", so that a test can look for it where it must not
//     be.
//   - Context and feedback prompts have no evaluation; the others one,
//     and ~10% of those a re-run with ExecutionCount 2 after the first
//     ended. An evaluation is Created with its prompt (or the re-run) and
//     starts 0.2 to 2 s later. Within 2 minutes of now it is "running"
//     (~70%) or "pending" (RunStart unset). Otherwise ~3% are "cancelled"
//     (IsCancelled, no result or an "error" one) and the rest "completed"
//     2 s to 3 min (log-uniform) after RunStart, with a result of type
//     success ~85%, error ~5%, capacityExceeded ~5%, rejected ~2%,
//     timedOut ~2% or needAdditionalClaims ~1% and ResultContent starting
//     with "RESULT-CONTENT-". One that would complete after now is still
//     "running".
//   - An evaluation's LastModified is its Completed, else RunStart, else
//     Created; a prompt's is its last evaluation's, else its Created.
//     Nothing lies after now; times are UTC at 100ns; IDs are UUIDs.
func GeneratePrompts(seed int64, sessions []Session, now time.Time) map[string][]Prompt {
	rng := mrand.New(mrand.NewPCG(uint64(seed), promptStream))
	end := now.UTC().Truncate(graphTick)
	out := make(map[string][]Prompt)
	for _, sess := range sessions {
		n := 0
		if rng.Float64() >= 0.15 {
			n = 1 + rng.IntN(6)
		}
		at := graphTime(sess.Created).Add(randomDuration(rng, 0, 20*time.Second))
		var ps []Prompt
		for range n {
			if at.After(end) {
				break
			}
			p := generatePrompt(rng, at, end)
			ps = append(ps, p)
			at = p.LastModified.Add(logDuration(rng, 5*time.Second, 10*time.Minute))
		}
		if len(ps) > 0 {
			out[sess.ID] = ps
		}
	}
	return out
}

// logDuration is log-uniform in [lo, hi): short durations are as likely
// as long ones per factor of time, as response times are.
func logDuration(rng *mrand.Rand, lo, hi time.Duration) time.Duration {
	d := float64(lo) * math.Pow(float64(hi)/float64(lo), rng.Float64())
	return time.Duration(d).Truncate(graphTick)
}

func generatePrompt(rng *mrand.Rand, at, end time.Time) Prompt {
	p := Prompt{ID: seededUUID(rng), Created: at, LastModified: at}
	switch r := rng.Float64(); {
	case r < 0.70:
		p.Type = "prompt"
	case r < 0.90:
		p.Type, p.SkillName = "skill", skillName(rng)
	case r < 0.95:
		p.Type = "context"
	default:
		p.Type = "feedback"
	}
	p.Content = promptContent(rng, p.Type)
	p.Evaluations = []Evaluation{}
	if p.Type != "prompt" && p.Type != "skill" {
		return p
	}
	first := generateEvaluation(rng, at, end, 1)
	p.Evaluations = append(p.Evaluations, first)
	if rng.Float64() < 0.10 && (first.State == "completed" || first.State == "cancelled") {
		rerun := first.LastModified.Add(logDuration(rng, 3*time.Second, 5*time.Minute))
		if !rerun.After(end) {
			p.Evaluations = append(p.Evaluations, generateEvaluation(rng, rerun, end, 2))
		}
	}
	p.LastModified = p.Evaluations[len(p.Evaluations)-1].LastModified
	return p
}

func generateEvaluation(rng *mrand.Rand, created, end time.Time, count int64) Evaluation {
	e := Evaluation{ID: seededUUID(rng), Created: created, LastModified: created, ExecutionCount: count}
	start := created.Add(randomDuration(rng, 200*time.Millisecond, 2*time.Second))
	took := logDuration(rng, 2*time.Second, 3*time.Minute)
	roll := rng.Float64()
	if start.After(end) || (end.Sub(created) < recentPrompt && roll < 0.3) {
		e.State = "pending"
		return e
	}
	e.RunStart, e.LastModified = start, start
	done := start.Add(took)
	switch {
	case end.Sub(created) < recentPrompt || done.After(end):
		e.State = "running"
	case roll < 0.03:
		e.State, e.IsCancelled = "cancelled", true
		e.Completed = start.Add((took / 2).Truncate(graphTick))
		e.LastModified = e.Completed
		if rng.IntN(2) == 0 {
			e.ResultType, e.ResultContent = "error", resultContent(rng, "error")
		}
	default:
		e.State, e.Completed, e.LastModified = "completed", done, done
		e.ResultType = pick(rng, generatedResults())
		e.ResultContent = resultContent(rng, e.ResultType)
	}
	return e
}

func skillName(rng *mrand.Rand) string {
	names := []string{"GetDefenderIncident", "SummarizeIncident", "GetEntraRiskyUsers", "AnalyzeScript", "GetThreatIntelProfile", "NL2KQLDefender", "GetIntuneDevices"}
	return names[rng.IntN(len(names))]
}

// promptContent is distinctive made-up text: the marker and a random tag
// make any leak of it easy to find.
func promptContent(rng *mrand.Rand, kind string) string {
	tag := rng.Uint32()
	switch kind {
	case "context":
		return fmt.Sprintf("PROMPT-CONTENT-%08x Context: %s", tag, sessionName(rng))
	case "feedback":
		return fmt.Sprintf("PROMPT-CONTENT-%08x Feedback: the answer missed the affected devices.", tag)
	}
	return fmt.Sprintf("PROMPT-CONTENT-%08x %s", tag, sessionName(rng))
}

func resultContent(rng *mrand.Rand, resultType string) string {
	tag := rng.Uint32()
	text := "Here is what I found: 3 alerts on 2 devices, most likely a phishing campaign."
	switch resultType {
	case "error":
		text = "Something went wrong while running the skill."
	case "capacityExceeded":
		text = "The Security Compute Units of your capacity are used up. Try again later."
	case "rejected":
		text = "The prompt was rejected by responsible AI checks."
	case "timedOut":
		text = "The evaluation took too long and was stopped."
	case "needAdditionalClaims":
		text = "Sign in again to give the plugin the consent it needs."
	}
	return fmt.Sprintf("RESULT-CONTENT-%08x %s", tag, text)
}
