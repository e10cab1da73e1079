package graphclient

import (
	"context"
	"encoding/json"
	"fmt"
)

// listEach lists several collections side by side: the first page of each
// in one Fetch, then the next page of those that have one in the next, and
// so on, so that through a Batcher every step is one round. It returns the
// items of each collection in order, or the first error.
func listEach[T any](ctx context.Context, r Reader, urls []string, decode func(*json.Decoder) (T, error)) ([][]T, error) {
	out := make([][]T, len(urls))
	next := append([]string(nil), urls...)
	seen := make([]map[string]bool, len(urls))
	for i, u := range urls {
		seen[i] = map[string]bool{u: true}
	}
	for pages := 0; ; pages++ {
		if pages >= maxPages {
			return nil, fmt.Errorf("listing did not end after %d pages", maxPages)
		}
		var calls []*pageCall
		var of []int
		for i, u := range next {
			if u == "" {
				continue
			}
			calls = append(calls, &pageCall{url: u, item: func(dec *json.Decoder) error {
				v, err := decode(dec)
				if err == nil {
					out[i] = append(out[i], v)
				}
				return err
			}})
			of = append(of, i)
		}
		if len(calls) == 0 {
			return out, nil
		}
		r.f.fetch(ctx, calls)
		for k, call := range calls {
			i := of[k]
			if call.err != nil {
				return nil, call.err
			}
			if next[i] = call.meta.NextLink; next[i] != "" {
				if err := r.c.checkNextLink(next[i], seen[i]); err != nil {
					return nil, err
				}
			}
		}
	}
}
