package plan

import "testing"

// TestTopKHeld: topK counts the values at or beyond its k-th best, ties
// dropped from it included.
func TestTopKHeld(t *testing.T) {
	for _, tc := range []struct {
		name   string
		days   []int // values, in the order added
		newest bool
		top    []int
		held   int
	}{
		{"fewer than k", []int{3, 1}, true, []int{3, 1}, 2},
		{"distinct", []int{1, 5, 3, 4, 2}, true, []int{5, 4, 3}, 3},
		{"a tie at the k-th", []int{2, 2, 2, 2, 9, 2}, true, []int{9, 2, 2}, 6},
		{"a tie pushed out by better values", []int{2, 2, 2, 2, 5, 6, 7}, true, []int{7, 6, 5}, 3},
		{"a tie that becomes the k-th", []int{1, 1, 4, 4, 4, 4, 3}, true, []int{4, 4, 4}, 4},
		{"oldest", []int{5, 5, 5, 5, 9}, false, []int{5, 5, 5}, 4},
	} {
		k := &topK{ax: axis{prop: Created, newest: tc.newest}, k: 3}
		for _, d := range tc.days {
			k.add(day(d))
		}
		var got []int
		for _, v := range k.top {
			got = append(got, v.Day())
		}
		if !equalInts(got, tc.top) || k.held() != tc.held {
			t.Errorf("%s: top %v held %d, want %v held %d", tc.name, got, k.held(), tc.top, tc.held)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
