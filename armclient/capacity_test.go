package armclient

import (
	"strings"
	"testing"
)

const idA = "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.SecurityCopilot/capacities/scu"

func TestDecodeCapacityRefusesWhatCouldBeMisread(t *testing.T) {
	cases := map[string]string{
		"no properties":         `{"id":"` + idA + `"}`,
		"no units":              `{"id":"` + idA + `","properties":{}}`,
		"null units":            `{"id":"` + idA + `","properties":{"numberOfUnits":null}}`,
		"units as string":       `{"id":"` + idA + `","properties":{"numberOfUnits":"3"}}`,
		"negative units":        `{"id":"` + idA + `","properties":{"numberOfUnits":-1}}`,
		"negative overage":      `{"id":"` + idA + `","properties":{"numberOfUnits":1,"overageAmount":-2}}`,
		"overage as string":     `{"id":"` + idA + `","properties":{"numberOfUnits":1,"overageAmount":"2"}}`,
		"other resource type":   `{"id":"` + strings.Replace(idA, "capacities", "workspaces", 1) + `","properties":{"numberOfUnits":1}}`,
		"no id":                 `{"properties":{"numberOfUnits":1}}`,
		"trailing garbage":      `{"id":"` + idA + `","properties":{"numberOfUnits":1}} x`,
		"units beyond float64":  `{"id":"` + idA + `","properties":{"numberOfUnits":1e999}}`,
		"enum of another type":  `{"id":"` + idA + `","properties":{"numberOfUnits":1,"geo":3}}`,
		"properties not object": `{"id":"` + idA + `","properties":[]}`,
	}
	for name, body := range cases {
		var raw rawCapacity
		if err := decodeJSON([]byte(body), &raw); err != nil {
			continue
		}
		if c, err := decodeCapacity(raw); err == nil {
			t.Errorf("%s: decoded %+v", name, c)
		}
	}
	var page listPage
	if err := decodeJSON([]byte(`{"nextLink":null}`), &page); err == nil {
		t.Error("a page without value decoded")
	}
}

func TestDecodeCapacityEnumsAndOverage(t *testing.T) {
	decode := func(props string) Capacity {
		t.Helper()
		var raw rawCapacity
		if err := decodeJSON([]byte(`{"id":"`+idA+`","properties":{"numberOfUnits":2`+props+`}}`), &raw); err != nil {
			t.Fatal(err)
		}
		c, err := decodeCapacity(raw)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := decode(`,"overageState":"limited","overageAmount":4,"geo":"anz","crossGeoCompute":"NOTALLOWED"`)
	if c.Units != 2 || c.OverageState != "Limited" || c.Geo != "ANZ" || c.CrossGeoCompute != "NotAllowed" {
		t.Errorf("case-insensitive enums: %+v", c)
	}
	if v, ok := c.OverageUnits(); !ok || v != 4 {
		t.Errorf("limited overage = %v, %v; want 4", v, ok)
	}
	if v, ok := decode(`,"overageState":"Limited","overageAmount":0`).OverageUnits(); !ok || v != 0 {
		t.Errorf("limited overage of 0 = %v, %v; want 0", v, ok)
	}
	for _, props := range []string{
		`,"overageState":"None","overageAmount":4`,
		`,"overageState":"Unlimited","overageAmount":4`,
		`,"overageState":"Limited"`,
		`,"overageState":"Limited","overageAmount":null`,
		`,"overageAmount":4`,
	} {
		if v, ok := decode(props).OverageUnits(); ok {
			t.Errorf("%s: overage units %v, want none", props, v)
		}
	}
	c = decode(`,"overageState":"Sometimes","geo":"","crossGeoCompute":null`)
	if c.OverageState != Unknown || c.Geo != Unknown || c.CrossGeoCompute != Unknown {
		t.Errorf("undocumented or absent values: %+v", c)
	}
}
