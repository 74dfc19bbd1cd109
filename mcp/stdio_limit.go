package mcp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	mcpgo "github.com/mark3labs/mcp-go/mcp"
)

// lineLimiter passes whole stdio lines of at most max bytes through to the
// protocol reader. A longer line is never buffered past max: it is
// discarded up to its newline and answered on out with a JSON-RPC error
// (carrying the request's id when it appears before the cut), and serving
// goes on with the next line.
type lineLimiter struct {
	in      *bufio.Reader
	out     io.Writer // shared with mcp-go's writes: see lockedWriter
	max     int
	pending []byte // the rest of the current line for Read
	line    []byte // reused buffer of the line being read
	onDrop  func(size int)
	// track counts the requests passed on and refused (see inflight);
	// atEnd, when set, runs before Read reports the end of input.
	track *inflight
	atEnd func()
}

// Read implements io.Reader.
func (l *lineLimiter) Read(p []byte) (int, error) {
	for len(l.pending) == 0 {
		line, err := l.next()
		if len(line) > 0 {
			l.track.read(line)
			l.pending = line
			break
		}
		if errors.Is(err, io.EOF) && l.atEnd != nil {
			l.atEnd()
		}
		if err != nil {
			return 0, err
		}
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// next reads one line (with its newline). It returns nil for a line it
// refused, and io.EOF (with any last unterminated line) at the end.
func (l *lineLimiter) next() ([]byte, error) {
	l.line = l.line[:0]
	size, over := 0, false
	for {
		chunk, err := l.in.ReadSlice('\n')
		size += len(chunk)
		if !over {
			if body := bytes.TrimSuffix(chunk, []byte{'\n'}); len(l.line)+len(body) > l.max {
				over = true
				l.line = append(l.line, chunk[:l.max-len(l.line)]...)
			} else {
				l.line = append(l.line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if over {
			l.refuse(size)
			return nil, err
		}
		return l.line, err
	}
}

// refuse answers the oversized line whose first max bytes are in l.line.
func (l *lineLimiter) refuse(size int) {
	if l.onDrop != nil {
		l.onDrop(size)
	}
	id := leadingID(l.line)
	if id != nil {
		l.track.requested() // its refusal below is its answer
	}
	msg, _ := json.Marshal(mcpgo.JSONRPCError{
		JSONRPC: mcpgo.JSONRPC_VERSION,
		ID:      mcpgo.NewRequestId(id),
		Error:   mcpgo.NewJSONRPCErrorDetails(mcpgo.INVALID_REQUEST, TooLargeMessage(int64(l.max)), nil),
	})
	_, _ = l.out.Write(append(msg, '\n'))
}

// leadingID is the top-level "id" of a JSON object cut short, when it
// appears before the cut; nil otherwise.
func leadingID(prefix []byte) any {
	dec := json.NewDecoder(bytes.NewReader(prefix))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key == "id" {
			var id any
			if dec.Decode(&id) != nil {
				return nil
			}
			switch id := id.(type) {
			case json.Number:
				if n, err := id.Int64(); err == nil {
					return n
				}
			case string:
				return id
			}
			return nil
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return nil
		}
	}
	return nil
}

// lockedWriter makes each Write atomic, so a refusal written by
// lineLimiter never interleaves with a response written by mcp-go (which
// writes each message in one Write). track counts the answers written.
type lockedWriter struct {
	mu    sync.Mutex
	w     io.Writer
	track *inflight
}

// Write implements io.Writer.
func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.w.Write(p)
	w.track.wrote(p)
	return n, err
}

// DefaultMaxRequestBytes bounds one JSON-RPC message: an HTTP request body
// or a line on stdio (4 MiB; --max-request-bytes changes it). The largest
// argument the tools accept (a ~5 MB page) needs more; such a page is
// refused by its own limit first on a server configured for it.
const DefaultMaxRequestBytes = 4 << 20

// TooLargeMessage is the refusal of a message over max bytes.
func TooLargeMessage(max int64) string {
	return fmt.Sprintf("request too large: this server accepts JSON-RPC messages up to %d bytes (%s; serve --max-request-bytes). "+
		"Nothing was done. Send less per call: split a long description, comment or page into several calls, or shorten the query.",
		max, humanBytes(max))
}

// humanBytes renders n as KiB or MiB when it is a whole multiple.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
