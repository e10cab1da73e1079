package graphclient

import (
	"net/http"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// attemptRecorder sits in the credential's pipeline and keeps the last
// failed attempt to reach Entra ID. azidentity retries a refused connection
// until the deadline and then reports only the deadline; the recorded
// attempt says what really went wrong, and with which host.
type attemptRecorder struct {
	mu   sync.Mutex
	last error
}

func (a *attemptRecorder) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if err != nil {
		a.mu.Lock()
		a.last = err
		a.mu.Unlock()
	}
	return resp, err
}

// take returns the last failed attempt and forgets it.
func (a *attemptRecorder) take() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	err := a.last
	a.last = nil
	return err
}
