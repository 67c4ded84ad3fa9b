package kvs

import (
	"context"
	"sort"
)

// run is a range [a, b] of consecutive pages rewritten together, with its items.
type run struct {
	a, b  int
	items []entry
}

// flush writes delta entries into new pages when the delta outweighs deltaBytes: the
// entries of the pages that gather the most delta bytes, until the delta is down to
// half of deltaBytes. A store without pages, or with far more pages than its size
// needs, is rewritten whole. Pages that shrink below a quarter of PageBytes take in a
// neighbour, so that pages do not dwindle into many tiny ones.
func (m *Manager) flush(ctx context.Context, h *header, pl *plan, base *basePages) error {
	limit := m.deltaBytes()
	w := deltaWeight(pl.delta)
	compact := len(h.Pages) > m.maxPages(h)
	if w <= limit && !compact {
		return nil
	}
	np := len(h.Pages)
	// routes[i] is the page delta entry i belongs to.
	routes := make([]int, len(pl.delta))
	sel := make([]bool, np)
	if np > 0 {
		per := make([]int, np)
		for i, d := range pl.delta {
			routes[i] = route(h.Pages, d.k)
			per[routes[i]] += d.weight()
		}
		if compact {
			for p := range sel {
				sel[p] = true
			}
		} else {
			order := make([]int, 0, np)
			for p := range per {
				if per[p] > 0 {
					order = append(order, p)
				}
			}
			sort.SliceStable(order, func(x, y int) bool { return per[order[x]] > per[order[y]] })
			for _, p := range order {
				if w <= limit/2 {
					break
				}
				sel[p] = true
				w -= per[p]
			}
		}
	}
	// The delta entries of pages [a, b].
	deltaOf := func(a, b int) []deltaEntry {
		lo := sort.Search(len(routes), func(i int) bool { return routes[i] >= a })
		hi := sort.Search(len(routes), func(i int) bool { return routes[i] > b })
		return pl.delta[lo:hi]
	}
	var runs []*run
	if np == 0 {
		runs = []*run{{a: 0, b: -1, items: applyDelta(nil, pl.delta)}}
	}
	for p := 0; p < np; p++ {
		if !sel[p] {
			continue
		}
		if n := len(runs); n > 0 && runs[n-1].b == p-1 {
			runs[n-1].b = p
		} else {
			runs = append(runs, &run{a: p, b: p})
		}
	}
	var idx []int
	for _, r := range runs {
		for p := r.a; p <= r.b; p++ {
			idx = append(idx, p)
		}
	}
	if err := base.load(ctx, idx); err != nil {
		return err
	}
	for _, r := range runs {
		if np == 0 {
			break
		}
		for p := r.a; p <= r.b; p++ {
			r.items = append(r.items, base.pages[p].entries()...)
		}
		r.items = applyDelta(r.items, deltaOf(r.a, r.b))
	}
	small := m.pageBytes() / 4
	for _, r := range runs {
		if np == 0 || len(r.items) == 0 || pageWeight(r.items) >= small {
			continue
		}
		var j int
		switch {
		case r.b+1 < np && !sel[r.b+1]:
			j = r.b + 1
		case r.a-1 >= 0 && !sel[r.a-1]:
			j = r.a - 1
		default:
			continue
		}
		if err := base.load(ctx, []int{j}); err != nil {
			return err
		}
		es := applyDelta(base.pages[j].entries(), deltaOf(j, j))
		if j > r.b {
			r.b, r.items = j, append(r.items, es...)
		} else {
			r.a, r.items = j, append(es, r.items...)
		}
		sel[j] = true
	}
	// The delta keeps the entries of the pages left as they are.
	kept := make([]deltaEntry, 0, len(pl.delta))
	for i, d := range pl.delta {
		if np > 0 && !sel[routes[i]] {
			kept = append(kept, d)
		}
	}
	pl.delta = kept
	// Lay out the new page list: untouched pages stay, each run becomes new pages.
	nonce := randomUpper(8)
	pl.pages = make([]pageRef, 0, np+2)
	emit := func(items []entry) {
		for _, c := range chunk(items, m.pageBytes()) {
			id := newPageID(h.Seq+1, nonce, len(pl.writes))
			pl.writes = append(pl.writes, pageWrite{id: id, at: len(pl.pages), data: encodePage(c)})
			pl.pages = append(pl.pages, pageRef{ID: id, First: c[0].k, N: len(c), Size: sumSize(c)})
		}
	}
	if np == 0 {
		emit(runs[0].items)
		return nil
	}
	ri := 0
	for p := 0; p < np; {
		if ri < len(runs) && runs[ri].a == p {
			r := runs[ri]
			emit(r.items)
			pl.dropped = append(pl.dropped, h.Pages[r.a:r.b+1]...)
			p = r.b + 1
			ri++
			continue
		}
		pl.pages = append(pl.pages, h.Pages[p])
		p++
	}
	return nil
}

// maxPages is the page count above which a commit compacts the whole store: twice
// what its bytes need, and some slack.
func (m *Manager) maxPages(h *header) int {
	need := (int(h.Size) + 8*h.Items + m.pageBytes() - 1) / m.pageBytes()
	return 2*need + 8
}
