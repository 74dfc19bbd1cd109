package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/gateway"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Connector runs the OAuth 2.0 (3LO) + PKCE flow of `atlassian-mcp
// connect` for the wizard, with the console's own callback route.
type Connector interface {
	// Scopes are the scopes the flow asks for.
	Scopes() []string
	// Start begins an authorization whose callback is redirectURI.
	Start(redirectURI string) (Flow, error)
}

// Flow is one authorization in progress.
type Flow interface {
	// URL is the consent page to open.
	URL() string
	// State is the flow's OAuth state, which the callback must carry.
	State() string
	// Finish checks the callback's query (state, then code or error),
	// exchanges the code and returns the sites the grant covers.
	Finish(ctx context.Context, callback url.Values) ([]atlassian.Resource, error)
	// Choose picks the site the admin chose, by cloud id, among the sites
	// Finish returned, as connect's --site picks (connect.ChooseSite). It
	// returns ErrUnknownSite when the grant does not cover that site.
	Choose(id string) (atlassian.Resource, error)
	// Save stores the connection to site as name.
	Save(ctx context.Context, site atlassian.Resource, name string) (tokenstore.Connection, error)
}

// ErrUnknownSite is what Flow.Choose returns for a site the grant does not
// cover (a forged or stale form); nothing was chosen.
var ErrUnknownSite = errors.New("not among the sites the grant covers")

// ErrConsentDenied is what Flow.Finish returns when the admin denied the
// consent on Atlassian's consent page; nothing was stored. The wizard
// says what to do in the console.
var ErrConsentDenied = errors.New("consent denied")

// consentDenied is the console's wording of ErrConsentDenied.
const consentDenied = "Not connected: the consent was denied on the Atlassian consent page, so nothing was stored. To connect, try again and choose Accept on the consent page."

// Wizard steps.
const (
	stepIntro     = "intro"
	stepConsent   = "consent"
	stepSite      = "site"
	stepProducts  = "products"
	stepDiscovery = "discovery"
	stepTools     = "tools"
	stepComplete  = "complete"
)

// Time limits of the wizard.
const (
	consentTimeout  = 15 * time.Minute
	exchangeTimeout = time.Minute
)

// wizard is one admin's connect wizard; it lives in the session, and the
// console finds it by OAuth state when the callback comes (the callback
// is a cross-site navigation, which SameSite=Strict cookies do not follow).
type wizard struct {
	step    string
	flow    Flow
	started time.Time
	err     string
	sites   []atlassian.Resource
	site    atlassian.Resource
	name    string
	conn    tokenstore.Connection
	tenant  string
	// discovery
	discStart time.Time
	discDone  bool
	discErr   string
	progress  schema.Progress // discovery's counts so far
	snap      *schema.Snapshot
	// agent created in the tools step
	newAgent, newToken string
}

// flows maps an OAuth state to its wizard, for the callback.
type flows struct {
	mu sync.Mutex
	m  map[string]*flowEntry
}

type flowEntry struct {
	se *session
	at time.Time
}

func (f *flows) put(state string, se *session, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]*flowEntry{}
	}
	for k, e := range f.m {
		if now.Sub(e.at) > consentTimeout {
			delete(f.m, k)
		}
	}
	f.m[state] = &flowEntry{se: se, at: now}
}

func (f *flows) take(state string, now time.Time) *session {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.m[state]
	delete(f.m, state)
	if e == nil || now.Sub(e.at) > consentTimeout {
		return nil
	}
	return e.se
}

func (c *Console) connectRoutes(m *http.ServeMux) {
	if c.opts.Connect == nil {
		if c.opts.ConnectSetup != "" {
			m.HandleFunc("GET "+prefix+"/connect", c.authed(c.setupPage))
		}
		return
	}
	m.HandleFunc("GET "+prefix+"/connect", c.authed(c.wizardPage))
	m.HandleFunc("GET "+prefix+"/connect/status", c.authed(c.wizardStatus))
	m.HandleFunc("POST "+prefix+"/connect/start", c.authed(c.wizardStart))
	m.HandleFunc("POST "+prefix+"/connect/cancel", c.authed(c.wizardCancel))
	m.HandleFunc("GET "+prefix+"/connect/callback", c.wizardCallback)
	m.HandleFunc("POST "+prefix+"/connect/site", c.authed(c.wizardSite))
	m.HandleFunc("POST "+prefix+"/connect/products", c.authed(c.wizardProducts))
	m.HandleFunc("POST "+prefix+"/connect/tools", c.authed(c.wizardTools))
}

// wizardView is what the wizard template gets.
type wizardView struct {
	// Setup, when set, replaces the wizard: what the server needs first.
	Setup string
	// Callback is the console's OAuth callback URL, to register for the
	// app.
	Callback string
	Step     string
	Steps    []stepView
	Scopes   []string
	Groups   []toolGroup
	URL      string
	Err      string
	Sites    []atlassian.Resource
	Site     atlassian.Resource
	Products []string
	Name     string
	Replaces bool
	Elapsed  string
	Done     bool
	DiscErr  string
	Snapshot *schema.Snapshot
	Counts   []count
	// Progress is discovery's counts so far; Percent its per-project
	// steps done (-1 before they are known).
	Progress []count
	Percent  int
	Tenant   string
	Agents   []agentRow
	NewAgent string
	NewToken string
}

type stepView struct {
	Label         string
	State         string // done, current, todo
	Number        int
	Current, Done bool
	// Skipped marks a step passed over without the admin (the site choice
	// when the grant covers one site); Note says why.
	Skipped bool
	Note    string
}

var stepOrder = []struct{ id, label string }{
	{stepIntro, "Capabilities"}, {stepConsent, "Consent"}, {stepSite, "Site"}, {stepProducts, "Products"},
	{stepDiscovery, "Schema discovery"}, {stepTools, "Tool assignment"}, {stepComplete, "Complete"},
}

func (c *Console) wizardOf(r *http.Request) (*session, *wizard) {
	se := sessionFrom(r)
	se.mu.Lock()
	defer se.mu.Unlock()
	if se.wizard == nil {
		se.wizard = &wizard{step: stepIntro}
	}
	return se, se.wizard
}

// viewOf snapshots the wizard for rendering; se.mu is held.
func (c *Console) viewOf(wz *wizard) *wizardView {
	v := &wizardView{Step: wz.step, Scopes: c.opts.Connect.Scopes(), Groups: groupTools(nil), Err: wz.err,
		Sites: wz.sites, Site: wz.site, Name: wz.name, Tenant: wz.tenant, NewAgent: wz.newAgent, NewToken: wz.newToken,
		Done: wz.discDone, DiscErr: wz.discErr, Snapshot: wz.snap, Counts: snapshotCounts(wz.snap)}
	if wz.flow != nil {
		v.URL = wz.flow.URL()
	}
	for _, p := range []atlassian.Product{atlassian.ProductJira, atlassian.ProductConfluence} {
		if wz.site.Has(p) {
			v.Products = append(v.Products, string(p))
		}
	}
	if !wz.discStart.IsZero() {
		v.Elapsed = time.Since(wz.discStart).Round(100 * time.Millisecond).String()
	}
	v.Progress, v.Percent = progressCounts(wz.progress)
	cur := slices.IndexFunc(stepOrder, func(s struct{ id, label string }) bool { return s.id == wz.step })
	for i, s := range stepOrder {
		sv := stepView{Label: s.label, Number: i + 1, Current: i == cur, Done: i < cur}
		if s.id == stepSite && sv.Done && len(wz.sites) == 1 {
			// The callback went straight to the products: nobody chose.
			sv.Done, sv.Skipped, sv.Note = false, true, "one site: "+wz.sites[0].Name
		}
		v.Steps = append(v.Steps, sv)
	}
	return v
}

func (c *Console) renderWizard(w http.ResponseWriter, r *http.Request, status int, block string) {
	se, wz := c.wizardOf(r)
	se.mu.Lock()
	v := c.viewOf(wz)
	if wz.step == stepComplete && block == "" {
		wz.newToken = "" // shown once
	}
	se.mu.Unlock()
	if v.Step == stepProducts {
		if conns, err := c.opts.Backend.Connections(); err == nil {
			v.Replaces = slices.ContainsFunc(conns, func(cn tokenstore.Connection) bool { return cn.Name == v.Name })
		}
	}
	if v.Step == stepTools || v.Step == stepComplete {
		if av, err := c.agentsView(); err == nil {
			for _, a := range av.Agents {
				if a.Agent.Tenant == v.Tenant {
					v.Agents = append(v.Agents, a)
				}
			}
		}
	}
	v.Callback = callbackURL(r)
	c.render(w, r, status, "connect", block, view{Title: "Connect a site", Nav: "connect", Data: v})
}

// setupPage is the Connect page of a server without an OAuth app: what to
// set, and the callback URL to register.
func (c *Console) setupPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "connect", "", view{Title: "Connect a site", Nav: "connect",
		Data: &wizardView{Setup: c.opts.ConnectSetup, Callback: callbackURL(r)}})
}

func (c *Console) wizardPage(w http.ResponseWriter, r *http.Request) {
	c.renderWizard(w, r, http.StatusOK, "")
}

// wizardStatus is the part of the wizard page that polls while it waits
// for the consent or for discovery.
func (c *Console) wizardStatus(w http.ResponseWriter, r *http.Request) {
	_, wz := c.wizardOf(r)
	se := sessionFrom(r)
	se.mu.Lock()
	step := wz.step
	se.mu.Unlock()
	if want := r.URL.Query().Get("step"); want != "" && want != step {
		// The step moved on (consent given, discovery done): reload the page.
		w.Header().Set("HX-Redirect", prefix+"/connect")
		w.WriteHeader(http.StatusOK)
		return
	}
	c.renderWizard(w, r, http.StatusOK, "wizard-status")
}

func (c *Console) wizardCancel(w http.ResponseWriter, r *http.Request) {
	se := sessionFrom(r)
	se.mu.Lock()
	se.wizard = &wizard{step: stepIntro}
	se.mu.Unlock()
	http.Redirect(w, r, prefix+"/connect", http.StatusSeeOther)
}

// callbackURL is the console's own OAuth callback on the request's host:
// https when the request came over TLS, or through a TLS-terminating
// proxy that says so (X-Forwarded-Proto). Only an admin's wizard uses it,
// as the redirect_uri the authorization server checks against the app's
// registered callbacks, so a forged header can only make the consent fail.
func callbackURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + prefix + "/connect/callback"
}

func (c *Console) wizardStart(w http.ResponseWriter, r *http.Request) {
	se, wz := c.wizardOf(r)
	flow, err := c.opts.Connect.Start(callbackURL(r))
	se.mu.Lock()
	defer se.mu.Unlock()
	if err != nil {
		wz.err = "The authorization could not start: " + err.Error()
	} else {
		*wz = wizard{step: stepConsent, flow: flow, started: c.opts.Now()}
		c.flows.put(flow.State(), se, c.opts.Now())
	}
	http.Redirect(w, r, prefix+"/connect", http.StatusSeeOther)
}

// wizardCallback receives the consent's redirect in the popup. It needs no
// session cookie: the OAuth state (256 random bits, single use) names the
// wizard, as it does for `connect`'s loopback listener.
//
// The page keeps the popup's link to the console window (no
// Cross-Origin-Opener-Policy: arriving from Atlassian's origin, any policy
// but unsafe-none would cut window.opener), so it can close itself; opened
// in the console's own tab (no script, or a blocked popup) it leads back
// to the wizard.
func (c *Console) wizardCallback(w http.ResponseWriter, r *http.Request) {
	w.Header().Del("Cross-Origin-Opener-Policy")
	q := r.URL.Query()
	state := q.Get("state")
	se := c.flows.take(state, c.opts.Now())
	if state == "" || se == nil {
		c.render(w, r, http.StatusBadRequest, "callback", "", view{Title: "Not connected",
			Error: "This authorization expired or does not belong to a connect wizard of this console (unknown OAuth state). Nothing was stored: start again from the Connect page."})
		return
	}
	se.mu.Lock()
	wz := se.wizard
	var flow Flow
	if wz != nil && wz.step == stepConsent && wz.flow != nil && wz.flow.State() == state {
		flow = wz.flow
	}
	se.mu.Unlock()
	if flow == nil {
		c.render(w, r, http.StatusBadRequest, "callback", "", view{Title: "Not connected",
			Error: "The connect wizard moved on or was cancelled; nothing was stored. Start again from the Connect page."})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), exchangeTimeout)
	defer cancel()
	sites, err := flow.Finish(ctx, q)
	se.mu.Lock()
	defer se.mu.Unlock()
	if wz != se.wizard {
		return
	}
	if err != nil {
		wz.step, wz.err, wz.flow = stepIntro, "Not connected: "+strings.TrimSuffix(err.Error(), ".")+".", nil
		if errors.Is(err, ErrConsentDenied) {
			wz.err = consentDenied
		}
		c.render(w, r, http.StatusOK, "callback", "", view{Title: "Not connected", Error: wz.err})
		return
	}
	wz.sites, wz.err = sites, ""
	wz.step = stepSite
	if len(sites) == 1 {
		wz.site, wz.name, wz.step = sites[0], connectionName(sites[0].Name), stepProducts
	}
	c.render(w, r, http.StatusOK, "callback", "", view{Title: "Authorization received"})
}

var nameUnsafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9_-]+`) })

// connectionName derives a connection name from a site name.
func connectionName(site string) string {
	n := strings.Trim(nameUnsafe().ReplaceAllString(strings.ToLower(site), "-"), "-_")
	if len(n) > 64 {
		n = n[:64]
	}
	if tokenstore.ValidateName(n) != nil {
		return tokenstore.DefaultConnection
	}
	return n
}

func (c *Console) wizardSite(w http.ResponseWriter, r *http.Request) {
	se, wz := c.wizardOf(r)
	id := strings.TrimSpace(r.PostFormValue("site"))
	se.mu.Lock()
	if wz.step != stepSite {
		se.mu.Unlock()
		c.stale(w, r)
		return
	}
	// Choose only reads the grant Finish stored: no call goes out.
	site, err := atlassian.Resource{}, ErrUnknownSite
	if id != "" {
		site, err = wz.flow.Choose(id)
	}
	switch {
	case errors.Is(err, ErrUnknownSite) && id == "":
		wz.err = "Choose one of the sites the grant covers: none was chosen."
	case errors.Is(err, ErrUnknownSite):
		wz.err = fmt.Sprintf("The site %q is not one this authorization covers (a stale or altered form?); nothing was changed. Choose one of the sites the grant covers.", clip(id, 80))
	case err != nil:
		wz.err = "The site could not be chosen: " + err.Error() + ". Nothing was changed."
	default:
		wz.site, wz.name, wz.step, wz.err = site, connectionName(site.Name), stepProducts, ""
	}
	se.mu.Unlock()
	http.Redirect(w, r, prefix+"/connect", http.StatusSeeOther)
}

// clip shortens s to at most n runes, for echoing input in a message.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// stale answers a wizard form that does not fit the wizard's step.
func (c *Console) stale(w http.ResponseWriter, r *http.Request) {
	setFlash(r, "That wizard step was already done (another tab?); here is where the wizard is now. Nothing was changed.")
	http.Redirect(w, r, prefix+"/connect", http.StatusSeeOther)
}

// wizardProducts stores the connection, serves it and starts discovery.
func (c *Console) wizardProducts(w http.ResponseWriter, r *http.Request) {
	se, wz := c.wizardOf(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	se.mu.Lock()
	if wz.step != stepProducts {
		se.mu.Unlock()
		c.stale(w, r)
		return
	}
	if err := tokenstore.ValidateName(name); err != nil || gateway.ValidateTenant(name) != nil {
		wz.err = fmt.Sprintf("Connection name %q: use 1-64 letters, digits, '-' or '_'.", name)
		se.mu.Unlock()
		http.Redirect(w, r, prefix+"/connect", http.StatusSeeOther)
		return
	}
	flow, site := wz.flow, wz.site
	se.mu.Unlock()

	ctx, cancel := context.WithTimeout(r.Context(), exchangeTimeout)
	defer cancel()
	conn, err := flow.Save(ctx, site, name)
	if err == nil {
		err = c.opts.Backend.Serve(ctx, name)
	}
	se.mu.Lock()
	defer se.mu.Unlock()
	if err != nil {
		wz.err = "The connection could not be stored or served: " + err.Error()
		http.Redirect(w, r, prefix+"/connect", http.StatusSeeOther)
		return
	}
	wz.conn, wz.name, wz.tenant, wz.err = conn, name, name, ""
	wz.step, wz.discStart = stepDiscovery, c.opts.Now()
	c.log.Info("console: connected", "connection", name, "site", conn.Site.URL)
	go c.discover(se, wz, name)
	http.Redirect(w, r, prefix+"/connect", http.StatusSeeOther)
}

// discover runs the new connection's first schema discovery for the
// wizard; the tools work meanwhile.
func (c *Console) discover(se *session, wz *wizard, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
	defer cancel()
	ctx = schema.WithProgress(ctx, func(p schema.Progress) {
		se.mu.Lock()
		wz.progress = p
		se.mu.Unlock()
	})
	snap, err := c.opts.Backend.RefreshSchema(ctx, name)
	se.mu.Lock()
	defer se.mu.Unlock()
	wz.discDone, wz.snap = true, snap
	if err != nil {
		wz.discErr = err.Error()
	}
	if wz.step == stepDiscovery {
		wz.step = stepTools
	}
}

// wizardTools assigns the new connection's tools: to each existing agent
// of its tenant, and optionally to a new agent.
func (c *Console) wizardTools(w http.ResponseWriter, r *http.Request) {
	se, wz := c.wizardOf(r)
	se.mu.Lock()
	step, tenant := wz.step, wz.tenant
	se.mu.Unlock()
	if step != stepTools {
		c.stale(w, r)
		return
	}
	newName := strings.TrimSpace(r.PostFormValue("new_agent"))
	var token, hash string
	if newName != "" {
		var err error
		if token, hash, err = gateway.NewToken(); err != nil {
			c.fail(w, r, http.StatusInternalServerError, err.Error())
			return
		}
	}
	var problems []string
	err := c.opts.Backend.UpdateConfig(func(cfg *gateway.Config) error {
		for _, a := range cfg.Agents {
			if a.Tenant != tenant {
				continue
			}
			tools := r.PostForm["tool."+a.Name]
			for _, t := range tools {
				if !slices.Contains(gateway.ToolNames(), t) {
					return fmt.Errorf("%q is not one of the eight tools", t)
				}
			}
			if len(tools) == 0 {
				problems = append(problems, a.Name)
				continue
			}
			a.Tools = storedTools(cfg, a, tools)
		}
		if len(problems) > 0 {
			return fmt.Errorf("agents %s have no tool checked: check at least one, or remove them on the Agents page", strings.Join(problems, ", "))
		}
		if newName == "" {
			return nil
		}
		if cfg.Agent(newName) != nil {
			return fmt.Errorf("an agent called %q exists already", newName)
		}
		tools := r.PostForm["tool.new"]
		if len(tools) == 0 {
			return errors.New("check at least one tool for the new agent")
		}
		for _, t := range tools {
			if !slices.Contains(gateway.ToolNames(), t) {
				return fmt.Errorf("%q is not one of the eight tools", t)
			}
		}
		a := &gateway.AgentConfig{Name: newName, TokenSHA256: hash, Tenant: tenant, Profile: gateway.ProfileAICOS, DefaultTier: gateway.Internal}
		a.Tools = storedTools(cfg, a, tools)
		cfg.Agents = append(cfg.Agents, a)
		return nil
	})
	se.mu.Lock()
	defer se.mu.Unlock()
	if err != nil {
		wz.err = "The tools could not be assigned: " + err.Error() + ". Nothing was changed."
		http.Redirect(w, r, prefix+"/connect", http.StatusSeeOther)
		return
	}
	wz.err, wz.step = "", stepComplete
	if newName != "" {
		wz.newAgent, wz.newToken = newName, token
	}
	http.Redirect(w, r, prefix+"/connect", http.StatusSeeOther)
}

// progressCounts are the counts a discovery in flight has found, and the
// percentage of its per-project steps done (-1 before they are known).
func progressCounts(p schema.Progress) ([]count, int) {
	var out []count
	for _, c := range []count{{"projects", p.Projects}, {"issue types", p.IssueTypes}, {"custom fields", p.Fields},
		{"priorities", p.Priorities}, {"link types", p.LinkTypes}, {"spaces", p.Spaces}} {
		if c.N > 0 {
			out = append(out, c)
		}
	}
	if p.Total == 0 {
		return out, -1
	}
	return out, 100 * p.Done / p.Total
}
