package graphclient

import (
	"context"
	"encoding/json"
	"fmt"
)

// ListResult describes a listing: what the first page's @odata.count said,
// how many items and pages were read, and whether the listing reached the
// end; if not, NextLink continues it.
type ListResult struct {
	Count    int64
	HasCount bool
	Items    int64
	Pages    int
	Complete bool
	NextLink string
}

// list reads a collection page by page through f, following
// @odata.nextLink until it is absent or pageLimit pages were read (0 means no
// limit but maxPages).
func (c *Client) list(ctx context.Context, f fetcher, firstURL string, pageLimit int, item func(*json.Decoder) error) (ListResult, error) {
	var res ListResult
	seen := map[string]bool{firstURL: true}
	next := firstURL
	for next != "" {
		if res.Pages >= maxPages {
			return res, fmt.Errorf("listing did not end after %d pages", maxPages)
		}
		call := &pageCall{url: next, item: item}
		f.fetch(ctx, []*pageCall{call})
		meta, err := call.meta, call.err
		if err != nil {
			return res, err
		}
		if res.Pages == 0 {
			res.Count, res.HasCount = meta.Count, meta.HasCount
		}
		res.Pages++
		res.Items += int64(meta.Items)
		if next = meta.NextLink; next != "" {
			if err := c.checkNextLink(next, seen); err != nil {
				return res, err
			}
			if pageLimit > 0 && res.Pages >= pageLimit {
				res.NextLink = next
				return res, nil
			}
		}
	}
	res.Complete = true
	return res, nil
}
