package mcp

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// inflight counts the requests read from stdin whose answers have not been
// written yet, so that the end of input can wait for them.
//
// mcp-go cancels every request still running when its input ends. A client
// that sends its last call and closes stdin (a script's
// `printf ... | atlassian-mcp serve`, or the MCP specification's stdio
// shutdown: close the server's input, then wait for it to exit) would get
// "context canceled" instead of its answer, and a write cancelled halfway
// may or may not have happened. ServeStdio holds the end of input back
// until every request read has been answered, the longest call deadline
// (plus a grace) has passed, or its context ends (a signal).
//
// A nil *inflight counts nothing and never waits.
type inflight struct {
	mu      sync.Mutex
	n       int
	changed chan struct{} // a token after each answer, for drain
}

// newInflight returns an empty count.
func newInflight() *inflight {
	return &inflight{changed: make(chan struct{}, 1)}
}

// read counts line, one JSON-RPC message from the client, if it is a
// request (it has a method and an id, so it will be answered).
func (f *inflight) read(line []byte) {
	if f == nil {
		return
	}
	if request, _ := messageKind(line); request {
		f.requested()
	}
}

// requested counts one request that will be answered.
func (f *inflight) requested() {
	if f != nil {
		f.add(1)
	}
}

// wrote counts msg, one JSON-RPC message written to the client, as an
// answer if it is a response to a request (an id and a result or error).
func (f *inflight) wrote(msg []byte) {
	if f == nil {
		return
	}
	if _, response := messageKind(msg); response {
		f.add(-1)
	}
}

// add moves the count by d, never below zero (an answer to a message not
// counted as a request, such as a parse error's, leaves it alone).
func (f *inflight) add(d int) {
	f.mu.Lock()
	f.n = max(f.n+d, 0)
	f.mu.Unlock()
	if d < 0 {
		select {
		case f.changed <- struct{}{}:
		default:
		}
	}
}

// pending is the number of requests not answered yet.
func (f *inflight) pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

// drain waits until every request counted has been answered, limit has
// passed or ctx ends, and reports how many were still unanswered.
func (f *inflight) drain(ctx context.Context, limit time.Duration) int {
	if f == nil {
		return 0
	}
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		n := f.pending()
		if n == 0 {
			return 0
		}
		select {
		case <-f.changed:
		case <-ctx.Done():
			return n
		case <-timer.C:
			return n
		}
	}
}

// messageKind reads the top-level keys of one JSON-RPC message: a request
// has a method and a non-null id, a response a non-null id and a result
// or an error. It stops reading as soon as it knows, so a call's
// arguments or an answer's result are seldom read at all; anything that
// is not a JSON object is neither.
func messageKind(msg []byte) (request, response bool) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(msg))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return false, false
	}
	var id, method, answer bool
	for dec.PeekKind() == '"' {
		key, err := dec.ReadToken()
		if err != nil {
			return false, false
		}
		switch key.String() {
		case "id":
			id = dec.PeekKind() != 'n'
		case "method":
			method = dec.PeekKind() == '"'
		case "result", "error":
			answer = true
		}
		if id && (method || answer) {
			return method, answer && !method
		}
		if dec.SkipValue() != nil {
			return false, false
		}
	}
	return false, false
}
