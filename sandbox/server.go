package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Product names an Atlassian product the sandbox site has.
type Product string

// The products a site can have.
const (
	Jira       Product = "jira"
	Confluence Product = "confluence"
)

// Server is a running sandbox site. Product state (jira*.go, confluence*.go)
// is guarded by mu; the authorization server, limits, faults and the request
// log have their own locks so the gateway never waits on a product handler.
type Server struct {
	// URL is the base URL of the sandbox, e.g. "http://127.0.0.1:41234". It
	// serves the authorization server (/authorize, /oauth/token) and the
	// gateway (/oauth/token/accessible-resources, /me, /ex/jira/{cloudId}/...,
	// /ex/confluence/{cloudId}/...).
	URL string
	// CloudID is the site's cloud id used in gateway paths.
	CloudID string
	// ClientID and ClientSecret are the registered OAuth app's credentials.
	ClientID     string
	ClientSecret string
	// SiteName is the site's name as accessible-resources reports it
	// ("acme-demo").
	SiteName string
	// SiteURL is the site's own address ("https://acme-demo.atlassian.net"),
	// used in browse links and Confluence's _links.base. The sandbox never
	// serves it.
	SiteURL string

	cfg      config
	mux      *http.ServeMux
	handler  http.Handler
	listener net.Listener
	http     *http.Server
	wg       sync.WaitGroup

	// users are the site's people, seeded before the server starts serving
	// and never changed afterwards, so they are read without a lock.
	users []*User

	// auth is the OAuth authorization server's state (oauth.go), shared by
	// every site of the server (sites.go): one grant covers them all.
	auth *authState
	// limits holds the burst and per-issue write limiters (limits.go).
	limits limitState
	// faults holds injected faults (faults.go).
	faults faultState
	// reqlog is the request log (requestlog.go).
	reqlog requestLog

	mu sync.Mutex // guards the product state below
	// Product state lives in the files that own each product: jira*.go,
	// confluence*.go. Each part keeps its state behind its field, set in
	// its seed/generate/register function before the server serves (so the
	// field itself is never written concurrently) and read under mu.
	jiraExt       any
	confluenceExt any

	// sites are the other sites the grant covers (WithSites), served
	// under their own cloud ids by this server's gateway (sites.go).
	sites []*Server
}

// caller is the authenticated principal of an API request.
type caller struct {
	AccountID string
	Scopes    []string
}

// apiHandler handles one gateway API route after the gateway has checked
// the cloud id, the bearer token and the route's scopes.
type apiHandler func(w http.ResponseWriter, r *http.Request, c *caller)

// NewServer starts a sandbox site on 127.0.0.1 (a random port unless
// WithAddr says otherwise) and returns it serving. It seeds the users and
// the OAuth app, then the products' data (the demo site by default, a
// generated one with WithGeneratedSite, none with WithEmptySite). It panics
// if it cannot listen, like httptest.NewServer. Call Close when done.
func NewServer(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic("sandbox: " + err.Error())
	}
	return s
}

// Start is NewServer returning an error instead of panicking, for the
// command line where the listen address comes from the user.
func Start(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.sites < 1 || cfg.sites > MaxSites {
		return nil, fmt.Errorf("%d sites: the sandbox serves 1 to %d", cfg.sites, MaxSites)
	}
	addr := cfg.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s := newServer(cfg)
	s.URL = "http://" + ln.Addr().String()
	for _, site := range s.sites {
		site.URL = s.URL
	}
	s.listener = ln
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.http.Serve(ln)
	}()
	return s, nil
}

// newServer builds a server's state and routes without listening: the
// demo site, then the small sites WithSites adds (sites.go).
func newServer(cfg config) *Server {
	s := &Server{
		CloudID:      "4f8e2a1c-7b3d-4c5e-9a6f-1d2b3c4e5f60",
		ClientID:     "sbxAcmeDemoClient7Qm2Lk9Xv4Rt",
		ClientSecret: "sbx-secret-Zp8Wq3Nf6Hc1Yd5Tk2Lm9Vr4Bx7Gj0Sa",
		SiteName:     "acme-demo",
		SiteURL:      "https://acme-demo.atlassian.net",
		cfg:          cfg,
		mux:          http.NewServeMux(),
	}
	s.auth = &authState{}
	s.auth.init(s)
	s.limits.init(cfg)
	s.seedUsers()
	switch {
	case cfg.empty:
	case cfg.generated != nil:
		if s.hasProduct(Jira) {
			s.generateJira(*cfg.generated)
		}
		if s.hasProduct(Confluence) {
			s.generateConfluence(*cfg.generated)
		}
	default:
		if s.hasProduct(Jira) {
			s.seedJira()
		}
		if s.hasProduct(Confluence) {
			s.seedConfluence()
		}
	}
	s.register()
	for n := 2; n <= cfg.sites; n++ {
		s.sites = append(s.sites, s.newLabSite(n))
	}
	s.handler = http.HandlerFunc(s.serveHTTP)
	return s
}

// register mounts the authorization server, the gateway and the products'
// routes on s.mux.
func (s *Server) register() {
	s.registerCore()
	s.registerJira()
	s.registerConfluence()
}

// Close shuts the server down, closing open connections, and waits for it.
func (s *Server) Close() {
	if s.http == nil {
		return
	}
	_ = s.http.Close()
	s.wg.Wait()
}

// Handler returns the sandbox's HTTP handler, for serving it in-process
// (httptest.NewRecorder, benchmarks) without a network round trip.
func (s *Server) Handler() http.Handler { return s.handler }

// now returns the sandbox's current time: the clock from WithClock, or the
// wall clock.
func (s *Server) now() time.Time {
	if s.cfg.clock != nil {
		return s.cfg.clock()
	}
	return time.Now()
}

// hasProduct reports whether the site has product p.
func (s *Server) hasProduct(p Product) bool {
	for _, q := range s.cfg.products {
		if q == p {
			return true
		}
	}
	return false
}

// Products returns the products the site has, in a fixed order.
func (s *Server) Products() []Product {
	var out []Product
	for _, p := range []Product{Jira, Confluence} {
		if s.hasProduct(p) {
			out = append(out, p)
		}
	}
	return out
}

// JiraBaseURL returns the gateway base URL of the site's Jira, e.g.
// "http://127.0.0.1:41234/ex/jira/<cloudId>" (append "/rest/api/3/...").
func (s *Server) JiraBaseURL() string { return s.URL + "/ex/jira/" + s.CloudID }

// ConfluenceBaseURL returns the gateway base URL of the site's Confluence,
// e.g. "http://127.0.0.1:41234/ex/confluence/<cloudId>" (append
// "/wiki/api/v2/...").
func (s *Server) ConfluenceBaseURL() string { return s.URL + "/ex/confluence/" + s.CloudID }

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// jiraError writes Jira's ErrorCollection shape:
// {"errorMessages":[...],"errors":{...}}.
func jiraError(w http.ResponseWriter, status int, messages []string, fields map[string]string) {
	if messages == nil {
		messages = []string{}
	}
	if fields == nil {
		fields = map[string]string{}
	}
	writeJSON(w, status, map[string]any{"errorMessages": messages, "errors": fields})
}

// confluenceError writes Confluence v2's error shape:
// {"errors":[{"status":"404","code":"NOT_FOUND","title":"…","detail":null}]}.
func confluenceError(w http.ResponseWriter, status int, code, title string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"status": fmt.Sprint(status),
		"code":   code,
		"title":  title,
		"detail": nil,
	}}})
}

// confluenceV1Error writes Confluence v1's error shape:
// {"statusCode":400,"data":{"authorized":true,"valid":false,"errors":[],"successful":false},"message":"…"}.
func confluenceV1Error(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{
		"statusCode": status,
		"data": map[string]any{
			"authorized": status != http.StatusUnauthorized && status != http.StatusForbidden,
			"valid":      false,
			"errors":     []any{},
			"successful": false,
		},
		"message": message,
	})
}

// maxBodyBytes caps request bodies the sandbox decodes (Atlassian rejects
// very large bodies with 413).
const maxBodyBytes = 5 << 20

// errBodyTooLarge is decodeJSON's error for a body over maxBodyBytes; the
// product parts answer it with 413.
var errBodyTooLarge = errors.New("request body too large")

// errEmptyBody is decodeJSON's error for a request without a body.
var errEmptyBody = errors.New("request body is empty")

// decodeJSON reads r's body (at most maxBodyBytes) and unmarshals it into
// dst. Empty bodies, oversized bodies (errBodyTooLarge), malformed JSON,
// trailing data and type mismatches are errors; unknown fields are not (the
// product part decides). The error text is safe to show.
func decodeJSON(r *http.Request, dst any) error {
	if r.Body == nil {
		return errEmptyBody
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return fmt.Errorf("reading request body: %w", err)
	}
	if len(b) > maxBodyBytes {
		return errBodyTooLarge
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return errEmptyBody
	}
	return json.Unmarshal(b, dst)
}
