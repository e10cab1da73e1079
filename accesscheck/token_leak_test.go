package accesscheck

import (
	"strings"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// A token answer without expires_in fails the check without showing any
// part of the token (issue 19, item 3): the run helper fails on a JWT
// prefix, and this test on any 12 bytes of the token that was sent.
func TestReportNeverShowsATokenWithoutLifetime(t *testing.T) {
	f := newFixture(t)
	f.sim.SetHostile(azuresim.Hostile{OmitExpiresIn: true})
	out, ok := f.run(nil)
	token := f.sim.LastToken()
	if ok || token == "" {
		t.Fatalf("ok = %v, token sent %v; want a failed check after a token was sent:\n%s", ok, token != "", out)
	}
	for i := 0; i+12 <= len(token); i++ {
		if strings.Contains(out, token[i:i+12]) {
			t.Fatalf("the report shows %q of the token:\n%s", token[i:i+12], out)
		}
	}
	if !strings.Contains(out, "expires_in") {
		t.Errorf("the report does not say what was wrong:\n%s", out)
	}
}
