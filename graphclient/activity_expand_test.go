package graphclient

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// An expansion is believed only where it proves itself complete; anything
// else leaves the session's prompts to be listed, and only a broken
// session or a broken stream fails the page.
func TestSessionPromptsDecoding(t *testing.T) {
	const session = `"id":"s","createdDateTime":"2025-10-15T10:00:00Z","lastModifiedDateTime":"2025-10-15T10:05:00Z"`
	const p1 = `{"id":"p1","createdDateTime":"2025-10-15T10:00:01Z","lastModifiedDateTime":"2025-10-15T10:00:02Z"}`
	const p2 = `{"id":"p2","createdDateTime":"2025-10-15T10:01:01Z","lastModifiedDateTime":"2025-10-15T10:01:02Z"}`
	for _, tc := range []struct {
		name, body string
		complete   bool
		prompts    int
		err        string
	}{
		{name: "complete", body: `{` + session + `,"prompts@odata.count":2,"prompts":[` + p1 + `,` + p2 + `]}`, complete: true, prompts: 2},
		{name: "count after the items", body: `{` + session + `,"prompts":[` + p1 + `],"prompts@odata.count":1}`, complete: true, prompts: 1},
		{name: "no prompts, counted", body: `{` + session + `,"prompts@odata.count":0,"prompts":[]}`, complete: true},
		{name: "option ignored", body: `{` + session + `}`},
		{name: "no count", body: `{` + session + `,"prompts":[` + p1 + `]}`},
		{name: "cut: count above the items", body: `{` + session + `,"prompts@odata.count":2,"prompts":[` + p1 + `]}`},
		{name: "count below the items", body: `{` + session + `,"prompts@odata.count":1,"prompts":[` + p1 + `,` + p2 + `]}`},
		{name: "a nextLink, count matching the page", body: `{` + session + `,"prompts@odata.count":1,"prompts@odata.nextLink":"https://graph.example/x","prompts":[` + p1 + `]}`},
		{name: "a null nextLink", body: `{` + session + `,"prompts@odata.count":1,"prompts@odata.nextLink":null,"prompts":[` + p1 + `]}`, complete: true, prompts: 1},
		{name: "a repeated prompt", body: `{` + session + `,"prompts@odata.count":2,"prompts":[` + p1 + `,` + p1 + `]}`},
		{name: "a prompt without an id", body: `{` + session + `,"prompts@odata.count":1,"prompts":[{"createdDateTime":"2025-10-15T10:00:01Z"}]}`},
		{name: "a malformed prompt date", body: `{` + session + `,"prompts@odata.count":1,"prompts":[{"id":"p","createdDateTime":"yesterday"}]}`},
		{name: "prompts null", body: `{` + session + `,"prompts@odata.count":0,"prompts":null}`},
		{name: "prompts an object", body: `{` + session + `,"prompts@odata.count":0,"prompts":{"id":"p1"}}`},
		{name: "negative count", body: `{` + session + `,"prompts@odata.count":-1,"prompts":[]}`},
		{name: "count a string", body: `{` + session + `,"prompts@odata.count":"1","prompts":[` + p1 + `]}`},
		{name: "prompts twice", body: `{` + session + `,"prompts@odata.count":1,"prompts":[` + p1 + `],"prompts":[` + p2 + `]}`},
		{name: "count twice", body: `{` + session + `,"prompts@odata.count":5,"prompts@odata.count":1,"prompts":[` + p1 + `]}`},
		{name: "session without an id", body: `{"prompts@odata.count":0,"prompts":[]}`, err: "session without an id"},
		{name: "broken stream inside the prompts", body: `{` + session + `,"prompts@odata.count":1,"prompts":[{"id":"p1",]}`, err: "expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []SessionPrompts
			_, err := decodePage(strings.NewReader(`{"value":[`+tc.body+`]}`), func(s *scanner) error {
				v, err := decodeSessionPrompts(s)
				if err == nil {
					got = append(got, v)
				}
				return err
			})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("decoded %d sessions, want 1", len(got))
			}
			s := got[0]
			if s.ID != "s" || !s.LastModified.Equal(time.Date(2025, 10, 15, 10, 5, 0, 0, time.UTC)) {
				t.Errorf("session read as %+v", s.SessionRef)
			}
			if s.Complete != tc.complete || len(s.Prompts) != tc.prompts {
				t.Errorf("complete %v with %d prompts, want %v with %d", s.Complete, len(s.Prompts), tc.complete, tc.prompts)
			}
			if tc.prompts > 0 && s.Prompts[0] != (PromptRef{ID: "p1", Created: time.Date(2025, 10, 15, 10, 0, 1, 0, time.UTC), LastModified: time.Date(2025, 10, 15, 10, 0, 2, 0, time.UTC)}) {
				t.Errorf("first prompt read as %+v", s.Prompts[0])
			}
		})
	}
}

// More prompts than the cap are not kept: the session's prompts are
// listed instead.
func TestSessionPromptsCap(t *testing.T) {
	var b strings.Builder
	for i := range maxExpandedPrompts + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"p%d"}`, i)
	}
	body := `{"value":[{"id":"s","prompts@odata.count":` + fmt.Sprint(maxExpandedPrompts+1) + `,"prompts":[` + b.String() + `]}]}`
	var got SessionPrompts
	if _, err := decodePage(strings.NewReader(body), func(s *scanner) error {
		var err error
		got, err = decodeSessionPrompts(s)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got.Complete || got.Prompts != nil {
		t.Errorf("a session of %d prompts was kept complete with %d", maxExpandedPrompts+1, len(got.Prompts))
	}
}

func TestQueryEncodesExpand(t *testing.T) {
	got := Query{Select: SessionRefSelect, Expand: PromptsExpand}.Encode()
	want := "$expand=prompts($select=id,createdDateTime,lastModifiedDateTime%3B$count=true)&$select=id,createdDateTime,lastModifiedDateTime"
	if got != want {
		t.Errorf("Encode = %s, want %s", got, want)
	}
}
