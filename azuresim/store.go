package azuresim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// graphTick is the resolution of Graph timestamps: 7 fractional digits.
const graphTick = 100 * time.Nanosecond

// DefaultAlias is the workspace id Graph accepts for a tenant's default
// workspace, in place of its GUID.
const DefaultAlias = "default"

// ErrNotFound is returned (wrapped) by methods given an unknown tenant,
// workspace, session or prompt.
var ErrNotFound = errors.New("not found")

// Session is a Security Copilot session.
type Session struct {
	ID           string
	DisplayName  *string   // nil is encoded as JSON null
	Created      time.Time // UTC, 100ns precision (Graph has 7 fractional digits)
	LastModified time.Time
	// Owner is the UPN of the user who started the session; Graph does not
	// serve it. With Faults.OwnSessionsOnly a delegated token sees only
	// the sessions its user owns.
	Owner string
}

// Workspace is a Security Copilot workspace and its sessions.
type Workspace struct {
	ID          string
	DisplayName string
	// Default marks the workspace created at onboarding, which Graph also
	// serves under the alias "default": every path with the workspace id
	// "default" reaches it, while listings and entities show its real id.
	// At most one workspace of a tenant is the default one, and none may
	// then have the id "default" itself.
	Default  bool
	Sessions []Session
	// Prompts maps a session ID of Sessions to the session's prompts. A
	// session may have none.
	Prompts map[string][]Prompt
	// Plugins are the plugins the workspace knows, each name once.
	Plugins []Plugin
}

// Tenant is an Entra ID tenant with one app registration and its data.
type Tenant struct {
	ID       string // tenant id (GUID string), matched without regard to case
	ClientID string // matched without regard to case
	// ClientSecret is the secret accepted for the client_secret flow; empty
	// disables that flow. A client_assertion (certificate or workload
	// identity) is accepted for ClientID when it looks like a JWT: three
	// non-empty base64url parts separated by dots. Its claims and signature
	// are not checked.
	ClientSecret string
	Workspaces   []Workspace
	// Subscriptions are the tenant's Azure subscriptions, served by the
	// simulated Resource Manager (see ARMEndpoint).
	Subscriptions []Subscription
	// Users can sign in with the device code flow to ClientID, as a
	// public client, once a test approves their sign-in
	// (Server.ApproveDeviceLogin).
	Users []User
}

// User is a user account of a tenant.
type User struct {
	ObjectID string // the oid claim
	UPN      string // the upn claim, matched without regard to case
}

// store holds the tenants. Everything but the sessions, their prompts and
// the workspaces' deleted flags is immutable after newStore, so only
// sessions and prompts need mu.
type store struct {
	mu      sync.RWMutex
	tenants map[string]*tenantState // by lower-case tenant id
	order   []*tenantState          // configuration order, for live mode
}

type tenantState struct {
	id, clientID, secret string
	defaultID            string      // the id that the alias "default" stands for
	workspaces           []Workspace // without Sessions, sorted by id
	byID                 map[string]*workspaceState
	users                map[string]User // by lower-case UPN
}

type workspaceState struct {
	tenant   *tenantState
	id       string
	name     string
	deleted  atomic.Bool          // set by DeleteWorkspace; a deleted workspace is never served again
	sessions []Session            // sorted by (Created, ID); guarded by store.mu
	created  map[string]time.Time // session id → Created, to find it by binary search
	prompts  map[string][]Prompt  // session id → prompts sorted by (Created, ID); guarded by store.mu
	plugins  []Plugin             // sorted by Name; guarded by store.mu
}

func newStore(tenants []Tenant) (*store, error) {
	st := &store{tenants: make(map[string]*tenantState, len(tenants))}
	for _, t := range tenants {
		if t.ID == "" || t.ClientID == "" {
			return nil, fmt.Errorf("tenant %q: ID and ClientID are required", t.ID)
		}
		key := strings.ToLower(t.ID)
		if _, dup := st.tenants[key]; dup {
			return nil, fmt.Errorf("tenant %q is configured twice", t.ID)
		}
		ts := &tenantState{id: t.ID, clientID: t.ClientID, secret: t.ClientSecret, byID: make(map[string]*workspaceState), users: make(map[string]User, len(t.Users))}
		for _, u := range t.Users {
			if u.ObjectID == "" || u.UPN == "" {
				return nil, fmt.Errorf("tenant %q: a user needs ObjectID and UPN", t.ID)
			}
			ts.users[strings.ToLower(u.UPN)] = u
		}
		for _, w := range t.Workspaces {
			if w.ID == "" {
				return nil, fmt.Errorf("tenant %q: workspace with empty ID", t.ID)
			}
			if _, dup := ts.byID[w.ID]; dup {
				return nil, fmt.Errorf("tenant %q: workspace %q is configured twice", t.ID, w.ID)
			}
			ws := &workspaceState{tenant: ts, id: w.ID, name: w.DisplayName, created: make(map[string]time.Time, len(w.Sessions)), prompts: make(map[string][]Prompt, len(w.Prompts))}
			for _, sess := range w.Sessions {
				if err := ws.insert(sess); err != nil {
					return nil, fmt.Errorf("tenant %q workspace %q: %w", t.ID, w.ID, err)
				}
			}
			if err := ws.loadPrompts(w.Prompts); err != nil {
				return nil, fmt.Errorf("tenant %q workspace %q: %w", t.ID, w.ID, err)
			}
			var err error
			if ws.plugins, err = normalizePlugins(w.Plugins); err != nil {
				return nil, fmt.Errorf("tenant %q workspace %q: %w", t.ID, w.ID, err)
			}
			ts.byID[w.ID] = ws
			if w.Default {
				if ts.defaultID != "" {
					return nil, fmt.Errorf("tenant %q: workspaces %q and %q are both the default one", t.ID, ts.defaultID, w.ID)
				}
				ts.defaultID = w.ID
			}
			ts.workspaces = append(ts.workspaces, Workspace{ID: w.ID, DisplayName: w.DisplayName})
		}
		if _, taken := ts.byID[DefaultAlias]; taken && ts.defaultID != "" {
			return nil, fmt.Errorf("tenant %q: a workspace has the id %q, which is also the alias of %q", t.ID, DefaultAlias, ts.defaultID)
		}
		slices.SortFunc(ts.workspaces, func(a, b Workspace) int { return strings.Compare(a.ID, b.ID) })
		st.tenants[key] = ts
		st.order = append(st.order, ts)
	}
	return st, nil
}

func (st *store) tenant(id string) *tenantState { return st.tenants[strings.ToLower(id)] }

func (st *store) workspace(tenantID, workspaceID string) (*workspaceState, error) {
	t := st.tenant(tenantID)
	if t == nil {
		return nil, fmt.Errorf("tenant %q: %w", tenantID, ErrNotFound)
	}
	ws := t.workspace(workspaceID)
	if ws == nil {
		return nil, fmt.Errorf("tenant %q workspace %q: %w", tenantID, workspaceID, ErrNotFound)
	}
	return ws, nil
}

// normalize makes a session look like Graph data and detaches it from the
// caller's DisplayName pointer, which the caller may go on to change.
func normalize(s Session) Session {
	s.Created = s.Created.UTC().Truncate(graphTick)
	s.LastModified = s.LastModified.UTC().Truncate(graphTick)
	if s.DisplayName != nil {
		name := *s.DisplayName
		s.DisplayName = &name
	}
	return s
}

func compareSessions(a, b Session) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// insert adds a session in order. The caller holds store.mu for writing.
func (ws *workspaceState) insert(s Session) error {
	if s.ID == "" {
		return errors.New("session with empty ID")
	}
	if _, dup := ws.created[s.ID]; dup {
		return fmt.Errorf("session %q already exists", s.ID)
	}
	s = normalize(s)
	i, _ := slices.BinarySearchFunc(ws.sessions, s, compareSessions)
	ws.sessions = slices.Insert(ws.sessions, i, s)
	ws.created[s.ID] = s.Created
	return nil
}

// index finds a session by id. The caller holds store.mu.
func (ws *workspaceState) index(id string) (int, bool) {
	created, ok := ws.created[id]
	if !ok {
		return 0, false
	}
	return slices.BinarySearchFunc(ws.sessions, Session{ID: id, Created: created}, compareSessions)
}

// AddSession adds a session to a workspace. Times are converted to UTC and
// truncated to 100ns as Graph stores them. It fails for an unknown tenant or
// workspace (wrapping ErrNotFound), an empty ID or an ID already present.
func (s *Server) AddSession(tenantID, workspaceID string, sess Session) error {
	ws, err := s.store.workspace(tenantID, workspaceID)
	if err != nil {
		return fmt.Errorf("azuresim: add session: %w", err)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if err := ws.insert(sess); err != nil {
		return fmt.Errorf("azuresim: add session to %q: %w", workspaceID, err)
	}
	return nil
}

// UpdateSession replaces the session with sess.ID, for instance to set its
// DisplayName and bump LastModified as the real service does when a session
// gets its name.
func (s *Server) UpdateSession(tenantID, workspaceID string, sess Session) error {
	ws, err := s.store.workspace(tenantID, workspaceID)
	if err != nil {
		return fmt.Errorf("azuresim: update session: %w", err)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	i, ok := ws.index(sess.ID)
	if !ok {
		return fmt.Errorf("azuresim: update session %q in %q: %w", sess.ID, workspaceID, ErrNotFound)
	}
	ws.sessions = slices.Delete(ws.sessions, i, i+1)
	delete(ws.created, sess.ID)
	if err := ws.insert(sess); err != nil {
		return fmt.Errorf("azuresim: update session %q: %w", sess.ID, err)
	}
	return nil
}

// Sessions returns a copy of a workspace's sessions in serving order
// (Created, then ID), for comparing what a client saw with the truth.
func (s *Server) Sessions(tenantID, workspaceID string) ([]Session, error) {
	ws, err := s.store.workspace(tenantID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("azuresim: sessions: %w", err)
	}
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	out := make([]Session, len(ws.sessions))
	for i, sess := range ws.sessions {
		out[i] = normalize(sess)
	}
	return out, nil
}

// DeleteSession removes a session and its prompts, as a user deleting it
// in the portal would; it fails for an unknown tenant, workspace or session (wrapping
// ErrNotFound).
func (s *Server) DeleteSession(tenantID, workspaceID, sessionID string) error {
	ws, err := s.store.workspace(tenantID, workspaceID)
	if err != nil {
		return fmt.Errorf("azuresim: delete session: %w", err)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	i, ok := ws.index(sessionID)
	if !ok {
		return fmt.Errorf("azuresim: delete session %q in %q: %w", sessionID, workspaceID, ErrNotFound)
	}
	ws.sessions = slices.Delete(ws.sessions, i, i+1)
	delete(ws.created, sessionID)
	delete(ws.prompts, sessionID)
	return nil
}
