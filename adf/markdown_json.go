package adf

import (
	"bytes"
	"slices"
	"sync"
)

// AppendMarkdownJSON appends the ADF JSON of markdown md to dst: the bytes
// (*Doc).MarshalJSON writes for the document FromMarkdown(md) returns. The
// document's nodes never leave the call, so their memory (and the
// converter's working memory) serves the next call instead of being left
// to the garbage collector. Its errors are FromMarkdown's; on error dst is
// returned unchanged.
func AppendMarkdownJSON(dst []byte, md string) ([]byte, error) {
	return appendMarkdownJSON(dst, md, false)
}

// MarkdownToJSON returns the ADF JSON of markdown md, as
// AppendMarkdownJSON(nil, md) does, in a buffer sized once from the
// document.
func MarkdownToJSON(md string) ([]byte, error) {
	return appendMarkdownJSON(nil, md, true)
}

func appendMarkdownJSON(dst []byte, md string, size bool) ([]byte, error) {
	if len(md) > MaxInputSize {
		return dst, ErrTooLarge
	}
	sc := getScratch()
	// Nothing of the document outlives the call: its source may be the
	// pool's memory too.
	sc.src = sanitizeMarkdownTo(sc.src, md)
	doc := convertMarkdown(sc.src, false, sc, &sc.na)
	if size {
		dst = slices.Grow(dst, 64+jsonSizeHint(doc.Content))
	}
	// As (*Doc).MarshalJSON writes a document of version 1 without extra keys.
	dst = append(dst, `{"type":"doc","version":1,"content":`...)
	dst = appendNodes(dst, doc.Content)
	dst = append(dst, '}')
	putScratch(sc)
	return dst, nil
}

// mdScratch is the working memory of one markdown conversion that outlives
// it in a pool: the block scanner's blocks and lines, the fast converter's
// buffers and, for conversions whose nodes are encoded and dropped
// (AppendMarkdownJSON), a recycling node allocator.
type mdScratch struct {
	na     nodeAlloc
	src    []byte // the sanitized markdown (AppendMarkdownJSON only)
	blocks blockAlloc
	lines  []fseg
	f      fastConv
}

// What a pooled mdScratch keeps between conversions at most: enough for
// a large README; a larger document's extra memory goes to the collector.
const (
	keepNodeChunks  = 16 // of nodeChunk nodes
	keepBlockChunks = 8  // of 128 blocks
	keepLines       = 1 << 14
	keepBuf         = 1 << 16
	keepToks        = 1 << 12
	keepSrc         = 1 << 18
)

var scratchPool = sync.Pool{New: func() any {
	sc := new(mdScratch)
	sc.na.recycle = true
	sc.blocks.recycle = true
	return sc
}}

func getScratch() *mdScratch { return scratchPool.Get().(*mdScratch) }

// putScratch zeroes what sc handed out (no document stays reachable from
// the pool) and returns it to the pool.
func putScratch(sc *mdScratch) {
	sc.na.reset(keepNodeChunks)
	sc.blocks.reset(keepBlockChunks)
	if cap(sc.lines) > keepLines {
		sc.lines = nil
	}
	if cap(sc.src) > keepSrc {
		sc.src = nil
	}
	f := &sc.f
	toks, runs := f.toks[:cap(f.toks)], f.mc.ic.runs[:cap(f.mc.ic.runs)]
	clear(toks)
	clear(runs)
	if len(toks) > keepToks {
		toks = nil
	}
	if len(runs) > keepToks {
		runs = nil
	}
	buf, arena := f.buf, f.mc.ic.arena
	if cap(buf) > keepBuf {
		buf = nil
	}
	if cap(arena) > keepBuf {
		arena = nil
	}
	frames, stack := f.frames[:cap(f.frames)], f.stack[:cap(f.stack)]
	clear(frames)
	clear(stack)
	if len(stack) > keepToks {
		stack = nil
	}
	*f = fastConv{buf: buf[:0], toks: toks[:0], open: f.open[:0], frames: frames[:0], stack: stack[:0]}
	f.mc.ic.runs, f.mc.ic.arena = runs[:0], arena[:0]
	scratchPool.Put(sc)
}

// fastConv returns the fast converter of src, its buffers from sc when sc
// is not nil, taking nodes from na.
func (sc *mdScratch) fastConv(src []byte, na *nodeAlloc) *fastConv {
	f := new(fastConv)
	if sc != nil {
		f = &sc.f
	}
	f.src, f.refs = src, bytes.Contains(src, []byte("]:"))
	f.mc.src, f.mc.na = src, na
	return f
}
