package plan

import "sync"

// Scratch is memory that the reads of many workspaces lend each other:
// sets of ids, emptied between listings, so that a round of a thousand
// workspaces of one page each makes a few sets, not a thousand. Its owner
// (the caller that reads a tenant's workspaces) hands it in Settings; a
// nil Scratch makes every set afresh.
type Scratch struct{ ids sync.Pool }

func (s *Scratch) idSet() map[ID]struct{} {
	if s != nil {
		if m, ok := s.ids.Get().(map[ID]struct{}); ok {
			return m
		}
	}
	return make(map[ID]struct{}, 1000)
}

func (s *Scratch) release(m map[ID]struct{}) {
	clear(m)
	if s != nil {
		s.ids.Put(m)
	}
}
