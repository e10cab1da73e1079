package azuresim

import (
	"fmt"
	"math"
	mrand "math/rand/v2"
	"slices"
	"time"
)

// Streams of the PCG generator, so that the same seed gives unrelated
// sequences to GenerateSessions and to live mode.
const (
	generateStream = 0x67656e6572617465 // "generate"
	liveStream     = 0x6c6976656d6f6465 // "livemode"
)

// historySpan is how far back generated sessions go: a little more than a
// year, so that every window an exporter may use has data.
const historySpan = 400 * 24 * time.Hour

// GenerateSessions returns n sessions, the same for the same seed, n and
// now, sorted by Created then ID:
//
//   - Created lies within the ~400 days before now, biased to recent: the
//     age is 400 days times the cube of a uniform number, so about 5% of
//     sessions fall in the last hour, 14% in the last day, 26% in the last 7
//     days and 42% in the last 30 days.
//   - About 20% have no DisplayName, and were never modified:
//     LastModified equals Created. The others got their name at once
//     (LastModified equal, 25%), from a first prompt minutes later (55%),
//     or were renamed days later (20%). LastModified is never after now: a
//     rename that would be is spread over the time since creation instead.
//   - Times are UTC truncated to 100ns; IDs are unique version 4 UUIDs.
func GenerateSessions(seed int64, n int, now time.Time) []Session {
	if n <= 0 {
		return []Session{}
	}
	rng := mrand.New(mrand.NewPCG(uint64(seed), generateStream))
	end := now.UTC().Truncate(graphTick)
	seen := make(map[string]bool, n)
	out := make([]Session, 0, n)
	for len(out) < n {
		id := seededUUID(rng)
		if seen[id] {
			continue
		}
		seen[id] = true
		age := time.Duration(float64(historySpan) * math.Pow(rng.Float64(), 3))
		created := end.Add(-age).Truncate(graphTick)
		s := Session{ID: id, Created: created, LastModified: created}
		if rng.Float64() >= 0.2 {
			name := sessionName(rng)
			s.DisplayName = &name
			switch r := rng.Float64(); {
			case r < 0.25:
			case r < 0.80:
				s.LastModified = created.Add(randomDuration(rng, 30*time.Second, 30*time.Minute))
			default:
				s.LastModified = created.Add(randomDuration(rng, 24*time.Hour, 60*24*time.Hour))
			}
			if s.LastModified.After(end) {
				// A rename cannot lie in the future. Spreading it over the time
				// since creation, rather than pinning it to now, avoids piling
				// thousands of sessions onto one instant, which real data
				// does not do.
				s.LastModified = created
				if span := end.Sub(created); span > graphTick {
					s.LastModified = created.Add(randomDuration(rng, 0, span))
				}
			}
		}
		out = append(out, s)
	}
	slices.SortFunc(out, compareSessions)
	return out
}

// randomDuration is uniform in [lo, hi) at Graph's 100ns resolution.
func randomDuration(rng *mrand.Rand, lo, hi time.Duration) time.Duration {
	ticks := int64((hi - lo) / graphTick)
	return lo + time.Duration(rng.Int64N(ticks))*graphTick
}

// sessionName imitates the names Security Copilot derives from a
// session's first prompt.
func sessionName(rng *mrand.Rand) string {
	switch rng.IntN(12) {
	case 0:
		return "who am i"
	case 1:
		return fmt.Sprintf("Summarize incident %d", 1000+rng.IntN(90000))
	case 2:
		return fmt.Sprintf("Investigate alerts on device WS-%04d", rng.IntN(10000))
	case 3:
		return fmt.Sprintf("Explain the PowerShell script in alert da%012d", rng.Int64N(1e12))
	case 4:
		return fmt.Sprintf("Risky sign-ins for user%d@contoso.com in the last 7 days", rng.IntN(500))
	case 5:
		return fmt.Sprintf("Threat intelligence on IP 203.0.113.%d", rng.IntN(256))
	case 6:
		return fmt.Sprintf("Analyze the phishing email reported by user%d", rng.IntN(500))
	case 7:
		return fmt.Sprintf("Which devices are exposed to CVE-2025-%04d?", rng.IntN(10000))
	case 8:
		return "Hunt for lateral movement & credential dumping"
	case 9:
		return fmt.Sprintf("Draft an executive report for incident %d", 1000+rng.IntN(90000))
	case 10:
		return fmt.Sprintf("Reverse engineer file hash %016x", rng.Uint64())
	}
	return "Summarize <Defender> alerts from today"
}
