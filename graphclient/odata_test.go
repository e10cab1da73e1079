package graphclient

import (
	"net/url"
	"testing"
	"time"
)

func TestQueryEncode(t *testing.T) {
	ts := time.Date(2025, 10, 15, 15, 54, 58, 486276800, time.UTC)
	q := Query{
		Count:  true,
		Filter: Filter{{Property: PropCreated, Op: OpGE, Time: ts}, {Property: PropCreated, Op: OpLT, Time: ts.Add(time.Hour).Truncate(time.Second)}},
		Select: TimesSelect,
		Top:    1000,
	}
	got := q.Encode()
	want := "$count=true&$filter=createdDateTime%20ge%202025-10-15T15%3A54%3A58.4862768Z%20and%20createdDateTime%20lt%202025-10-15T16%3A54%3A58Z&$select=createdDateTime,lastModifiedDateTime&$top=1000"
	if got != want {
		t.Fatalf("Encode() =\n%s\nwant\n%s", got, want)
	}
	parsed, err := url.ParseQuery(got)
	if err != nil {
		t.Fatal(err)
	}
	// The literal must stay unquoted: a quoted DateTimeOffset is a string to OData.
	if f := parsed.Get("$filter"); f != "createdDateTime ge 2025-10-15T15:54:58.4862768Z and createdDateTime lt 2025-10-15T16:54:58Z" {
		t.Fatalf("$filter decodes to %q", f)
	}
}

func TestFormatTimestampIsUTC(t *testing.T) {
	loc := time.FixedZone("X", 2*3600)
	ts := time.Date(2025, 1, 2, 3, 4, 5, 0, loc)
	if got := FormatTimestamp(ts); got != "2025-01-02T01:04:05Z" {
		t.Fatalf("FormatTimestamp = %s", got)
	}
	if got := FormatTimestamp(time.Time{}); got != "0001-01-01T00:00:00Z" {
		t.Fatalf("FormatTimestamp(zero) = %s", got)
	}
}
