package graphclient

import (
	"errors"
	"strings"
	"testing"
)

func decodeTimes(t *testing.T, body string) (pageMeta, []SessionTimes, error) {
	t.Helper()
	var got []SessionTimes
	meta, err := decodePage(strings.NewReader(body), sessionVisitor(func(st SessionTimes) {
		got = append(got, st)
	}))
	return meta, got, err
}

func TestDecodePageNotesExample(t *testing.T) {
	body := `{
  "@odata.context": "https://graph.microsoft.com/beta/$metadata#security/securityCopilot/workspaces('default')/sessions",
  "@microsoft.graph.tips": "Use $select to choose only the properties your app needs",
  "@odata.count": 2,
  "value": [
    {"id": "f0f54c69", "createdDateTime": "2025-10-15T15:54:58.4862768Z",
     "lastModifiedDateTime": "2025-10-15T15:54:58.4862768Z", "displayName": null},
    {"id": "8e95c36e", "createdDateTime": "2025-09-17T19:23:41.1506601Z",
     "lastModifiedDateTime": "2025-09-17T19:28:21.2902705Z", "displayName": "who am i",
     "@odata.etag": {"nested": [1, 2, {"x": null}]}}
  ],
  "@odata.nextLink": "https://graph.microsoft.com/beta/next?$skiptoken=abc"
}`
	meta, got, err := decodeTimes(t, body)
	if err != nil {
		t.Fatal(err)
	}
	if !meta.HasCount || meta.Count != 2 || meta.Items != 2 || meta.NextLink != "https://graph.microsoft.com/beta/next?$skiptoken=abc" {
		t.Fatalf("meta = %+v", meta)
	}
	if want := int64(1760543698486276800); got[0].Created.UnixNano() != want {
		t.Errorf("created[0] = %d ns, want %d", got[0].Created.UnixNano(), want)
	}
	if want := "2025-09-17T19:28:21.2902705Z"; FormatTimestamp(got[1].LastModified) != want {
		t.Errorf("lastModified[1] = %s, want %s", FormatTimestamp(got[1].LastModified), want)
	}
}

func TestDecodePageRejectsBrokenAnswers(t *testing.T) {
	for name, body := range map[string]string{
		"truncated":         `{"value":[{"createdDateTime":"2025-10-15T15:54:58Z"},`,
		"empty":             ``,
		"not an object":     `[1,2]`,
		"no value":          `{"@odata.count": 3}`,
		"value not array":   `{"value": {"a": 1}}`,
		"negative count":    `{"@odata.count": -1, "value": []}`,
		"fractional count":  `{"@odata.count": 2.5, "value": []}`,
		"string count":      `{"@odata.count": "2", "value": []}`,
		"bad timestamp":     `{"value":[{"createdDateTime":"yesterday"}]}`,
		"timestamp number":  `{"value":[{"createdDateTime":12}]}`,
		"trailing garbage":  `{"value":[]} {"value":[]}`,
		"nextLink not text": `{"value":[], "@odata.nextLink": 5}`,
		"html":              `<html><body>Bad gateway</body></html>`,
		"two value arrays":  `{"@odata.count":1,"value":[{"createdDateTime":"2025-10-15T15:54:58Z"},{}],"value":[{}]}`,
		"two counts":        `{"@odata.count":3,"value":[{},{},{}],"@odata.count":1}`,
		"two nextLinks":     `{"value":[],"@odata.nextLink":"https://graph.example/beta/a","@odata.nextLink":"https://graph.example/beta/b"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := decodeTimes(t, body); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestDecodePageZeroAndNullTimestamps(t *testing.T) {
	_, got, err := decodeTimes(t, `{"value":[{"createdDateTime":"0001-01-01T00:00:00Z","lastModifiedDateTime":null}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].Created.IsZero() || !got[0].LastModified.IsZero() {
		t.Fatalf("want zero times, got %+v", got[0])
	}
}

func TestDecodePageCapsSize(t *testing.T) {
	huge := `{"value":[` + strings.Repeat(`{"createdDateTime":"2025-10-15T15:54:58Z"},`, maxPageBytes/40) + `{}]}`
	_, _, err := decodeTimes(t, huge)
	if !errors.Is(err, errPageTooLarge) {
		t.Fatalf("err = %v, want errPageTooLarge", err)
	}
}
