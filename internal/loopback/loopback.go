// Package loopback decides whether a host or a listen address stays on this
// machine: the one rule connect's callback listener, serve --no-auth and the
// sandbox's --listen share.
package loopback

import (
	"net"
	"strings"
)

// Host reports whether host names the local machine: "localhost" in any
// case, or a loopback IP address (127.0.0.0/8, ::1).
func Host(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Addr splits a host:port listen address and reports whether its host is a
// loopback one. An empty host (all interfaces) is not.
func Addr(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, err
	}
	return Host(host), nil
}
