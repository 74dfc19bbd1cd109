package sandbox

import (
	"fmt"
	"net/http"
	"strings"
)

// The api.atlassian.com gateway: accessible-resources, /me, and the product
// APIs under /ex/jira/{cloudId} and /ex/confluence/{cloudId}, each behind
// the same checks. Error shapes (pinned in gateway_test.go):
//
//	missing, unknown, expired or revoked token  401 {"code":401,"message":"Unauthorized"}
//	token without a route's scope               401 {"code":401,"message":"Unauthorized; scope does not match"}
//	unknown cloud id, product not on the site   404 {"errorMessage":"Site temporarily unavailable","errorCode":"OTHER"}
//	unknown path under a product                404 in the product's error shape
//	path under /ex/ for an unknown product      404 {"code":404,"message":"Not Found"}
//
// The two 401 bodies are what clients of the real gateway report verbatim.
// The unknown-site answer is what Atlassian's edge returns for a site that
// does not exist; what api.atlassian.com returns for a cloud id the token was
// not granted is UNVERIFIED, so clients should treat any 401/404 there as
// "re-check accessible-resources".

// gatewayError writes the gateway's own error shape.
func gatewayError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"code": status, "message": message})
}

// siteUnavailable is the gateway's answer for a cloud id it cannot route.
func siteUnavailable(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{
		"errorMessage": "Site temporarily unavailable",
		"errorCode":    "OTHER",
	})
}

// serveHTTP is the outermost handler: trace id, request log, faults, then
// the routes.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("atl-traceid", traceID())
	entry := Request{
		Method:      r.Method,
		Path:        r.URL.Path,
		Query:       r.URL.RawQuery,
		AuthPresent: r.Header.Get("Authorization") != "",
		Time:        s.now(),
	}
	entry.Body = readBodyForLog(r, s.cfg.maxLoggedBytes)
	sw := &statusWriter{ResponseWriter: w}
	logged := false
	logEntry := func() {
		if !logged {
			logged = true
			entry.Status = sw.status
			s.reqlog.add(entry)
		}
	}
	defer logEntry()
	// A dropped connection is logged before it drops, so a client that sees
	// the error also sees the entry.
	if s.applyFault(sw, r, logEntry) {
		return
	}
	if site := s.siteFor(r.URL.Path); site != nil {
		site.mux.ServeHTTP(sw, r)
		return
	}
	s.mux.ServeHTTP(sw, r)
}

// registerCore mounts the authorization server and the gateway's own
// routes.
func (s *Server) registerCore() {
	s.mux.HandleFunc("GET /authorize", s.handleAuthorize)
	s.mux.HandleFunc("POST /authorize/consent", s.handleConsent)
	s.mux.HandleFunc("POST /oauth/token", s.handleToken)
	s.mux.HandleFunc("POST /oauth/revoke", s.handleRevoke)
	s.mux.HandleFunc("GET /.well-known/oauth-authorization-server", s.handleMetadata)
	s.mux.HandleFunc("GET /oauth/token/accessible-resources", s.handleAccessibleResources)
	s.mux.HandleFunc("GET /me", s.handleMe)
	s.mux.HandleFunc("/ex/{product}/{cloudId}/{rest...}", s.handleUnknownAPI)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		gatewayError(w, http.StatusNotFound, "Not Found")
	})
}

// api mounts a product route. pattern is "METHOD /path" relative to the
// product's gateway prefix (/ex/jira/{cloudId} or /ex/confluence/{cloudId}),
// with Go 1.22 ServeMux wildcards. Before h runs the gateway applies the
// configured latency and the burst limiter, then checks the cloud id (and
// that the site has p), the bearer token, and that the token holds at least
// one of scopes. h runs without s.mu held.
func (s *Server) api(p Product, pattern string, scopes []string, h apiHandler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern
	}
	full := "/ex/" + string(p) + "/{cloudId}" + path
	if method != "" {
		full = method + " " + full
	}
	s.auth.mu.Lock()
	s.auth.addScopes(scopes)
	s.auth.mu.Unlock()
	scopes = append([]string(nil), scopes...)
	route := ""
	if method != "" {
		route = endpointKey(method + " " + path)
	}
	s.mux.HandleFunc(full, func(w http.ResponseWriter, r *http.Request) {
		s.serveAPI(w, r, p, route, scopes, h)
	})
}

// serveAPI runs the gateway checks for a product route, then h.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, p Product, route string, scopes []string, h apiHandler) {
	if s.cfg.latency > 0 && !s.sleep(r, s.cfg.latency) {
		return
	}
	if !s.allowBurst(w, r, p, route) {
		return
	}
	if r.PathValue("cloudId") != s.CloudID || !s.hasProduct(p) {
		siteUnavailable(w)
		return
	}
	c, ok := s.authenticate(w, r, scopes)
	if !ok {
		return
	}
	h(w, r, c)
}

// authenticate checks the bearer token and, when scopes is non-empty, that
// the token holds one of them. On failure it writes the 401.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, scopes []string) (*caller, bool) {
	token, ok := bearer(r)
	if !ok {
		gatewayError(w, http.StatusUnauthorized, "Unauthorized")
		return nil, false
	}
	a := s.auth
	now := s.now()
	a.mu.Lock()
	fam := a.accessTokenValid(token, now)
	var c *caller
	if fam != nil {
		c = &caller{AccountID: fam.accountID, Scopes: append([]string(nil), fam.scopes...)}
	}
	a.mu.Unlock()
	if c == nil {
		gatewayError(w, http.StatusUnauthorized, "Unauthorized")
		return nil, false
	}
	if len(scopes) > 0 {
		held := false
		for _, sc := range scopes {
			if hasScope(c.Scopes, sc) {
				held = true
				break
			}
		}
		if !held {
			gatewayError(w, http.StatusUnauthorized, "Unauthorized; scope does not match")
			return nil, false
		}
	}
	return c, true
}

// bearer extracts a bearer token from the Authorization header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// productScopes returns the scopes of scopes that belong to p.
func productScopes(p Product, scopes []string) []string {
	var out []string
	for _, sc := range scopes {
		if scopeProduct(sc) == p {
			out = append(out, sc)
		}
	}
	return out
}

// scopeProduct classifies a scope as Atlassian's docs suggest: "*jira*"
// for Jira, "*confluence*" for Confluence; others (offline_access, read:me)
// belong to no product.
func scopeProduct(sc string) Product {
	switch {
	case strings.Contains(sc, "jira"):
		return Jira
	case strings.Contains(sc, "confluence"):
		return Confluence
	}
	return ""
}

// handleAccessibleResources serves GET /oauth/token/accessible-resources:
// for each site the grant covers (Sites), one entry per product the site
// has and the token holds scopes of, all with the site's cloud id.
func (s *Server) handleAccessibleResources(w http.ResponseWriter, r *http.Request) {
	c, ok := s.authenticate(w, r, nil)
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, site := range s.Sites() {
		for _, p := range site.Products() {
			ps := productScopes(p, c.Scopes)
			if len(ps) == 0 {
				continue
			}
			out = append(out, map[string]any{
				"id":        site.CloudID,
				"name":      site.SiteName,
				"url":       site.SiteURL,
				"scopes":    ps,
				"avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png",
			})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// handleMe serves GET /me, the consenting user's profile (needs read:me).
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	c, ok := s.authenticate(w, r, []string{"read:me"})
	if !ok {
		return
	}
	u := s.userByID(c.AccountID)
	if u == nil {
		gatewayError(w, http.StatusNotFound, "Not Found")
		return
	}
	status := "active"
	if !u.Active {
		status = "inactive"
	}
	nick, _, _ := strings.Cut(u.Email, "@")
	writeJSON(w, http.StatusOK, map[string]any{
		"account_type":   u.AccountType,
		"account_id":     u.AccountID,
		"email":          u.Email,
		"email_verified": true,
		"name":           u.DisplayName,
		"picture":        u.AvatarURL(48),
		"account_status": status,
		"nickname":       nick,
		"zoneinfo":       u.TimeZone,
		"locale":         "en-US",
		"extended_profile": map[string]any{
			"job_title":    "",
			"organization": s.SiteName,
			"department":   "",
			"location":     "",
		},
	})
}

// handleUnknownAPI answers gateway paths no product route matched: an
// unknown product or site gets the gateway's 404; a known site answers 401
// without a valid token, 405 when the path exists under another method, and
// otherwise a 404 in the product's shape.
func (s *Server) handleUnknownAPI(w http.ResponseWriter, r *http.Request) {
	p := Product(r.PathValue("product"))
	if p != Jira && p != Confluence {
		gatewayError(w, http.StatusNotFound, "Not Found")
		return
	}
	if s.cfg.latency > 0 && !s.sleep(r, s.cfg.latency) {
		return
	}
	if !s.allowBurst(w, r, p, "") {
		return
	}
	if r.PathValue("cloudId") != s.CloudID || !s.hasProduct(p) {
		siteUnavailable(w)
		return
	}
	if _, ok := s.authenticate(w, r, nil); !ok {
		return
	}
	if allow := s.allowedMethods(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		productError(w, r, p, http.StatusMethodNotAllowed,
			fmt.Sprintf("Method %s is not allowed for %s", r.Method, r.URL.Path))
		return
	}
	_, rel, _ := productOf(r.URL.Path)
	productError(w, r, p, http.StatusNotFound, "No API found for "+r.Method+" "+rel)
}

// allowedMethods lists the methods for which a product route matches r's
// path.
func (s *Server) allowedMethods(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		if m == r.Method {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, pat := s.mux.Handler(r2); pat != "" && !strings.HasPrefix(pat, "/ex/{product}") {
			out = append(out, m)
		}
	}
	return out
}
