package armclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/securitycopilot-exporter/securitycopilot_exporter/config"
)

// Unknown is the label value of an enum property that is absent or holds a
// value outside its documented set.
const Unknown = "unknown"

// The documented values of the enum properties, as Resource Manager
// templates write them.
var (
	OverageStates    = []string{"None", "Limited", "Unlimited"}
	Geos             = []string{"US", "EU", "ANZ", "UK"}
	CrossGeoComputes = []string{"Allowed", "NotAllowed"}
)

// Capacity is one Microsoft.SecurityCopilot/capacities resource.
type Capacity struct {
	ID    config.CapacityID
	Units float64 // properties.numberOfUnits
	// OverageState, Geo and CrossGeoCompute are one of their documented
	// values or Unknown.
	OverageState    string
	Geo             string
	CrossGeoCompute string
	// OverageAmount is properties.overageAmount, nil when absent or null.
	OverageAmount *float64
}

// OverageUnits returns the units the capacity may use beyond its own, when
// that is a number: only a Limited overage has one. None allows no overage
// and Unlimited has no bound, so neither gives a number.
func (c Capacity) OverageUnits() (float64, bool) {
	if c.OverageState != "Limited" || c.OverageAmount == nil {
		return 0, false
	}
	return *c.OverageAmount, true
}

type rawCapacity struct {
	ID         string `json:"id"`
	Properties *struct {
		NumberOfUnits   *float64 `json:"numberOfUnits"`
		OverageState    *string  `json:"overageState"`
		OverageAmount   *float64 `json:"overageAmount"`
		Geo             *string  `json:"geo"`
		CrossGeoCompute *string  `json:"crossGeoCompute"`
	} `json:"properties"`
}

type listPage struct {
	Value    *[]rawCapacity `json:"value"`
	NextLink string         `json:"nextLink"`
}

func decodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("malformed answer: %w", err)
	}
	if p, ok := v.(*listPage); ok && p.Value == nil {
		return errors.New("malformed answer: no value array")
	}
	return nil
}

// decodeCapacity checks what the metrics rely on: a capacity id and a
// non-negative numberOfUnits. An overageAmount, when present, must be a
// non-negative number too.
func decodeCapacity(raw rawCapacity) (Capacity, error) {
	id, err := config.ParseCapacityID(raw.ID)
	if err != nil {
		return Capacity{}, fmt.Errorf("id %.200q: %w", raw.ID, err)
	}
	p := raw.Properties
	if p == nil {
		return Capacity{}, fmt.Errorf("%s has no properties", id)
	}
	if p.NumberOfUnits == nil || !validAmount(*p.NumberOfUnits) {
		return Capacity{}, fmt.Errorf("%s has no non-negative numberOfUnits", id)
	}
	if p.OverageAmount != nil && !validAmount(*p.OverageAmount) {
		return Capacity{}, fmt.Errorf("%s has a negative overageAmount", id)
	}
	return Capacity{
		ID:              id,
		Units:           *p.NumberOfUnits,
		OverageState:    documented(p.OverageState, OverageStates),
		Geo:             documented(p.Geo, Geos),
		CrossGeoCompute: documented(p.CrossGeoCompute, CrossGeoComputes),
		OverageAmount:   p.OverageAmount,
	}, nil
}

func validAmount(v float64) bool { return v >= 0 && !math.IsInf(v, 0) }

// documented matches without regard to case: Resource Manager treats enum
// values of resource properties case-insensitively.
func documented(v *string, values []string) string {
	if v == nil {
		return Unknown
	}
	for _, d := range values {
		if strings.EqualFold(*v, d) {
			return d
		}
	}
	return Unknown
}
