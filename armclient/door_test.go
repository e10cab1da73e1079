package armclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/azurehttp"
	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// These tests hold Resource Manager's requests to the door's rules.

// defaultDoor is staticDoor with the schedule's production delays.
func defaultDoor(t *testing.T, tr http.RoundTripper) *azurehttp.Door {
	t.Helper()
	d, err := azurehttp.New(azurehttp.Settings{AuthorityHost: "https://login.invalid/", Transport: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UseCredential(func() (azcore.TokenCredential, error) { return &staticToken{}, nil }); err != nil {
		t.Fatal(err)
	}
	return d
}

// Item 14: an untrusted certificate is reported as such at once, not
// retried until the deadline hides it.
func TestDoorKeepsTheTLSCauseOfResourceManager(t *testing.T) {
	arm := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer arm.Close()
	c, err := New(config.Capacity{Endpoint: arm.URL}, defaultDoor(t, &http.Transport{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = c.ListSubscription(ctx, subA)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the untrusted certificate, not the deadline", err)
	}
}

// Item 1: Resource Manager's redirects are refused, and the ARM token
// never reaches the Location.
func TestDoorRefusesResourceManagerRedirects(t *testing.T) {
	var away atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { away.Add(1) }))
	defer other.Close()
	arm := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer arm.Close()
	c, err := New(config.Capacity{Endpoint: arm.URL}, defaultDoor(t, arm.Client().Transport))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListSubscription(context.Background(), subA)
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "302") || !strings.Contains(err.Error(), strings.TrimPrefix(other.URL, "http://")) {
		t.Errorf("err = %v, want one naming 302 and the Location's host", err)
	}
	if n := away.Load(); n != 0 {
		t.Errorf("the Location's host got %d requests", n)
	}
}

// Item 11: a 500 or 502 from Resource Manager is retried.
func TestDoorRetriesResourceManagerServerErrors(t *testing.T) {
	var n atomic.Int32
	arm := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusInternalServerError)
		case 2:
			w.WriteHeader(http.StatusBadGateway)
		default:
			_, _ = w.Write([]byte(`{"value":[]}`))
		}
	}))
	defer arm.Close()
	c, err := New(config.Capacity{Endpoint: arm.URL}, staticDoor(t, arm.Client(), &staticToken{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.ListSubscription(ctx, subA); err != nil || n.Load() != 3 {
		t.Errorf("err = %v after %d requests, want success on the third", err, n.Load())
	}
}
