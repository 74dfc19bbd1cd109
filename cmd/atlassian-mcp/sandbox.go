package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/loopback"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runSandbox(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "sandbox", "[flags]", "Run a local, seeded Atlassian Cloud stand-in (OAuth 3LO server, gateway, Jira, Confluence)\nuntil interrupted, and print its URLs, credentials and a curl walk-through.")
	listen := fs.String("listen", "127.0.0.1:8990", "`address` to listen on (loopback only unless --allow-remote)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --listen address")
	autoApprove := fs.Bool("auto-approve", false, "skip the consent page: /authorize redirects with a code at once")
	tokenTTL := fs.Duration("token-ttl", time.Hour, "access token lifetime (expires_in)")
	reuse := fs.Duration("reuse-interval", 10*time.Minute, "rotating refresh token reuse interval")
	noLimits := fs.Bool("no-rate-limits", false, "turn the burst and per-issue write limiters off")
	latency := fs.Duration("latency", 0, "latency added to every API request")
	products := fs.String("products", "jira,confluence", "products the site has: jira, confluence or both")
	sites := fs.Int("sites", 1, fmt.Sprintf("how many sites the grant covers (1-%d): the demo site, then small lab sites with their own cloud ids and data", sandbox.MaxSites))
	var redirects stringList
	fs.Var(&redirects, "redirect-uri", "extra registered OAuth redirect `URI` (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := checkListen(*listen, *allowRemote); err != nil {
		return usage(err)
	}
	prods, err := parseProducts(*products)
	if err != nil {
		return usage(err)
	}
	if *sites < 1 || *sites > sandbox.MaxSites {
		return usagef("--sites %d: want 1 to %d", *sites, sandbox.MaxSites)
	}
	if *tokenTTL < time.Second || *reuse < 0 || *latency < 0 {
		return usage(errors.New("--token-ttl must be at least 1s; --reuse-interval and --latency must not be negative"))
	}
	opts := []sandbox.Option{
		sandbox.WithAddr(*listen),
		sandbox.WithProducts(prods...),
		sandbox.WithAccessTokenTTL(*tokenTTL),
		sandbox.WithReuseInterval(*reuse),
		sandbox.WithLatency(*latency),
		sandbox.WithSites(*sites),
	}
	if *autoApprove {
		opts = append(opts, sandbox.WithAutoApprove())
	}
	if *noLimits {
		opts = append(opts, sandbox.WithoutRateLimits())
	}
	for _, u := range redirects {
		opts = append(opts, sandbox.WithRedirectURI(u))
	}
	srv, err := sandbox.Start(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprint(s.out, srv.Walkthrough())
	// The way to keep state across 'call's: one connection to this site.
	fmt.Fprintf(s.out, "\nConnect atlassian-mcp to this site (its state lasts as long as this process runs):\n"+
		"  atlassian-mcp connect --connection sandbox --auth-url %s --api-url %s --client-id %s --client-secret %s\n"+
		"then: atlassian-mcp call --connection sandbox TOOL '{...}' (or serve --connection sandbox)\n",
		srv.URL, srv.URL, srv.ClientID, srv.ClientSecret)
	if sites := srv.Sites(); len(sites) > 1 {
		fmt.Fprintf(s.out, "The grant covers %d sites: add --site %s (or --site %s, ...) to choose, or answer connect's question.\n",
			len(sites), sites[0].SiteName, sites[1].SiteName)
	}
	fmt.Fprintln(s.err, "\nSandbox running; press Ctrl-C to stop.")
	<-ctx.Done()
	fmt.Fprintln(s.err, "Sandbox stopped.")
	return nil
}

// checkListen refuses listen addresses that are not loopback unless remote
// access was asked for: the sandbox has a fixed, printed client secret.
func checkListen(addr string, allowRemote bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", addr, err)
	}
	if port == "" {
		return fmt.Errorf("--listen %q: missing port", addr)
	}
	if allowRemote || loopback.Host(host) {
		return nil
	}
	return fmt.Errorf("--listen %q is not a loopback address; the sandbox's credentials are public, so pass --allow-remote to expose it", addr)
}

// parseProducts reads --products.
func parseProducts(v string) ([]sandbox.Product, error) {
	var out []sandbox.Product
	for _, p := range strings.Split(v, ",") {
		switch strings.TrimSpace(strings.ToLower(p)) {
		case "jira":
			out = append(out, sandbox.Jira)
		case "confluence":
			out = append(out, sandbox.Confluence)
		case "":
		default:
			return nil, fmt.Errorf("--products: unknown product %q (want jira, confluence)", p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--products: name at least one of jira, confluence")
	}
	return out, nil
}

var _ flag.Value = (*stringList)(nil)
