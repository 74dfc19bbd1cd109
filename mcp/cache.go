package mcp

import (
	"runtime"
	"sync"
	"weak"
)

// perClient keeps one value per REST client (that is, per connection) for
// the life of the client: facts that do not change while a connection
// lives, such as the user it acts for. Keys are weak, so a client that is
// dropped (a tenant removed, a config reloaded) takes its value with it.
// It lives outside Deps so that Deps stays a plain, copyable value.
type perClient[C, V any] struct {
	m sync.Map // weak.Pointer[C] -> V
}

// get returns the value kept for c.
func (p *perClient[C, V]) get(c *C) (V, bool) {
	v, ok := p.m.Load(weak.Make(c))
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

// getOrPut returns the value kept for c, keeping v first when there is
// none.
func (p *perClient[C, V]) getOrPut(c *C, v V) V {
	k := weak.Make(c)
	got, loaded := p.m.LoadOrStore(k, v)
	if !loaded {
		runtime.AddCleanup(c, func(k weak.Pointer[C]) { p.m.Delete(k) }, k)
	}
	return got.(V)
}
