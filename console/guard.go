package console

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// contentSecurityPolicy allows scripts and styles only from the console's
// own assets: no inline script, no inline style, no eval, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// maxFormBytes bounds every form the console accepts.
const maxFormBytes = 64 << 10

type sessionKey struct{}

func sessionFrom(r *http.Request) *session {
	se, _ := r.Context().Value(sessionKey{}).(*session)
	return se
}

// secure sets the security headers of every answer and refuses requests
// whose Host or Origin do not belong to the console: a page on another
// site (or a DNS name rebound to this machine) gets 403.
func (c *Console) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin-allow-popups")
		if !strings.HasPrefix(r.URL.Path, prefix+"/assets/") {
			h.Set("Cache-Control", "no-store")
		}
		if msg := c.checkHostOrigin(r); msg != "" {
			c.log.Warn("console: request refused", "reason", msg, "remote", r.RemoteAddr)
			http.Error(w, msg, http.StatusForbidden)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		next.ServeHTTP(w, r)
	})
}

// checkHostOrigin returns why the request is refused, or "".
//
// Host: a request that arrived on a loopback listener must name a loopback
// host (or one of AllowedHosts), which defeats DNS rebinding, as /mcp
// does. Origin: a state-changing request must come from a console page:
// its Origin (or, when a browser sends none, its Referer) must name the
// request's own host.
func (c *Console) checkHostOrigin(r *http.Request) string {
	host := hostOnly(r.Host)
	if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && isLoopbackAddr(local) {
		if !isLoopbackName(host) && !slices.ContainsFunc(c.opts.AllowedHosts, func(h string) bool { return strings.EqualFold(h, host) }) {
			return "forbidden: this console answers only to localhost names on a loopback listener (Host " + r.Host + ")"
		}
	}
	origin := r.Header.Get("Origin")
	if origin == "" && !safeMethod(r.Method) {
		origin = r.Header.Get("Referer")
		if origin == "" {
			return "forbidden: a change needs an Origin header from the console's own pages"
		}
	}
	if origin != "" && origin != "null" {
		u, err := url.Parse(origin)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return "forbidden: cross-origin request (Origin " + origin + " is not " + r.Host + ")"
		}
	} else if origin == "null" && !safeMethod(r.Method) {
		return "forbidden: a change from an opaque origin"
	}
	return ""
}

func safeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return strings.Trim(h, "[]")
	}
	return strings.Trim(hostport, "[]")
}

func isLoopbackName(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isLoopbackAddr(a net.Addr) bool {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	host, _, err := net.SplitHostPort(a.String())
	return err == nil && isLoopbackName(host)
}

// authed lets through requests with a live session, checking the CSRF
// token of every state-changing one; others go to the login page.
func (c *Console) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		cur, err := c.tokens.current()
		var se *session
		if err == nil {
			se = c.sessions.lookup(r, cur, c.opts.Now())
		}
		if se == nil {
			if r.Header.Get("HX-Request") == "true" {
				w.Header().Set("HX-Redirect", prefix+"/login")
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if !safeMethod(r.Method) {
				c.renderLogin(w, r, http.StatusUnauthorized, "Your session has ended: log in again. Nothing was changed.")
				return
			}
			http.Redirect(w, r, prefix+"/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !safeMethod(r.Method) && !se.validCSRF(r) {
			c.log.Warn("console: CSRF token missing or wrong", "path", r.URL.Path, "remote", r.RemoteAddr)
			c.fail(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, se)), http.StatusForbidden,
				"This form is stale or did not come from this console (the CSRF token is missing or wrong). Nothing was changed: reload the page and try again.")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, se)))
	}
}
