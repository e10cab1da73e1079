package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "7d", want: 7 * 24 * time.Hour},
		{in: "1w", want: 7 * 24 * time.Hour},
		{in: "90m", want: 90 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "10y", want: MaxWindow},
		{in: "1ms", want: time.Millisecond},
		{in: "", wantErr: "empty window"},
		{in: "0", wantErr: `"0" is not a positive duration`},
		{in: "-5m", wantErr: `"-5m" is not a positive duration`},
		{in: "10y1ms", wantErr: `"10y1ms" is longer than the maximum of 10y`},
		{in: "1.5h", wantErr: `"1.5h" is not a valid duration`},
		{in: "7 d", wantErr: `"7 d" is not a valid duration`},
		{in: "1m1d", wantErr: `"1m1d" is not a valid duration`},
		{in: "5", wantErr: `"5" is not a valid duration`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			w, err := ParseWindow(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseWindow(%q) = %v, %v; want error containing %q", tt.in, w, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Label != tt.in || w.Duration != tt.want {
				t.Errorf("ParseWindow(%q) = %+v, want label %q duration %v", tt.in, w, tt.in, tt.want)
			}
		})
	}
}

func labels(ws []Window) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Label
	}
	return out
}

const oneTenant = `
tenants:
  - name: contoso
    tenant_id: contoso.onmicrosoft.com
    auth: azure_cli
`

func TestWindowsLabelsKeptAndSorted(t *testing.T) {
	tests := []struct {
		windows string
		want    []string
	}{
		{"[7d]", []string{"7d"}},
		{"[1w]", []string{"1w"}},                                   // not rewritten to 7d
		{"[168h]", []string{"168h"}},                               // not rewritten to 1w
		{"[30d, 1w, 90m, 1h]", []string{"1h", "90m", "1w", "30d"}}, // ascending
		{"[1y, 1d, 12h, 2d, 1h30m]", []string{"1h30m", "12h", "1d", "2d", "1y"}},
	}
	for _, tt := range tests {
		t.Run(tt.windows, func(t *testing.T) {
			cfg, err := Parse([]byte("windows: "+tt.windows+oneTenant), "w.yml")
			if err != nil {
				t.Fatal(err)
			}
			if got := labels(cfg.Windows); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("labels = %q, want %q", got, tt.want)
			}
			for i := 1; i < len(cfg.Windows); i++ {
				if cfg.Windows[i-1].Duration >= cfg.Windows[i].Duration {
					t.Errorf("not strictly ascending: %v", cfg.Windows)
				}
			}
		})
	}
}

func TestWindowsDuplicateDurations(t *testing.T) {
	tests := []struct {
		windows string
		want    string
	}{
		{"[1d, 24h]", `w.yml: windows[1]: "24h" is the same duration as windows[0] "1d"`},
		{"[24h, 1d]", `w.yml: windows[1]: "1d" is the same duration as windows[0] "24h"`},
		{"[1w, 7d]", `w.yml: windows[1]: "7d" is the same duration as windows[0] "1w"`},
		{"[1h, 60m, 3600s]", "w.yml: windows[1]: \"60m\" is the same duration as windows[0] \"1h\"\nw.yml: windows[2]: \"3600s\" is the same duration as windows[0] \"1h\""},
		{"[1h, 1h]", `w.yml: windows[1]: "1h" is the same duration as windows[0] "1h"`},
	}
	for _, tt := range tests {
		t.Run(tt.windows, func(t *testing.T) {
			_, err := Parse([]byte("windows: "+tt.windows+oneTenant), "w.yml")
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got error %v\nwant %s", err, tt.want)
			}
		})
	}
}

// Programmatic windows may give only a Duration, only a Label, or both.
func TestWindowNormalize(t *testing.T) {
	tests := []struct {
		name    string
		in      Window
		want    Window
		wantErr string
	}{
		{name: "duration only", in: Window{Duration: 7 * 24 * time.Hour}, want: Window{Label: "1w", Duration: 7 * 24 * time.Hour}},
		{name: "label only", in: Window{Label: "7d"}, want: Window{Label: "7d", Duration: 7 * 24 * time.Hour}},
		{name: "both agree", in: Window{Label: "7d", Duration: 7 * 24 * time.Hour}, want: Window{Label: "7d", Duration: 7 * 24 * time.Hour}},
		{name: "both disagree", in: Window{Label: "7d", Duration: time.Hour}, wantErr: `label "7d" does not match duration 1h0m0s`},
		{name: "empty", in: Window{}, wantErr: "empty window"},
		{name: "negative duration", in: Window{Duration: -time.Hour}, wantErr: `"-1h" is not a positive duration`},
		{name: "too long duration", in: Window{Duration: MaxWindow + time.Hour}, wantErr: `is longer than the maximum of 10y`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.in
			err := w.normalize()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("normalize(%+v) = %v, want error containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w != tt.want {
				t.Errorf("normalize(%+v) = %+v, want %+v", tt.in, w, tt.want)
			}
		})
	}
}
