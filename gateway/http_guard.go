package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/mcp"
)

// writeRPCError answers an HTTP request with status and a JSON-RPC error
// whose id is null (the request was not decoded).
func writeRPCError(w http.ResponseWriter, status, code int, message string) {
	body, _ := json.Marshal(mcpgo.JSONRPCError{
		JSONRPC: mcpgo.JSONRPC_VERSION,
		Error:   mcpgo.NewJSONRPCErrorDetails(code, message, nil),
	})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// readLimitedBody buffers a POST body of at most max bytes in place of
// r.Body, before anything decodes it. A larger one is answered with 413
// and a JSON-RPC error (without reading it when Content-Length already
// says so) and readLimitedBody returns false.
func readLimitedBody(w http.ResponseWriter, r *http.Request, max int64) bool {
	if r.Method != http.MethodPost || r.Body == nil {
		return true
	}
	if r.ContentLength > max {
		writeRPCError(w, http.StatusRequestEntityTooLarge, mcpgo.INVALID_REQUEST, mcp.TooLargeMessage(max))
		return false
	}
	body, err := readChunked(http.MaxBytesReader(w, r.Body, max))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeRPCError(w, http.StatusRequestEntityTooLarge, mcpgo.INVALID_REQUEST, mcp.TooLargeMessage(max))
		return false
	case err != nil:
		writeRPCError(w, http.StatusBadRequest, mcpgo.PARSE_ERROR, "could not read the request body: "+err.Error())
		return false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return true
}

// bodyChunks recycles the pieces bodies are read into, so refused bodies
// (read up to the limit, then dropped) reuse memory instead of leaving a
// trail of ever larger buffers for the collector: concurrent oversized
// bodies hold at most the limit each.
var bodyChunks = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// readChunked reads r to its end through pooled pieces and returns the
// body in one exactly sized slice.
func readChunked(r io.Reader) ([]byte, error) {
	var chunks []*[]byte
	defer func() {
		for _, c := range chunks {
			bodyChunks.Put(c)
		}
	}()
	total, last := 0, 0
	for {
		c := bodyChunks.Get().(*[]byte)
		chunks = append(chunks, c)
		n, err := io.ReadFull(r, *c)
		total, last = total+n, n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	body := make([]byte, 0, total)
	for i, c := range chunks {
		if i == len(chunks)-1 {
			body = append(body, (*c)[:last]...)
		} else {
			body = append(body, *c...)
		}
	}
	return body, nil
}

// originAllowed reports whether a request may proceed given its Origin
// header: requests without one (agents that are not browsers) may; a
// browser's must be listed in allowed (scheme://host[:port], compared
// without case; "*" allows any). The MCP transport requires servers to
// validate Origin so a web page cannot drive a local server.
func originAllowed(r *http.Request, allowed []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o := normalOrigin(origin)
	for _, a := range allowed {
		if a == "*" || (o != "" && normalOrigin(a) == o) {
			return true
		}
	}
	return false
}

// normalOrigin is origin as lower-case scheme://host[:port], without a
// default port; "" when it is not an origin.
func normalOrigin(origin string) string {
	u, err := url.Parse(strings.TrimSpace(origin))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if (scheme == "http" && strings.HasSuffix(host, ":80")) || (scheme == "https" && strings.HasSuffix(host, ":443")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	return scheme + "://" + host
}

// ParseOrigins splits a comma-separated --allowed-origins value and checks
// each entry is an origin (scheme://host[:port]) or "*".
func ParseOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o != "*" && !isOrigin(o) {
			return nil, fmt.Errorf("allowed origin %q is not an origin: want scheme://host[:port], e.g. https://app.example.com", o)
		}
		out = append(out, o)
	}
	return out, nil
}

// isOrigin reports whether s is scheme://host[:port] and nothing more.
func isOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != "" && u.User == nil &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == ""
}

// sessionRequest reports whether r must name a session the caller owns:
// GET (the event stream) and DELETE in protocol versions with sessions.
// Versions without sessions are answered by mcp-go itself.
func sessionRequest(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodDelete {
		return false
	}
	return !mcpgo.IsModernProtocol(r.Header.Get(mcpgo.HeaderProtocolVersion))
}
