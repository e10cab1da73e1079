package azurehttp

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRedirectRefusedBeforeTheBodyIsRewound: a redirect answering a POST is
// refused without rewinding the request's body for a next hop, which
// net/http's Client does before it asks CheckRedirect, while an HTTP/2
// stream may still be reading that body (a data race seen in CI with
// azcore's bodies).
func TestRedirectRefusedBeforeTheBodyIsRewound(t *testing.T) {
	for _, status := range []int{301, 302, 303, 307, 308} {
		answer := transporterFunc(func(*http.Request) (*http.Response, error) {
			h := http.Header{"Location": {"https://elsewhere.example/token"}, "X-Ms-Request-Id": {"r1"}}
			return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader("moved"))}, nil
		})
		rewound := 0
		req, err := http.NewRequest(http.MethodPost, "https://login.example/tenant/oauth2/v2.0/token", bytes.NewReader([]byte("client_secret=s")))
		if err != nil {
			t.Fatal(err)
		}
		req.GetBody = func() (io.ReadCloser, error) {
			rewound++
			return io.NopCloser(bytes.NewReader([]byte("client_secret=s"))), nil
		}
		resp, err := newHTTPClient(answer).Do(req)
		if resp != nil {
			resp.Body.Close()
		}
		var re *RedirectError
		if !errors.As(err, &re) || re.Status != status || re.LocationHost != "elsewhere.example" || re.RequestID != "r1" {
			t.Errorf("%d: error %v, want a RedirectError naming %d, elsewhere.example and r1", status, err, status)
		}
		if rewound != 0 {
			t.Errorf("%d: the body was rewound %d times for a redirect that is refused", status, rewound)
		}
	}
}
