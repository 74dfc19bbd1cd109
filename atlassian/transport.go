package atlassian

import (
	"net"
	"net/http"
	"time"
)

// The transport's own timeouts. They bound each request even where no
// call deadline does (background schema discovery); tool calls also run
// under their deadline (30 s reads, 60 s writes by default).
const (
	// DialTimeout bounds opening a TCP connection.
	DialTimeout = 10 * time.Second
	// TLSHandshakeTimeout bounds the TLS handshake.
	TLSHandshakeTimeout = 10 * time.Second
	// ResponseHeaderTimeout bounds the wait for a response's headers once
	// the request is sent (at least the longest default call deadline).
	ResponseHeaderTimeout = 60 * time.Second
)

// NewTransport returns the HTTP transport for API requests: proxies from
// the environment, HTTP/2, enough idle connections for concurrent calls to
// the one gateway host, and dial, TLS handshake and response header
// timeouts. responseHeader, when longer than ResponseHeaderTimeout,
// replaces it (a longer call deadline must not be cut short).
func NewTransport(responseHeader time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = TLSHandshakeTimeout
	t.ResponseHeaderTimeout = max(ResponseHeaderTimeout, responseHeader)
	t.ExpectContinueTimeout = time.Second
	// Every request goes to the one gateway host: the default keeps 2 idle
	// connections per host.
	t.MaxIdleConnsPerHost = 64
	return t
}
