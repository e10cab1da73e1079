package auditusage

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BenchmarkStoreMonth holds a month of a busy tenant's records (10,000
// interactions a day, 200 accounts, 2,000 sessions a day, six surfaces,
// two plugins each) and reports the heap the Store keeps, and the time
// Summarize takes over windows of 1h, 1d, 7d and 30d.
func BenchmarkStoreMonth(b *testing.B) {
	surfaces := []string{"Security Copilot standalone", "Copilot in Defender", "Logic App", "Copilot in Microsoft Purview", "Copilot in Microsoft Entra", "Copilot in Intune"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := NewStore()
	const perDay = 10_000
	for d := range 30 {
		recs := make([]Record, 0, perDay)
		for i := range perDay {
			// Strings built per record, as decoding makes them.
			recs = append(recs, Record{
				ID: fmt.Sprintf("%08d-%04d", d, i), Time: t0.Add(time.Duration(d)*24*time.Hour + time.Duration(i)*8*time.Second), Kind: Interaction,
				Operation: strings.Clone(InteractionOperation), User: fmt.Sprintf("analyst%d@contoso.com", i%200),
				Surface: strings.Clone(surfaces[i%6]), Session: fmt.Sprintf("thread-%d-%d", d, i%2000), Prompts: 1,
				Plugins: []string{strings.Clone("Entra"), strings.Clone("Defender")},
			})
		}
		s.Add(Interval{t0.Add(time.Duration(d) * 24 * time.Hour), t0.Add(time.Duration(d+1) * 24 * time.Hour)}, recs)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	windows := []Window{{"1h", time.Hour}, {"1d", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}}
	b.ResetTimer()
	for b.Loop() {
		s.Summarize(windows, Caps{Surfaces: 10, Plugins: 20, Operations: 20})
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-held")
	runtime.KeepAlive(s)
}
