package azuresim

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

func countAll(t *testing.T, s *Server) int {
	t.Helper()
	n := 0
	for _, ws := range []string{"default", "second"} {
		sessions, err := s.Sessions(tenantA, ws)
		if err != nil {
			t.Fatal(err)
		}
		n += len(sessions)
	}
	b, err := s.Sessions(tenantB, "default")
	if err != nil {
		t.Fatal(err)
	}
	return n + len(b)
}

func TestLiveModeAddsAndStops(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 10, 15, 12, 0, 0, 0, time.UTC)}
	opts := twoTenants(nil)
	opts.Now = clock.Now
	s := startServer(t, opts)
	before := countAll(t, s)

	ctx, cancel := context.WithCancel(context.Background())
	s.StartLive(ctx, 2*time.Millisecond, 1)
	c := newClient(t, s).login(tenantA, clientA, secretA)
	deadline := time.Now().Add(10 * time.Second)
	for countAll(t, s) < before+40 {
		clock.Advance(time.Minute)
		if a := c.get(sessionsPath + "?$count=true"); a.status != http.StatusOK { // reads race the writer
			t.Fatalf("read during live mode: %d", a.status)
		}
		if time.Now().After(deadline) {
			t.Fatal("live mode added too little")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	time.Sleep(50 * time.Millisecond) // a tick in flight may still land
	stopped := countAll(t, s)
	time.Sleep(100 * time.Millisecond)
	if after := countAll(t, s); after != stopped {
		t.Fatalf("live mode went on after cancel: %d → %d", stopped, after)
	}

	named, bumped := 0, 0
	for _, ws := range []string{"default", "second"} {
		sessions, _ := s.Sessions(tenantA, ws)
		for _, sess := range sessions {
			if sess.LastModified.Before(sess.Created) || sess.LastModified.After(clock.Now()) {
				t.Errorf("bad times %+v", sess)
			}
			if sess.DisplayName != nil {
				named++
				if sess.LastModified.After(sess.Created) {
					bumped++
				}
			}
		}
	}
	if named == 0 || bumped == 0 {
		t.Errorf("live mode named %d sessions, bumped %d", named, bumped)
	}
}

func TestLiveModeStopsOnClose(t *testing.T) {
	s, err := New(twoTenants(nil))
	if err != nil {
		t.Fatal(err)
	}
	s.StartLive(context.Background(), time.Millisecond, 2)
	time.Sleep(20 * time.Millisecond)
	done := make(chan struct{})
	go func() {
		_ = s.Close() // waits for the live goroutine
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop live mode")
	}
	n := countAll(t, s)
	time.Sleep(20 * time.Millisecond)
	if countAll(t, s) != n {
		t.Fatal("sessions added after Close")
	}
	s.StartLive(context.Background(), time.Millisecond, 3) // after Close: a no-op, not a panic
}

func TestLiveModeCap(t *testing.T) {
	full := make([]Session, MaxLiveSessions)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range full {
		full[i] = Session{ID: fmt.Sprintf("full-%06d", i), Created: base, LastModified: base}
	}
	opts := Options{Tenants: []Tenant{{ID: tenantA, ClientID: clientA, ClientSecret: secretA, Workspaces: []Workspace{
		{ID: "full", Sessions: full}, {ID: "room"},
	}}}}
	s := startServer(t, opts)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.StartLive(ctx, time.Millisecond, 4)
	deadline := time.Now().Add(10 * time.Second)
	for {
		room, _ := s.Sessions(tenantA, "room")
		if len(room) >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("live mode did not fill the workspace with room")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if f, _ := s.Sessions(tenantA, "full"); len(f) != MaxLiveSessions {
		t.Fatalf("full workspace grew to %d", len(f))
	}
}

func TestConcurrentAddAndRead(t *testing.T) {
	s := startServer(t, twoTenants(nil))
	c := newClient(t, s).login(tenantA, clientA, secretA)
	var wg sync.WaitGroup
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				ts := base.Add(time.Duration(i*4+w) * time.Second)
				if err := s.AddSession(tenantA, "default", Session{ID: fmt.Sprintf("w%d-%d", w, i), Created: ts, LastModified: ts}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 20 {
		if a := c.get(sessionsPath + "?$count=true&$top=7"); a.status != 200 {
			t.Fatalf("%d %s", a.status, a.raw)
		}
	}
	wg.Wait()
	a := c.get(sessionsPath + "?$count=true")
	if a.body["@odata.count"] != float64(200) {
		t.Fatalf("count %v", a.body["@odata.count"])
	}
	if err := s.AddSession(tenantA, "default", Session{ID: "w0-0"}); err == nil {
		t.Error("duplicate id accepted")
	}
	if err := s.AddSession(tenantA, "nope", Session{ID: "x"}); err == nil {
		t.Error("unknown workspace accepted")
	}
	name := "renamed"
	if err := s.UpdateSession(tenantA, "default", Session{ID: "w0-0", DisplayName: &name, Created: base, LastModified: base.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	name = "changed by caller afterwards"
	if one := c.get(sessionsPath + "/w0-0"); one.body["displayName"] != "renamed" {
		t.Errorf("update: %s", one.raw)
	}
}
