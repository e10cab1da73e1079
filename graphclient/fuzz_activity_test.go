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
