package graphclient

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzDecodeEvaluations decodes a page of evaluations as ListEvaluations
// does: whatever Graph sends, a decoded evaluation has an id and a state
// and result type from the documented sets, so label values stay a fixed
// set; and errors stay one bounded line.
func FuzzDecodeEvaluations(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []Evaluation
		_, err := decodePage(bytes.NewReader(data), func(s *scanner) error {
			out, err := decodeEvaluation(s)
			if err == nil {
				got = append(got, out)
			}
			return err
		})
		if err != nil {
			checkOneLine(t, err.Error())
			return
		}
		for _, e := range got {
			if e.ID == "" {
				t.Fatalf("decoded an evaluation without an id from %q", data)
			}
			if !slices.Contains(EvaluationStates(), e.State) {
				t.Fatalf("state %q is not documented", e.State)
			}
			if e.Result != "" && !slices.Contains(ResultTypes(), e.Result) {
				t.Fatalf("result type %q is not documented", e.Result)
			}
		}
	})
}

// FuzzDecodeSessionPrompts decodes a page of sessions with expanded
// prompts as ListSessionPrompts does: a session taken as complete has
// exactly as many distinct, valid prompts as its count said, at most
// maxExpandedPrompts; errors stay one bounded line.
func FuzzDecodeSessionPrompts(f *testing.F) {
	f.Add([]byte(`{"value":[{"id":"s","prompts@odata.count":1,"prompts":[{"id":"p","createdDateTime":"2025-10-15T10:00:01Z"}]}]}`))
	f.Add([]byte(`{"value":[{"id":"s","prompts@odata.count":2,"prompts@odata.nextLink":"x","prompts":[{"id":"p"},{"id":"p"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []SessionPrompts
		counts := bytes.Count(data, []byte("prompts@odata.count"))
		_, err := decodePage(bytes.NewReader(data), func(s *scanner) error {
			out, err := decodeSessionPrompts(s)
			if err == nil {
				got = append(got, out)
			}
			return err
		})
		if err != nil {
			checkOneLine(t, err.Error())
			return
		}
		for _, s := range got {
			if s.ID == "" {
				t.Fatalf("decoded a session without an id from %q", data)
			}
			if !s.Complete {
				if s.Prompts != nil {
					t.Fatalf("an incomplete expansion kept %d prompts", len(s.Prompts))
				}
				continue
			}
			if counts == 0 || len(s.Prompts) > maxExpandedPrompts || !distinct(s.Prompts) {
				t.Fatalf("took %d prompts as complete from %q", len(s.Prompts), data)
			}
			for _, p := range s.Prompts {
				if p.ID == "" {
					t.Fatalf("a prompt without an id from %q", data)
				}
			}
		}
	})
}
