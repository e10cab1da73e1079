package collector

import (
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/graphclient"
)

// exactUnixSeconds is t as Unix seconds, computed apart from unixSeconds:
// strconv.ParseFloat rounds the exact decimal to the nearest float64.
func exactUnixSeconds(t time.Time) float64 {
	sec, nsec := t.Unix(), t.Nanosecond()
	text := fmt.Sprintf("%d.%09d", sec, nsec)
	if sec < 0 && nsec > 0 {
		text = fmt.Sprintf("-%d.%09d", -(sec + 1), int(time.Second)-nsec)
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		panic(err)
	}
	return v
}

func TestUnixSecondsOverTheWholeDateTimeOffsetRange(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
	}{
		{"9999-12-31T23:59:59Z", 253402300799},
		{"2300-01-01T00:00:00Z", 10413792000},
		{"1500-01-01T00:00:00Z", -14831769600},
		{"0001-01-01T00:00:01Z", -62135596799},
		{"2025-10-15T15:54:58.4862768Z", 1760543698.4862768},
		{"1969-12-31T23:59:59.5Z", -0.5},
	} {
		ts, err := graphclient.ParseTimestamp(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := unixSeconds(ts); got != c.want || got != exactUnixSeconds(ts) {
			t.Errorf("unixSeconds(%s) = %v, want %v", c.in, got, c.want)
		}
	}
}

// Sessions at both ends of Edm.DateTimeOffset are exported with their exact
// Unix time, not a UnixNano that wrapped around.
func TestSessionsAtTheEndsOfTimeAreExact(t *testing.T) {
	opts := azuresim.Options{Tenants: []azuresim.Tenant{simTenant(0, "s3cret-value-for-tests", map[string]int{"default": 3})}}
	f := newFixture(t, opts, 1000)
	last := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	first := time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)
	for _, s := range []azuresim.Session{{ID: "last", Created: last, LastModified: last}, {ID: "first", Created: first, LastModified: first}} {
		if err := f.sim.AddSession(opts.Tenants[0].ID, "default", s); err != nil {
			t.Fatal(err)
		}
	}
	fams := f.scrape()
	labels := map[string]string{"tenant": "tenant0", "workspace": "default"}
	for name, want := range map[string]float64{
		"securitycopilot_sessions_newest_created_timestamp_seconds": 253402300799,
		"securitycopilot_sessions_oldest_created_timestamp_seconds": -62135596799,
		"securitycopilot_sessions_last_modified_timestamp_seconds":  253402300799,
		"securitycopilot_sessions":                                  5,
	} {
		if got, ok := value(fams, name, labels); !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v; logs:\n%s", name, got, ok, want, f.logs.String())
		}
	}
}

// An evaluation that ran longer than a time.Duration holds has no duration
// to observe: time.Time.Sub would give 292 years instead.
func TestDurationOfCenturiesIsRefused(t *testing.T) {
	start := time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)
	for _, c := range []struct {
		completed time.Time
		want      time.Duration
		ok        bool
	}{
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), 0, false},
		{start.Add(math.MaxInt64), math.MaxInt64, true},
		{start.Add(90 * time.Second), 90 * time.Second, true},
	} {
		d, ok := duration(graphclient.Evaluation{RunStart: start, Completed: c.completed})
		if ok != c.ok || (ok && d != c.want) {
			t.Errorf("duration until %v = %v, %v; want %v, %v", c.completed, d, ok, c.want, c.ok)
		}
	}
}
