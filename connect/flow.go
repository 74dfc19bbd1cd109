// Package connect creates a connection to an Atlassian Cloud site through the
// OAuth 2.0 (3LO) authorization-code flow with PKCE, and stores it in the
// token store. The CLI (`atlassian-mcp connect`, `serve --sandbox`) and the
// admin console run the same steps:
//
//	f, err := connect.Begin(connect.Options{ClientID: id, ClientSecret: secret, RedirectURI: cb})
//	// send the admin's browser to f.AuthorizeURL(); Atlassian redirects it to cb
//	code, err := f.Code(connect.CallbackFromQuery(r.URL.Query(), "callback"))
//	g, err := f.Exchange(ctx, code)            // tokens + the sites the grant covers
//	s, err := connect.ChooseSite(g.Sites, "")  // or the admin's choice
//	res, err := f.Save(ctx, store, "default", g, s)
//
// Run wraps the steps for a terminal: it listens on a loopback callback,
// opens the browser, accepts a pasted redirect URL and asks which site.
// Nothing is stored unless every step succeeds. Error texts say what to do
// next; they name options by their `connect` flag (--site, --redirect-uri).
package connect

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Defaults of Options.
const (
	// DefaultAuthURL is Atlassian's authorization server.
	DefaultAuthURL = "https://auth.atlassian.com"
	// DefaultRedirectURI is the callback the CLI listens on by default.
	DefaultRedirectURI = "http://localhost:8765/callback"
)

// DefaultScopes is the scope set for the eight tools (ATLASSIAN.md §1.8
// "Suggested scope set", with the granular CQL fallback), plus
// offline_access for a refresh token and read:me for the admin's email.
var DefaultScopes = []string{
	"offline_access", "read:me",
	"read:jira-work", "write:jira-work", "read:jira-user",
	"search:confluence", "read:content-details:confluence",
	"read:page:confluence", "read:blogpost:confluence", "read:user:confluence", "write:page:confluence", "read:space:confluence",
	"read:hierarchical-content:confluence", "read:content.metadata:confluence",
	"write:confluence-content", "read:label:confluence", "write:label:confluence",
}

// ParseScopes splits a scope list (space or comma separated) and adds the
// two scopes a connection cannot work without.
func ParseScopes(v string) []string {
	out := []string{"offline_access", "read:me"}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// Options configure one connect flow.
type Options struct {
	// ClientID and ClientSecret are the OAuth app's credentials (its
	// Settings page in the Atlassian developer console). Required.
	ClientID, ClientSecret string
	// AuthURL is the authorization server's base URL; "" means
	// DefaultAuthURL. A sandbox's URL for local use.
	AuthURL string
	// APIURL is the API gateway's base URL; "" means
	// atlassian.DefaultGatewayURL.
	APIURL string
	// RedirectURI is the callback URL registered for the app. Required.
	RedirectURI string
	// Scopes are requested at consent; nil means DefaultScopes.
	Scopes []string
	// HTTPClient makes the token exchange and the gateway calls that
	// follow; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
}

// CheckBaseURL checks a base URL (http or https, a host, no query or
// fragment) and returns it without a trailing slash.
func CheckBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an http(s) base URL", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Flow is one authorization in progress: the state and PKCE verifier that
// tie the callback to this run. It is used by one goroutine at a time.
type Flow struct {
	opts     Options
	authURL  string
	apiURL   string
	redirect *url.URL
	cfg      *oauth2.Config
	state    string
	verifier string
}

// Begin checks o and starts a flow. Nothing is sent anywhere yet.
func Begin(o Options) (*Flow, error) {
	if o.ClientID == "" || o.ClientSecret == "" {
		return nil, errors.New("the OAuth app's client id and secret are required (the app's Settings page in the Atlassian developer console)")
	}
	f := &Flow{opts: o}
	var err error
	if f.authURL, err = CheckBaseURL(firstOf(o.AuthURL, DefaultAuthURL)); err != nil {
		return nil, fmt.Errorf("auth URL %w", err)
	}
	if f.apiURL, err = CheckBaseURL(firstOf(o.APIURL, atlassian.DefaultGatewayURL)); err != nil {
		return nil, fmt.Errorf("API URL %w", err)
	}
	f.redirect, err = url.Parse(o.RedirectURI)
	if err != nil || (f.redirect.Scheme != "http" && f.redirect.Scheme != "https") || f.redirect.Host == "" {
		return nil, fmt.Errorf("--redirect-uri %q is not an http(s) URL", o.RedirectURI)
	}
	if f.opts.HTTPClient == nil {
		f.opts.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	scopes := o.Scopes
	if scopes == nil {
		scopes = DefaultScopes
	}
	f.cfg = &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		Endpoint:    tokenstore.TokenEndpoint(f.authURL),
		RedirectURL: o.RedirectURI,
		Scopes:      scopes,
	}
	f.state = randomState()
	f.verifier = oauth2.GenerateVerifier()
	return f, nil
}

// AuthorizeURL is the consent page to send the admin's browser to.
func (f *Flow) AuthorizeURL() string {
	return f.cfg.AuthCodeURL(f.state,
		oauth2.SetAuthURLParam("audience", "api.atlassian.com"),
		oauth2.SetAuthURLParam("prompt", "consent"),
		oauth2.S256ChallengeOption(f.verifier))
}

// State is the flow's anti-forgery state, carried by its callback.
func (f *Flow) State() string { return f.state }

// Redirect is the parsed callback URL.
func (f *Flow) Redirect() *url.URL { u := *f.redirect; return &u }

func randomState() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Callback is what came back on the redirect: a code, or an error.
type Callback struct {
	Code, State      string
	Error, ErrorDesc string
	// Source says where it came from in messages: "callback" or "pasted URL".
	Source string
}

// CallbackFromQuery reads a callback's query parameters.
func CallbackFromQuery(q url.Values, source string) Callback {
	return Callback{
		Code: q.Get("code"), State: q.Get("state"),
		Error: q.Get("error"), ErrorDesc: q.Get("error_description"), Source: source,
	}
}

// ErrConsentDenied is Code's error when the consent page was denied
// (access_denied): nothing was stored. It says nothing of what to do next;
// each front end says how to try again in its own terms.
var ErrConsentDenied = errors.New("consent was denied on the Atlassian consent page (access_denied); nothing was stored")

// Code checks a callback against the flow and returns its authorization
// code, or the error it carries, explained.
func (f *Flow) Code(c Callback) (string, error) {
	if c.State != f.state {
		return "", fmt.Errorf("the %s's state does not match this connect run (a stale browser tab or a forged request); nothing was stored: run connect again", c.Source)
	}
	if c.Error != "" {
		if c.Error == "access_denied" {
			return "", ErrConsentDenied
		}
		msg := c.Error
		if c.ErrorDesc != "" {
			msg += ": " + c.ErrorDesc
		}
		return "", fmt.Errorf("the authorization server returned an error (%s); check the client id, the callback URL registered for the app, and the scopes", msg)
	}
	return c.Code, nil
}

// Grant is an exchanged authorization: the tokens and the sites they cover.
type Grant struct {
	token *oauth2.Token
	// Sites are the Jira and Confluence sites the grant covers (other
	// products' sites are left out); possibly none.
	Sites []atlassian.Resource
}

// gateway is an HTTP client that authenticates with the grant's token.
func (f *Flow) gateway(ctx context.Context, g *Grant) *http.Client {
	return oauth2.NewClient(context.WithValue(ctx, oauth2.HTTPClient, f.opts.HTTPClient), oauth2.StaticTokenSource(g.token))
}

// Exchange trades the code for tokens (within a minute) and lists the sites
// they cover. A grant without a refresh token is refused.
func (f *Flow) Exchange(ctx context.Context, code string) (*Grant, error) {
	exCtx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, f.opts.HTTPClient), time.Minute)
	defer cancel()
	tok, err := f.cfg.Exchange(exCtx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return nil, explainExchange(err)
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("the token response has no refresh token: add offline_access to the scopes (it is in the default set) and make sure the app allows it; nothing was stored")
	}
	g := &Grant{token: tok}
	resources, err := atlassian.AccessibleResources(ctx, f.gateway(ctx, g), f.apiURL)
	if err != nil {
		return nil, fmt.Errorf("list the sites the grant covers (accessible-resources): %w", err)
	}
	g.Sites = usable(resources)
	return g, nil
}

// usable keeps the resources that are Jira or Confluence sites.
func usable(resources []atlassian.Resource) []atlassian.Resource {
	var out []atlassian.Resource
	for _, r := range resources {
		if r.Has(atlassian.ProductJira) || r.Has(atlassian.ProductConfluence) {
			out = append(out, r)
		}
	}
	return out
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

// ErrSeveralSites is returned by ChooseSite when the grant covers several
// sites and none was asked for: the caller asks the admin.
var ErrSeveralSites = errors.New("the grant covers several sites and none was chosen")

// ErrUnknownSite is ChooseSite's error when want names none of the sites
// the grant covers: a mistyped --site, or a console form naming a site the
// grant does not cover. Nothing was chosen.
var ErrUnknownSite = errors.New("not among the sites the grant covers")

// ChooseSite picks, among the Jira and Confluence sites of resources, the
// one named by want (its name, URL or cloud id), or the only one when want
// is empty. The CLI's --site and the console's site step both choose
// through it.
func ChooseSite(resources []atlassian.Resource, want string) (atlassian.Resource, error) {
	sites := usable(resources)
	if len(sites) == 0 {
		return atlassian.Resource{}, errors.New("the grant covers no Jira or Confluence site: consent again and pick a site, and check that the app has the Jira and Confluence APIs")
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
		return atlassian.Resource{}, fmt.Errorf("--site %q is %w:%s", want, ErrUnknownSite, SiteList(sites))
	}
	if len(sites) == 1 {
		return sites[0], nil
	}
	return atlassian.Resource{}, fmt.Errorf("%w: run connect with --site NAME|URL|ID:%s", ErrSeveralSites, SiteList(sites))
}

// SiteList renders sites as a numbered list, one per line.
func SiteList(sites []atlassian.Resource) string {
	var b strings.Builder
	for i, r := range sites {
		fmt.Fprintf(&b, "\n  %d) %s  %s  (%s)", i+1, r.Name, r.URL, r.ID)
	}
	return b.String()
}

// Result is a stored connection and what connect learnt on the way.
type Result struct {
	Connection tokenstore.Connection
	// Warnings are problems that did not stop the connection (the admin's
	// profile could not be read).
	Warnings []string
}

// Save stores the grant for site as connection name (replacing one of the
// same name): the site's Jira and Confluence products with their scopes,
// the admin's email from /me, and the secrets, encrypted.
func (f *Flow) Save(ctx context.Context, store *tokenstore.Store, name string, g *Grant, site atlassian.Resource) (*Result, error) {
	products := productsOf(site)
	if len(products) == 0 {
		return nil, fmt.Errorf("the grant covers neither Jira nor Confluence on %s (scopes: %s); add the Jira and Confluence APIs to the app and connect again", site.URL, strings.Join(site.Scopes, " "))
	}
	res := &Result{}
	connectedBy := ""
	if me, err := atlassian.Me(ctx, f.gateway(ctx, g), f.apiURL); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("could not read the admin's profile from /me (is the User Identity API with read:me added to the app?): %v", err))
	} else {
		connectedBy = firstOf(me.Email, me.Name)
	}
	now := time.Now()
	res.Connection = tokenstore.Connection{
		Name:        name,
		Site:        tokenstore.Site{CloudID: site.ID, Name: site.Name, URL: site.URL},
		Products:    products,
		ConnectedBy: connectedBy,
		ConnectedAt: now,
		ClientID:    f.opts.ClientID,
		AuthURL:     f.authURL,
		APIURL:      f.apiURL,
		RefreshedAt: now,
	}
	sec := tokenstore.Secrets{
		ClientSecret: f.opts.ClientSecret, AccessToken: g.token.AccessToken, TokenType: g.token.TokenType,
		Expiry: g.token.Expiry, RefreshToken: g.token.RefreshToken,
	}
	if err := store.Save(res.Connection, sec); err != nil {
		return nil, fmt.Errorf("store the connection: %w", err)
	}
	return res, nil
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
