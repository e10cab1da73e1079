package azuresim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// The audit log query API (POST and GET /security/auditLog/queries, GET
// .../records), with Security Copilot records, other Copilots' records and
// admin events mixed, and the faults people met on live tenants
// (AuditFaults). The simulator counts what a window holds on its own
// (AuditCount), so that tests compare every exported number with it.

// AuditRecord is one record of the simulated audit log.
type AuditRecord struct {
	ID   string
	Time time.Time
	// App is auditData.AppIdentity: Security Copilot's, another Copilot's,
	// or empty for an admin event.
	App       string
	Operation string // CopilotInteraction or an admin operation
	User      string // the account
	UserKey   string // the classic UserKey GUID
	Surface   string
	Session   string
	Prompts   int
	Replies   int
	Plugins   []string
	// Swapped sends the account in userId and the GUID in
	// userPrincipalName; NoAuditUser leaves auditData.UserId out; Default
	// sends auditData as defaultAuditData.
	Swapped, NoAuditUser, Default bool
}

// Application identities of the simulated records.
const (
	AppSecurityCopilot = "Copilot.Security.SecurityCopilot"
	AppM365Copilot     = "Copilot.MicrosoftCopilot.BizChat"
	AuditInteraction   = "CopilotInteraction"
	AuditAgentPrefix   = "SecurityCopilotAgentUser-"
)

// AuditFaults are the audit log API's faults; counters count down as they
// fire.
type AuditFaults struct {
	V1Serves         bool   // v1.0 serves the API; by default it answers 404, as on live tenants
	CreateThrottles  int    // creates answered 429
	RetryAfter       string // their Retry-After; "" means "1"
	CreateFailures   int    // creates answered 500
	Ends             []string
	PollsToFinish    int // polls before a query ends; 0 means 1
	RecordFailures   int // record pages (after the first) answered 500
	MalformedPages   int // record pages sent as broken JSON
	TruncateAbove    int // a result above this many records is cut and says so
	DropFirstPagings int // queries whose first paging leaves a record out
	RoleMissing      bool
	// OldMetadata leaves out isRecordCountLimitExceeded and
	// approximateReturnedRecordCount, as the August 2026 metadata does.
	OldMetadata bool
}

// AuditStats counts the audit API's use.
type AuditStats struct {
	Submissions, Polls, RecordPages int
}

type auditQuery struct {
	id, tenant  string
	start, end  time.Time
	ops         map[string]bool
	polls       int
	status      string
	ending      string // the status it ends with; "never" stays running
	result      []AuditRecord
	truncated   bool
	pagings     int
	dropOnFirst bool
}

type auditState struct {
	mu      sync.Mutex
	records map[string][]AuditRecord // by tenant id
	queries map[string]*auditQuery
	faults  AuditFaults
	stats   AuditStats
}

// AddAuditRecords adds records to a tenant's audit log.
func (s *Server) AddAuditRecords(tenantID string, recs ...AuditRecord) {
	a := &s.audit
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.records == nil {
		a.records = map[string][]AuditRecord{}
	}
	a.records[tenantID] = append(a.records[tenantID], recs...)
}

// SetAuditFaults replaces the audit API's faults.
func (s *Server) SetAuditFaults(f AuditFaults) {
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	s.audit.faults = f
}

// AuditStats returns the audit API's counters.
func (s *Server) AuditStats() AuditStats {
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	return s.audit.stats
}

// AuditCounts is what a window of a tenant's audit log holds of Security
// Copilot, counted by the simulator on its own.
type AuditCounts struct {
	Interactions map[string]int // by surface
	Prompts      map[string]int
	Users        int
	Sessions     int
	Plugins      map[string]int
	Agent        int
	Admin        map[string]int
}

// AuditCount counts the Security Copilot records of [start, end).
func (s *Server) AuditCount(tenantID string, start, end time.Time, adminOps []string) AuditCounts {
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	c := AuditCounts{Interactions: map[string]int{}, Prompts: map[string]int{}, Plugins: map[string]int{}, Admin: map[string]int{}}
	users, sessions := map[string]bool{}, map[string]bool{}
	for _, r := range s.audit.records[tenantID] {
		if r.Time.Before(start) || !r.Time.Before(end) {
			continue
		}
		switch {
		case r.Operation == AuditInteraction && r.App == AppSecurityCopilot:
			c.Interactions[r.Surface]++
			c.Prompts[r.Surface] += r.Prompts
			users[strings.ToLower(r.User)] = true
			sessions[r.Session] = true
			if strings.HasPrefix(r.User, AuditAgentPrefix) {
				c.Agent++
			}
			for _, p := range r.Plugins {
				c.Plugins[p]++
			}
		case r.Operation != AuditInteraction && containsFold(adminOps, r.Operation):
			c.Admin[r.Operation]++
		}
	}
	c.Users, c.Sessions = len(users), len(sessions)
	return c
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// GenerateAuditRecords returns n records spread over [from, to), the same
// for the same seed: Security Copilot interactions from several surfaces,
// users, an agent and plugins, other Copilots' interactions, and admin
// events, with users swapped and auditData of either type here and there.
func GenerateAuditRecords(seed uint64, n int, from, to time.Time) []AuditRecord {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	surfaces := []string{"Security Copilot standalone", "Copilot in Defender", "Logic App", "Copilot in Microsoft Purview", "Copilot in Microsoft Entra", "Copilot in Intune"}
	plugins := []string{"Entra", "Defender", "Intune", "Purview", "ThreatIntelligence"}
	admin := []string{"EnableCopilotPlugin", "DisableCopilotPlugin", "UpdateCopilotSettings"}
	span := to.Sub(from)
	out := make([]AuditRecord, 0, n)
	for i := range n {
		r := AuditRecord{
			ID:      fmt.Sprintf("%08x-0000-4000-8000-%012x", seed&0xffffffff, i),
			Time:    from.Add(time.Duration(rng.Int64N(int64(span)))).UTC().Truncate(time.Second),
			User:    fmt.Sprintf("analyst%d@contoso.com", rng.IntN(7)),
			UserKey: fmt.Sprintf("%08x-aaaa-4bbb-8ccc-%012x", seed&0xffffffff, rng.IntN(7)),
			Swapped: rng.IntN(2) == 0, NoAuditUser: rng.IntN(3) == 0, Default: rng.IntN(2) == 0,
		}
		switch k := rng.IntN(10); {
		case k < 6:
			r.App, r.Operation = AppSecurityCopilot, AuditInteraction
			r.Surface = surfaces[rng.IntN(len(surfaces))]
			r.Session = fmt.Sprintf("thread-%d", rng.IntN(20))
			r.Prompts, r.Replies = rng.IntN(3), 1
			if rng.IntN(5) == 0 {
				r.User = AuditAgentPrefix + fmt.Sprintf("%08x-1111-4222-8333-444455556666", rng.IntN(2))
			}
			for _, p := range plugins {
				if rng.IntN(3) == 0 {
					r.Plugins = append(r.Plugins, p)
				}
			}
		case k < 9:
			r.App, r.Operation = AppM365Copilot, AuditInteraction
			r.Surface, r.Session, r.Prompts = "Microsoft 365 Copilot", "m365-thread", 1
		default:
			r.Operation = admin[rng.IntN(len(admin))]
		}
		out = append(out, r)
	}
	return out
}
