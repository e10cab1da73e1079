package plan

import (
	"slices"
	"strings"
	"testing"
)

func TestIDKeepsEveryIdApart(t *testing.T) {
	const g = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	ids := []string{
		"", "s1", g,
		strings.ToUpper(g),                     // another text: another id
		"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1", // one bit apart
		"00000000-0000-0000-0000-000000000000", // the zero GUID is not the empty id
		"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f",  // short
		"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f00",
		"0f1e2d3c04b5a-6978-8796-a5b4c3d2e1f0", // a dash missing
		"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg", // not hex
		"{0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0}",
	}
	seen := map[ID]string{}
	for _, s := range ids {
		id := IDOf(s)
		if got := id.String(); got != s {
			t.Errorf("IDOf(%q).String() = %q", s, got)
		}
		if IDOfBytes([]byte(s)) != id {
			t.Errorf("IDOfBytes(%q) differs from IDOf", s)
		}
		if id.IsZero() != (s == "") {
			t.Errorf("IDOf(%q).IsZero() = %v", s, id.IsZero())
		}
		if other, dup := seen[id]; dup {
			t.Errorf("%q and %q are one ID", other, s)
		}
		seen[id] = s
	}
	if IDOf(g).text != "" {
		t.Errorf("a GUID in canonical form is held as text")
	}
}

func TestIDOfEveryByte(t *testing.T) {
	// Each position of a GUID, each byte there: only the canonical form
	// parses, and the ID always says the text back.
	const g = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	for i := range len(g) {
		for c := range 256 {
			b := []byte(g)
			b[i] = byte(c)
			id := IDOfBytes(b)
			if id.String() != string(b) {
				t.Fatalf("%q reads back as %q", b, id.String())
			}
			_, canonical := parseGUID(b)
			hexAt := !(i == 8 || i == 13 || i == 18 || i == 23)
			want := (hexAt && (c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) || (!hexAt && c == '-')
			if canonical != want {
				t.Fatalf("%q: parsed %v, want %v", b, canonical, want)
			}
		}
	}
}

func TestDistinct(t *testing.T) {
	seen := map[ID]struct{}{}
	page := sess("a", "b", "c")
	fresh, err := distinct(page, nil, seen)
	if err != nil || len(fresh) != 3 || &fresh[0] != &page[0] {
		t.Fatalf("a page without repeats: %v, %v (not the page's own slice)", fresh, err)
	}
	next := sess("c", "d", "d", "a", "e")
	fresh, err = distinct(next, nil, seen)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range fresh {
		got = append(got, s.ID.String())
	}
	if !slices.Equal(got, []string{"d", "e"}) || len(seen) != 5 {
		t.Errorf("got %v with %d seen, want [d e] with 5", got, len(seen))
	}
	if next[0].ID.String() != "c" || next[2].ID.String() != "d" {
		t.Errorf("the page itself was changed: %v", next)
	}
	if _, err := distinct(sess("f", ""), nil, seen); err == nil || !strings.Contains(err.Error(), "no id") {
		t.Errorf("a session without id: %v", err)
	}
	if _, err := distinct(sess("g"), Filter{{Prop: Created, Op: GT, Time: day(2)}}, seen); err == nil {
		t.Errorf("a session outside the filter was taken")
	}
}
