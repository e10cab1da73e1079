package auditusage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SecurityCopilotApp is the auditData.AppIdentity of a Security Copilot
// interaction; other Copilots share the CopilotInteraction operation.
const SecurityCopilotApp = "Copilot.Security.SecurityCopilot"

// InteractionOperation is the operation of an interaction, and the
// operation filter of every query.
const InteractionOperation = "CopilotInteraction"

// AgentPrefix starts the account of an autonomous Security Copilot agent.
const AgentPrefix = "SecurityCopilotAgentUser-"

// Kind is what a record counts as.
type Kind int

// Record kinds.
const (
	Other       Kind = iota // not Security Copilot: read, not counted
	Interaction             // a Security Copilot interaction
	Admin                   // a Security Copilot admin event
)

// Record is what the usage keeps of one audit record: no prompt text
// exists in the audit log, and nothing else personal than the account.
type Record struct {
	ID        string
	Time      time.Time
	Kind      Kind
	Operation string
	User      string // the account (UPN or agent account); never a label
	Agent     bool
	Surface   string // CopilotEventData.AppHost
	Session   string // CopilotEventData.ThreadId
	Prompts   int
	Plugins   []string
}

type wireRecord struct {
	ID                 string          `json:"id"`
	CreatedDateTime    *time.Time      `json:"createdDateTime"`
	AuditLogRecordType string          `json:"auditLogRecordType"`
	Operation          string          `json:"operation"`
	UserID             string          `json:"userId"`
	UserPrincipalName  string          `json:"userPrincipalName"`
	AuditData          json.RawMessage `json:"auditData"`
}

// wireAuditData is the part of auditData the usage reads; its
// @odata.type (copilotInteractionAuditRecord or defaultAuditData) plays
// no part, both carry the classic keys.
type wireAuditData struct {
	AppIdentity      string `json:"AppIdentity"`
	UserID           string `json:"UserId"`
	Operation        string `json:"Operation"`
	CopilotEventData *struct {
		AppHost  string `json:"AppHost"`
		ThreadID string `json:"ThreadId"`
		Messages []struct {
			IsPrompt bool `json:"isPrompt"`
		} `json:"Messages"`
		AISystemPlugin []struct {
			Name string `json:"Name"`
			ID   string `json:"Id"`
		} `json:"AISystemPlugin"`
	} `json:"CopilotEventData"`
}

// Classifier says which operations count as admin events. Operation names
// differ between sources, so the set is configured; it is compared
// case-insensitively.
type Classifier struct {
	admin map[string]string // lower case -> as configured
}

// NewClassifier returns a Classifier for the admin operations given.
func NewClassifier(adminOps []string) Classifier {
	c := Classifier{admin: make(map[string]string, len(adminOps))}
	for _, op := range adminOps {
		c.admin[strings.ToLower(op)] = op
	}
	return c
}

// DefaultAdminOperations are the Security Copilot admin operations queried
// by default: plugins, workspaces, promptbooks and settings.
func DefaultAdminOperations() []string {
	return []string{
		"EnableCopilotPlugin", "DisableCopilotPlugin", "CreateCopilotPlugin", "UpdateCopilotPlugin", "DeleteCopilotPlugin",
		"CreateCopilotWorkspace", "UpdateCopilotWorkspace", "DeleteCopilotWorkspace",
		"CreateCopilotPromptBook", "UpdateCopilotPromptBook", "DeleteCopilotPromptBook", "EnableCopilotPromptBook", "DisableCopilotPromptBook",
		"UpdateCopilotSettings",
	}
}

// Operations is the operation filter of a query: interactions and the
// admin operations.
func (c Classifier) Operations() []string {
	out := []string{InteractionOperation}
	for _, op := range c.admin {
		out = append(out, op)
	}
	sortStrings(out[1:])
	return out
}

// Classify decodes one auditLogRecord. A record without an id or a time
// cannot be deduped or placed in an hour, so it is an error: the query's
// numbers would be wrong without it.
func (c Classifier) Classify(raw []byte) (Record, error) {
	var w wireRecord
	if err := json.Unmarshal(raw, &w); err != nil {
		return Record{}, fmt.Errorf("decode audit record: %w", err)
	}
	if w.ID == "" {
		return Record{}, errors.New("audit record without an id")
	}
	if w.CreatedDateTime == nil || w.CreatedDateTime.IsZero() {
		return Record{}, fmt.Errorf("audit record %q without createdDateTime", w.ID)
	}
	var ad wireAuditData
	if len(bytes.TrimSpace(w.AuditData)) > 0 && !bytes.Equal(bytes.TrimSpace(w.AuditData), []byte("null")) {
		if err := json.Unmarshal(w.AuditData, &ad); err != nil {
			return Record{}, fmt.Errorf("decode auditData of record %q: %w", w.ID, err)
		}
	}
	r := Record{ID: w.ID, Time: w.CreatedDateTime.UTC(), Operation: firstNonEmpty(w.Operation, ad.Operation)}
	r.User = pickUser(ad.UserID, w.UserPrincipalName, w.UserID)
	r.Agent = hasAgentPrefix(r.User) || hasAgentPrefix(w.UserID) || hasAgentPrefix(w.UserPrincipalName)
	switch {
	case c.isInteraction(w, ad):
		if !strings.EqualFold(ad.AppIdentity, SecurityCopilotApp) {
			return r, nil // another Copilot
		}
		r.Kind = Interaction
		r.Operation = InteractionOperation
		if ev := ad.CopilotEventData; ev != nil {
			r.Surface, r.Session = ev.AppHost, ev.ThreadID
			for _, m := range ev.Messages {
				if m.IsPrompt {
					r.Prompts++
				}
			}
			for _, p := range ev.AISystemPlugin {
				if n := firstNonEmpty(p.Name, p.ID); n != "" && !contains(r.Plugins, n) {
					r.Plugins = append(r.Plugins, n)
				}
			}
		}
	default:
		if op, ok := c.admin[strings.ToLower(r.Operation)]; ok {
			r.Kind, r.Operation = Admin, op
		}
	}
	return r, nil
}

func (c Classifier) isInteraction(w wireRecord, ad wireAuditData) bool {
	return strings.EqualFold(w.AuditLogRecordType, InteractionOperation) ||
		strings.EqualFold(w.Operation, InteractionOperation) ||
		(w.Operation == "" && strings.EqualFold(ad.Operation, InteractionOperation))
}

// pickUser names the account. auditData.UserId is the classic UserId (the
// UPN); the envelope's userId and userPrincipalName were seen swapped, so
// of those the one that looks like an account rather than a GUID wins.
func pickUser(auditUser, upn, id string) string {
	if auditUser != "" {
		return auditUser
	}
	for _, v := range []string{upn, id} {
		if v != "" && !looksLikeGUID(v) {
			return v
		}
	}
	return firstNonEmpty(upn, id)
}

func hasAgentPrefix(s string) bool {
	return len(s) >= len(AgentPrefix) && strings.EqualFold(s[:len(AgentPrefix)], AgentPrefix)
}

func looksLikeGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", r):
			return false
		}
	}
	return true
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
