package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/connect"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Environment variables connect reads the OAuth app's credentials from.
const (
	envClientID     = "ATLASSIAN_CLIENT_ID"
	envClientSecret = "ATLASSIAN_CLIENT_SECRET"
)

// openBrowser opens the consent page. Tests replace it with a function that
// plays the browser over HTTP.
var openBrowser = connect.OpenBrowser

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

func runConnect(ctx context.Context, s streams, args []string) error {
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
	fs.StringVar(&o.authURL, "auth-url", connect.DefaultAuthURL, "authorization server base URL (the sandbox's URL for local use)")
	fs.StringVar(&o.apiURL, "api-url", atlassian.DefaultGatewayURL, "API gateway base URL (the sandbox's URL for local use)")
	fs.StringVar(&o.redirectURI, "redirect-uri", connect.DefaultRedirectURI, "callback URL registered for the app; a loopback address is listened on")
	fs.StringVar(&o.scopes, "scopes", "", "scopes to request instead of the default set (space or comma separated; offline_access and read:me are always added)")
	fs.StringVar(&o.site, "site", "", "site to connect when the grant covers several: its name, URL or cloud id")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "print the authorization URL instead of opening a browser, and accept the redirected URL pasted on stdin")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the consent")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := connectCmd(ctx, s, o); err != nil {
		return err
	}
	return nil
}

// connectCmd runs the connect flow (package connect) at the terminal with
// the flags' options, reports the new connection on stdout and discovers
// its schema.
func connectCmd(ctx context.Context, s streams, o connectOptions) error {
	if o.clientID == "" {
		o.clientID = os.Getenv(envClientID)
	}
	if o.clientSecret == "" {
		o.clientSecret = os.Getenv(envClientSecret)
	}
	if o.clientID == "" || o.clientSecret == "" {
		return fmt.Errorf("the OAuth app's client id and secret are required: set %s and %s (or --client-id/--client-secret) from the app's Settings page in the Atlassian developer console", envClientID, envClientSecret)
	}
	if _, err := connect.CheckBaseURL(o.authURL); err != nil {
		return fmt.Errorf("--auth-url %w", err)
	}
	if _, err := connect.CheckBaseURL(o.apiURL); err != nil {
		return fmt.Errorf("--api-url %w", err)
	}
	store, err := o.store.openStore()
	if err != nil {
		return err
	}
	opts := connect.Options{
		ClientID: o.clientID, ClientSecret: o.clientSecret,
		AuthURL: o.authURL, APIURL: o.apiURL, RedirectURI: o.redirectURI,
	}
	if o.scopes != "" {
		opts.Scopes = connect.ParseScopes(o.scopes)
	}
	term := connect.Terminal{In: s.in, Prompts: s.err, Site: o.site, Timeout: o.timeout}
	if !o.noBrowser {
		term.Browse = o.browse
		if term.Browse == nil {
			term.Browse = openBrowser
		}
	}
	res, err := connect.Run(ctx, store, o.store.connection, opts, term)
	if err != nil {
		return err
	}
	conn := res.Connection
	var names []string
	for _, p := range conn.Products {
		names = append(names, atlassian.Product(p.Name).Title())
	}
	fmt.Fprintf(s.out, "Connected %s (%s) as connection %q.\n", conn.Site.Name, conn.Site.URL, conn.Name)
	fmt.Fprintf(s.out, "Products:     %s\n", strings.Join(names, ", "))
	if conn.ConnectedBy != "" {
		fmt.Fprintf(s.out, "Connected by: %s\n", conn.ConnectedBy)
	}
	fmt.Fprintf(s.out, "Stored in:    %s (secrets encrypted)\n", store.Path())
	discoverAfterConnect(ctx, s, store, conn.Name, o.log)
	fmt.Fprintf(s.out, "Check the connection any time with: atlassian-mcp status --connection %s\n", conn.Name)
	return nil
}

// discoverAfterConnect runs schema discovery for a new connection and says
// what it found. A failure is reported, not fatal: the tools work without a
// schema, and 'atlassian-mcp schema refresh' tries again.
func discoverAfterConnect(ctx context.Context, s streams, store *tokenstore.Store, name string, logger *slog.Logger) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	st, err := openSite(ctx, store, name, logger, nil)
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
