package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Defaults of the connect flags.
const (
	defaultAuthURL     = "https://auth.atlassian.com"
	defaultRedirectURI = "http://localhost:8765/callback"
	envClientID        = "ATLASSIAN_CLIENT_ID"
	envClientSecret    = "ATLASSIAN_CLIENT_SECRET"
)

// defaultScopes is the scope set for the eight tools (ATLASSIAN.md §1.8
// "Suggested scope set", with the granular CQL fallback), plus
// offline_access for a refresh token and read:me for the admin's email.
var defaultScopes = []string{
	"offline_access", "read:me",
	"read:jira-work", "write:jira-work", "read:jira-user",
	"search:confluence", "read:content-details:confluence",
	"read:page:confluence", "write:page:confluence", "read:space:confluence",
	"read:hierarchical-content:confluence", "read:content.metadata:confluence",
	"write:confluence-content", "read:label:confluence", "write:label:confluence",
}

// openBrowser opens url in the user's browser. Tests replace it with a
// function that plays the browser over HTTP.
var openBrowser = func(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// connectOptions are connect's parsed flags.
type connectOptions struct {
	store        *storeFlags
	clientID     string
	clientSecret string
	authURL      string
	apiURL       string
	redirectURI  string
	scopes       string
	site         string
	noBrowser    bool
	timeout      time.Duration
	// browse opens the authorization URL; nil means the user's browser.
	// serve --sandbox plays the browser over HTTP with it.
	browse func(url string) error
	// log receives schema discovery's progress; nil discards it.
	log *slog.Logger
}

func runConnect(ctx context.Context, s streams, args []string) int {
	fs := newFlags(s, "connect", "[flags]", `Connect an Atlassian Cloud site through the OAuth 2.0 (3LO) browser flow.

Register an OAuth 2.0 (3LO) app in the Atlassian developer console with the
callback URL given by --redirect-uri, add the Jira and Confluence APIs and the
User Identity API with the scopes below, then run connect with the app's
client id and secret. The consent page opens in your browser; on a machine
without one, use --no-browser, open the printed URL elsewhere, and paste the
address the browser was sent to (even if it failed to load) here.`)
	o := connectOptions{store: addStoreFlags(fs)}
	fs.StringVar(&o.clientID, "client-id", "", "OAuth app client id (env "+envClientID+")")
	fs.StringVar(&o.clientSecret, "client-secret", "", "OAuth app client secret (env "+envClientSecret+"; prefer the env var, flags show in ps)")
	fs.StringVar(&o.authURL, "auth-url", defaultAuthURL, "authorization server base URL (the sandbox's URL for local use)")
	fs.StringVar(&o.apiURL, "api-url", atlassian.DefaultGatewayURL, "API gateway base URL (the sandbox's URL for local use)")
	fs.StringVar(&o.redirectURI, "redirect-uri", defaultRedirectURI, "callback URL registered for the app; a loopback address is listened on")
	fs.StringVar(&o.scopes, "scopes", "", "scopes to request instead of the default set (space or comma separated; offline_access and read:me are always added)")
	fs.StringVar(&o.site, "site", "", "site to connect when the grant covers several: its name, URL or cloud id")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "print the authorization URL instead of opening a browser, and accept the redirected URL pasted on stdin")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the consent")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(s.err, "connect: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if err := connect(ctx, s, o); err != nil {
		fmt.Fprintf(s.err, "connect: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func connect(ctx context.Context, s streams, o connectOptions) error {
	if o.clientID == "" {
		o.clientID = os.Getenv(envClientID)
	}
	if o.clientSecret == "" {
		o.clientSecret = os.Getenv(envClientSecret)
	}
	if o.clientID == "" || o.clientSecret == "" {
		return fmt.Errorf("the OAuth app's client id and secret are required: set %s and %s (or --client-id/--client-secret) from the app's Settings page in the Atlassian developer console", envClientID, envClientSecret)
	}
	authURL, err := baseURL("--auth-url", o.authURL)
	if err != nil {
		return err
	}
	apiURL, err := baseURL("--api-url", o.apiURL)
	if err != nil {
		return err
	}
	redirect, err := url.Parse(o.redirectURI)
	if err != nil || (redirect.Scheme != "http" && redirect.Scheme != "https") || redirect.Host == "" {
		return fmt.Errorf("--redirect-uri %q is not an http(s) URL", o.redirectURI)
	}
	listen := isLoopback(redirect.Hostname())
	if !listen && !o.noBrowser {
		return fmt.Errorf("--redirect-uri host %q is not a loopback address, so connect cannot receive the callback; use a http://localhost:PORT/... callback, or --no-browser and paste the redirected URL", redirect.Hostname())
	}
	if listen && redirect.Scheme != "http" {
		return fmt.Errorf("--redirect-uri %q: the loopback listener speaks plain http; register http://%s%s", o.redirectURI, redirect.Host, redirect.Path)
	}
	store, err := o.store.openStore()
	if err != nil {
		return err
	}
	scopes := defaultScopes
	if o.scopes != "" {
		scopes = parseScopes(o.scopes)
	}

	cfg := &oauth2.Config{
		ClientID: o.clientID, ClientSecret: o.clientSecret,
		Endpoint:    tokenstore.TokenEndpoint(authURL),
		RedirectURL: o.redirectURI,
		Scopes:      scopes,
	}
	state := randomState()
	verifier := oauth2.GenerateVerifier()
	authorize := cfg.AuthCodeURL(state,
		oauth2.SetAuthURLParam("audience", "api.atlassian.com"),
		oauth2.SetAuthURLParam("prompt", "consent"),
		oauth2.S256ChallengeOption(verifier))

	waitCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	results := make(chan callbackResult, 4)
	if listen {
		stop, err := listenCallback(waitCtx, redirect, state, results)
		if err != nil {
			return err
		}
		defer stop()
	}
	lines := readLines(s.in)
	if o.noBrowser {
		fmt.Fprintf(s.err, "Open this URL in a browser signed in to Atlassian as a site admin:\n\n  %s\n\n", authorize)
		if listen {
			fmt.Fprintf(s.err, "Waiting for the callback on %s, or paste the URL the browser was redirected to:\n", o.redirectURI)
		} else {
			fmt.Fprintln(s.err, "Then paste the URL the browser was redirected to:")
		}
	} else {
		fmt.Fprintf(s.err, "Opening the consent page in your browser. If it does not open, visit:\n\n  %s\n\nWaiting for the callback on %s (or paste the redirected URL here)...\n", authorize, o.redirectURI)
		browse := o.browse
		if browse == nil {
			browse = openBrowser
		}
		if err := browse(authorize); err != nil {
			fmt.Fprintf(s.err, "(could not start a browser: %v)\n", err)
		}
	}

	code, err := waitForCode(waitCtx, s, redirect, state, results, lines)
	if err != nil {
		return err
	}

	httpClient := &http.Client{Timeout: 30 * time.Second}
	exCtx, exCancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, httpClient), time.Minute)
	defer exCancel()
	tok, err := cfg.Exchange(exCtx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return explainExchange(err)
	}
	if tok.RefreshToken == "" {
		return errors.New("the token response has no refresh token: add offline_access to the scopes (it is in the default set) and make sure the app allows it; nothing was stored")
	}

	// Which site, which products, who.
	gw := oauth2.NewClient(context.WithValue(ctx, oauth2.HTTPClient, httpClient), oauth2.StaticTokenSource(tok))
	resources, err := atlassian.AccessibleResources(ctx, gw, apiURL)
	if err != nil {
		return fmt.Errorf("list the sites the grant covers (accessible-resources): %w", err)
	}
	site, err := chooseSite(s, resources, o.site, lines)
	if err != nil {
		return err
	}
	products := productsOf(site)
	if len(products) == 0 {
		return fmt.Errorf("the grant covers neither Jira nor Confluence on %s (scopes: %s); add the Jira and Confluence APIs to the app and connect again", site.URL, strings.Join(site.Scopes, " "))
	}
	connectedBy := ""
	if me, err := atlassian.Me(ctx, gw, apiURL); err != nil {
		fmt.Fprintf(s.err, "warning: could not read the admin's profile from /me (is the User Identity API with read:me added to the app?): %v\n", err)
	} else {
		connectedBy = me.Email
		if connectedBy == "" {
			connectedBy = me.Name
		}
	}

	now := time.Now()
	conn := tokenstore.Connection{
		Name:        o.store.connection,
		Site:        tokenstore.Site{CloudID: site.ID, Name: site.Name, URL: site.URL},
		Products:    products,
		ConnectedBy: connectedBy,
		ConnectedAt: now,
		ClientID:    o.clientID,
		AuthURL:     authURL,
		APIURL:      apiURL,
		RefreshedAt: now,
	}
	sec := tokenstore.Secrets{
		ClientSecret: o.clientSecret, AccessToken: tok.AccessToken, TokenType: tok.TokenType,
		Expiry: tok.Expiry, RefreshToken: tok.RefreshToken,
	}
	if err := store.Save(conn, sec); err != nil {
		return fmt.Errorf("store the connection: %w", err)
	}
	var names []string
	for _, p := range products {
		names = append(names, productTitle(p.Name))
	}
	fmt.Fprintf(s.out, "Connected %s (%s) as connection %q.\n", site.Name, site.URL, conn.Name)
	fmt.Fprintf(s.out, "Products:     %s\n", strings.Join(names, ", "))
	if connectedBy != "" {
		fmt.Fprintf(s.out, "Connected by: %s\n", connectedBy)
	}
	fmt.Fprintf(s.out, "Stored in:    %s (secrets encrypted)\n", store.Path())
	discoverAfterConnect(ctx, s, store, conn.Name, o.log)
	fmt.Fprintf(s.out, "Check the connection any time with: atlassian-mcp status --connection %s\n", conn.Name)
	return nil
}

// baseURL checks a base URL flag: http(s), a host, no query.
func baseURL(flagName, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s %q is not an http(s) base URL", flagName, raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// isLoopback reports whether host names the local machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseScopes splits a --scopes value and adds the two scopes connect
// cannot work without.
func parseScopes(v string) []string {
	out := []string{"offline_access", "read:me"}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

func randomState() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// callbackResult is what came back on the redirect: a code, or an error.
type callbackResult struct {
	code, state string
	errCode     string
	errDesc     string
	source      string // "callback" or "pasted URL"
}

// listenCallback serves the redirect URI's path on its loopback address
// until stop is called, sending each well-formed callback to results. The
// page shown in the browser says whether the callback belongs to this run.
func listenCallback(ctx context.Context, redirect *url.URL, state string, results chan<- callbackResult) (stop func(), err error) {
	port := redirect.Port()
	if port == "" {
		port = "80"
	}
	host := redirect.Hostname()
	if strings.EqualFold(host, "localhost") {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("listen for the OAuth callback on %s: %w (another connect running? free the port or use another --redirect-uri registered for the app)", net.JoinHostPort(host, port), err)
	}
	path := redirect.Path
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.Error(w, "Not the atlassian-mcp callback path (expected "+path+").", http.StatusNotFound)
			return
		}
		res := resultFromQuery(r.URL.Query(), "callback")
		if res.code == "" && res.errCode == "" {
			http.Error(w, "This callback has neither a code nor an error.", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		switch {
		case res.state != state:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "<!doctype html><title>atlassian-mcp</title><h1>Not connected</h1><p>This callback does not belong to the running connect (its state does not match). Return to the terminal.</p>")
		case res.errCode != "":
			fmt.Fprintf(w, "<!doctype html><title>atlassian-mcp</title><h1>Not connected</h1><p>%s</p><p>Return to the terminal.</p>", html.EscapeString(res.errCode+": "+res.errDesc))
		default:
			fmt.Fprint(w, "<!doctype html><title>atlassian-mcp</title><h1>Authorization received</h1><p>Return to the terminal to finish connecting; you can close this tab.</p>")
		}
		select {
		case results <- res:
		case <-ctx.Done():
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}

func resultFromQuery(q url.Values, source string) callbackResult {
	return callbackResult{
		code: q.Get("code"), state: q.Get("state"),
		errCode: q.Get("error"), errDesc: q.Get("error_description"), source: source,
	}
}

// readLines delivers stdin's lines on a channel that is closed at EOF.
// One reader serves both the pasted URL and the site choice.
func readLines(r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		if r == nil {
			return
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			ch <- strings.TrimSpace(sc.Text())
		}
	}()
	return ch
}

// waitForCode waits for the callback or a pasted redirect URL, whichever
// comes first, and checks it.
func waitForCode(ctx context.Context, s streams, redirect *url.URL, state string, results <-chan callbackResult, lines <-chan string) (string, error) {
	for {
		var res callbackResult
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return "", errors.New("timed out waiting for the consent (see --timeout); nothing was stored")
			}
			return "", ctx.Err()
		case res = <-results:
		case line, ok := <-lines:
			if !ok {
				lines = nil // stdin closed: keep waiting for the callback
				continue
			}
			if line == "" {
				continue
			}
			r, err := parsePasted(line, redirect)
			if err != nil {
				fmt.Fprintf(s.err, "%v; paste the whole address from the browser's address bar\n", err)
				continue
			}
			res = r
		}
		if res.state != state {
			return "", fmt.Errorf("the %s's state does not match this connect run (a stale browser tab or a forged request); nothing was stored: run connect again", res.source)
		}
		if res.errCode != "" {
			if res.errCode == "access_denied" {
				return "", errors.New("consent was denied on the Atlassian consent page (access_denied); nothing was stored. Run connect again and choose Accept")
			}
			msg := res.errCode
			if res.errDesc != "" {
				msg += ": " + res.errDesc
			}
			return "", fmt.Errorf("the authorization server returned an error (%s); check the client id, the callback URL registered for the app, and the scopes", msg)
		}
		return res.code, nil
	}
}

// parsePasted reads a pasted redirect URL (or just its query string).
func parsePasted(line string, redirect *url.URL) (callbackResult, error) {
	u, err := url.Parse(line)
	if err != nil {
		return callbackResult{}, errors.New("that is not a URL")
	}
	if u.Scheme != "" || u.Host != "" {
		if !strings.EqualFold(u.Host, redirect.Host) || u.Path != redirect.Path {
			return callbackResult{}, fmt.Errorf("that URL is not the callback %s%s", redirect.Host, redirect.Path)
		}
	}
	q := u.Query()
	if u.Scheme == "" && u.Host == "" && u.RawQuery == "" {
		q, _ = url.ParseQuery(strings.TrimPrefix(line, "?"))
	}
	res := resultFromQuery(q, "pasted URL")
	if res.code == "" && res.errCode == "" {
		return callbackResult{}, errors.New("that URL has no code or error parameter")
	}
	return res, nil
}

// explainExchange turns a failed code exchange into advice.
func explainExchange(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		desc := ""
		if re.ErrorDescription != "" {
			desc = ": " + re.ErrorDescription
		}
		switch {
		case re.ErrorCode == "invalid_grant":
			return fmt.Errorf("the authorization code was rejected (invalid_grant%s): it was already used, expired, or issued for another callback URL; run connect again", desc)
		case re.ErrorCode == "access_denied" || re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client" || status == http.StatusUnauthorized:
			return fmt.Errorf("the token endpoint rejected the OAuth client (%s, HTTP %d): check the client id and secret on the app's Settings page", firstOf(re.ErrorCode, "unauthorized"), status)
		}
		return fmt.Errorf("the token endpoint answered HTTP %d %s%s; nothing was stored, try again", status, re.ErrorCode, desc)
	}
	return fmt.Errorf("could not reach the token endpoint: %v; nothing was stored, try again", err)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// chooseSite picks the site: --site when given, the only one, or an
// interactive choice.
func chooseSite(s streams, resources []atlassian.Resource, want string, lines <-chan string) (atlassian.Resource, error) {
	var sites []atlassian.Resource
	for _, r := range resources {
		if r.Has(atlassian.ProductJira) || r.Has(atlassian.ProductConfluence) {
			sites = append(sites, r)
		}
	}
	if len(sites) == 0 {
		return atlassian.Resource{}, errors.New("the grant covers no Jira or Confluence site: consent again and pick a site, and check that the app has the Jira and Confluence APIs")
	}
	list := func() string {
		var b strings.Builder
		for i, r := range sites {
			fmt.Fprintf(&b, "\n  %d) %s  %s  (%s)", i+1, r.Name, r.URL, r.ID)
		}
		return b.String()
	}
	if want != "" {
		norm := func(u string) string {
			u = strings.TrimRight(strings.ToLower(u), "/")
			return strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
		}
		for _, r := range sites {
			if strings.EqualFold(r.Name, want) || r.ID == want || norm(r.URL) == norm(want) {
				return r, nil
			}
		}
		return atlassian.Resource{}, fmt.Errorf("--site %q is not among the sites the grant covers:%s", want, list())
	}
	if len(sites) == 1 {
		return sites[0], nil
	}
	fmt.Fprintf(s.err, "The grant covers %d sites:%s\nWhich one should this connection use? [1-%d]: ", len(sites), list(), len(sites))
	for line := range lines {
		n, err := strconv.Atoi(line)
		if err == nil && n >= 1 && n <= len(sites) {
			return sites[n-1], nil
		}
		fmt.Fprintf(s.err, "Enter a number from 1 to %d: ", len(sites))
	}
	return atlassian.Resource{}, fmt.Errorf("the grant covers several sites and none was chosen: run connect with --site NAME|URL|ID:%s", list())
}

// productsOf lists the site's Jira and Confluence products with their
// scopes.
func productsOf(r atlassian.Resource) []tokenstore.Product {
	var out []tokenstore.Product
	for _, p := range []atlassian.Product{atlassian.ProductJira, atlassian.ProductConfluence} {
		if !r.Has(p) {
			continue
		}
		var scopes []string
		for _, sc := range r.Scopes {
			if atlassian.ScopeProduct(sc) == p {
				scopes = append(scopes, sc)
			}
		}
		out = append(out, tokenstore.Product{Name: string(p), Scopes: scopes})
	}
	return out
}

// productTitle is a product's display name.
func productTitle(p string) string {
	switch p {
	case tokenstore.ProductJira:
		return "Jira"
	case tokenstore.ProductConfluence:
		return "Confluence"
	}
	return p
}

// discoverAfterConnect runs schema discovery for a new connection and says
// what it found. A failure is reported, not fatal: the tools work without a
// schema, and 'atlassian-mcp schema refresh' tries again.
func discoverAfterConnect(ctx context.Context, s streams, store *tokenstore.Store, name string, logger *slog.Logger) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	st, err := openSite(ctx, store, name, logger)
	if err == nil {
		fmt.Fprintln(s.out, "Discovering the site's schema...")
		var snap *schema.Snapshot
		if snap, err = st.RefreshSchema(ctx); err == nil {
			fmt.Fprintf(s.out, "Schema:       %s\n", schemaSummary(snap))
			return
		}
	}
	fmt.Fprintf(s.out, "Schema discovery failed (%v); the tools work without it. Retry with: atlassian-mcp schema refresh --connection %s\n", err, name)
}
