package collector

import (
	"fmt"
	"strings"
	"testing"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azuresim"
)

// A token answer without expires_in fails the tenant, and no part of the
// token reaches the log or the scrape (issue 19, item 3).
func TestTokenWithoutLifetimeNeverPrinted(t *testing.T) {
	f := newFixture(t, matrixOptions(), 1000)
	f.sim.SetHostile(azuresim.Hostile{OmitExpiresIn: true})
	fams := f.scrape()
	token := f.sim.LastToken()
	if token == "" {
		t.Fatal("no token was sent")
	}
	out := f.logs.String() + fmt.Sprint(fams)
	for i := 0; i+12 <= len(token); i++ {
		if strings.Contains(out, token[i:i+12]) {
			t.Fatalf("%q of the token is in the log or the scrape:\n%s", token[i:i+12], f.logs.String())
		}
	}
	if !strings.Contains(f.logs.String(), "expires_in") {
		t.Errorf("the log does not say what was wrong:\n%s", f.logs.String())
	}
}
