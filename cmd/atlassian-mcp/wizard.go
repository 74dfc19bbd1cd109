package main

// The admin console's connect wizard runs package connect's steps (Begin,
// AuthorizeURL, Code, Exchange, ChooseSite, Save) with the console's own callback
// route: against the sandbox's consent page under serve --sandbox --http,
// against auth.atlassian.com with the OAuth app of ATLASSIAN_CLIENT_ID and
// ATLASSIAN_CLIENT_SECRET (the settings connect reads) otherwise.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/connect"
	"github.com/atlassian-mcp/atlassian-mcp/console"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// oauthConnector is the console's Connector: package connect's OAuth 2.0
// (3LO) + PKCE flow, storing into the server's token store.
type oauthConnector struct {
	// opts are the app's settings; each flow adds its callback URL.
	opts  connect.Options
	store *tokenstore.Store
	// register adds a callback URL to the OAuth app: the sandbox's app
	// accepts the console's callback on whatever port it listens. nil for
	// a real app, whose callback URLs are registered in the Atlassian
	// developer console.
	register func(uri string)
	log      *slog.Logger
}

// Scopes are the scopes the consent asks for.
func (c *oauthConnector) Scopes() []string {
	if c.opts.Scopes != nil {
		return c.opts.Scopes
	}
	return connect.DefaultScopes
}

// Start begins an authorization whose callback is redirectURI.
func (c *oauthConnector) Start(redirectURI string) (console.Flow, error) {
	o := c.opts
	o.RedirectURI = redirectURI
	if c.register != nil {
		c.register(redirectURI)
	}
	f, err := connect.Begin(o)
	if err != nil {
		return nil, err
	}
	return &oauthFlow{f: f, store: c.store, log: c.log}, nil
}

// oauthFlow is one wizard's authorization: the flow, then its grant.
type oauthFlow struct {
	f     *connect.Flow
	store *tokenstore.Store
	log   *slog.Logger
	grant *connect.Grant
}

func (f *oauthFlow) URL() string   { return f.f.AuthorizeURL() }
func (f *oauthFlow) State() string { return f.f.State() }

// Finish checks the callback (state first, then code or error), exchanges
// the code and returns the Jira and Confluence sites the grant covers.
func (f *oauthFlow) Finish(ctx context.Context, q url.Values) ([]atlassian.Resource, error) {
	code, err := f.f.Code(connect.CallbackFromQuery(q, "callback"))
	if errors.Is(err, connect.ErrConsentDenied) {
		return nil, console.ErrConsentDenied // worded by the console
	}
	if err != nil {
		return nil, err
	}
	g, err := f.f.Exchange(ctx, code)
	if err != nil {
		return nil, err
	}
	if _, err := connect.ChooseSite(g.Sites, ""); err != nil && !errors.Is(err, connect.ErrSeveralSites) {
		return nil, err // the grant covers no Jira or Confluence site
	}
	f.grant = g
	return g.Sites, nil
}

// Choose picks the admin's site among the grant's, as connect --site does.
func (f *oauthFlow) Choose(id string) (atlassian.Resource, error) {
	if f.grant == nil {
		return atlassian.Resource{}, errors.New("no authorization was received for this wizard")
	}
	site, err := connect.ChooseSite(f.grant.Sites, id)
	if errors.Is(err, connect.ErrUnknownSite) {
		return atlassian.Resource{}, console.ErrUnknownSite // worded by the console
	}
	return site, err
}

// Save stores the grant for site as connection name.
func (f *oauthFlow) Save(ctx context.Context, site atlassian.Resource, name string) (tokenstore.Connection, error) {
	if f.grant == nil {
		return tokenstore.Connection{}, errors.New("no authorization was received for this wizard")
	}
	res, err := f.f.Save(ctx, f.store, name, f.grant, site)
	if err != nil {
		return tokenstore.Connection{}, err
	}
	for _, w := range res.Warnings {
		f.log.Warn("console connect: "+w, "connection", name)
	}
	return res.Connection, nil
}

// connector is the connect wizard's flow for the console: the sandbox's
// OAuth app under --sandbox, else the app of ATLASSIAN_CLIENT_ID and
// ATLASSIAN_CLIENT_SECRET. Without those it returns nil and what to set,
// which the wizard page shows.
func (o *serveOptions) connector(store *tokenstore.Store, logger *slog.Logger) (console.Connector, string) {
	if o.sandbox && o.sandboxSite != nil {
		return sandboxConnector(o.sandboxSite, store, logger), ""
	}
	id, secret := os.Getenv(envClientID), os.Getenv(envClientSecret)
	if id == "" || secret == "" {
		return nil, fmt.Sprintf("Connecting from the console uses the OAuth 2.0 (3LO) app that 'atlassian-mcp connect' uses. "+
			"Set %s and %s (the app's Settings page in the Atlassian developer console) in the environment of 'atlassian-mcp serve' and restart it; "+
			"register this console's callback URL for the app. Until then, connect with 'atlassian-mcp connect' on the server.", envClientID, envClientSecret)
	}
	return &oauthConnector{opts: connect.Options{ClientID: id, ClientSecret: secret}, store: store, log: logger}, ""
}

// sandboxConnector connects to the sandbox site sb through its consent page.
func sandboxConnector(sb *sandbox.Server, store *tokenstore.Store, logger *slog.Logger) *oauthConnector {
	return &oauthConnector{
		opts:     connect.Options{ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, AuthURL: sb.URL, APIURL: sb.URL},
		store:    store,
		register: sb.RegisterRedirectURI,
		log:      logger,
	}
}
