package kvs

import "sync"

// pageCacheBytes bounds the memory of the pages a Manager keeps.
const pageCacheBytes = 4 << 20

// pageCache keeps recently read and written pages, parsed, by MetaStore key. Pages are
// never rewritten under a key, so a cached page is always right; it saves a write the
// MetaStore read, copy and parse of the page that holds the key it replaces. The zero
// value is ready.
type pageCache struct {
	mu    sync.Mutex
	pages map[string]*page
	order []string // keys in insertion order, for eviction
	bytes int
}

func (c *pageCache) get(key string) (*page, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[key]
	return p, ok
}

// put adds a page, evicting the oldest ones beyond pageCacheBytes.
func (c *pageCache) put(key string, p *page) {
	if p.memory() > pageCacheBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages == nil {
		c.pages = map[string]*page{}
	}
	if _, ok := c.pages[key]; ok {
		return
	}
	c.pages[key] = p
	c.order = append(c.order, key)
	c.bytes += p.memory()
	for c.bytes > pageCacheBytes && len(c.order) > 0 {
		old := c.order[0]
		c.order[0] = ""
		c.order = c.order[1:]
		if p, ok := c.pages[old]; ok {
			c.bytes -= p.memory()
			delete(c.pages, old)
		}
	}
}

// drop forgets a page that was deleted.
func (c *pageCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[key]
	if !ok {
		return
	}
	c.bytes -= p.memory()
	delete(c.pages, key)
	if len(c.order) > 2*len(c.pages)+16 { // drop the keys of dropped pages from order
		kept := make([]string, 0, 2*len(c.pages)+16)
		for _, k := range c.order {
			if _, ok := c.pages[k]; ok {
				kept = append(kept, k)
			}
		}
		c.order = kept
	}
}
