package collector

import (
	"runtime/debug"
	"sync/atomic"
)

// releaseMinTenants is the fewest tenants whose scrape gives its memory back
// to the system when it ends. Below it the scrape's peak is a few tens of
// MB, which the runtime's scavenger returns soon enough by itself.
const releaseMinTenants = 1000

// memoryRelease returns to the system, after a scrape of many tenants, the
// memory the scrape needed and no longer does. A scrape of 10,000 tenants
// builds about 700,000 series at once (client_golang gathers every series
// before writing any) and reads 256 tenants at a time: its heap peaks near
// 1 GB, of which about a sixth stays live. The Go runtime keeps the rest
// and gives it back only slowly, so the process would stay near its peak,
// over 100 KB per tenant, between scrapes.
type memoryRelease struct {
	minTenants int
	free       func() // debug.FreeOSMemory, but for tests
	running    atomic.Bool
}

func newMemoryRelease() *memoryRelease {
	return &memoryRelease{minTenants: releaseMinTenants, free: debug.FreeOSMemory}
}

// after is called when a scrape of tenants tenants has ended. It frees in
// the background, so the answer is not held up, and once at a time: two
// scrapes ending together need one.
func (r *memoryRelease) after(tenants int) {
	if tenants < r.minTenants || !r.running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer r.running.Store(false)
		r.free()
	}()
}
