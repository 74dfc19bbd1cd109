package connect

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/internal/loopback"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Terminal is how Run talks to the admin at a terminal.
type Terminal struct {
	// In carries a pasted redirect URL and the answer to "which site?";
	// nil reads nothing.
	In io.Reader
	// Prompts receives instructions, prompts and warnings (stderr for the
	// CLI: in stdio serving mode stdout is the protocol's).
	Prompts io.Writer
	// Browse opens the consent page (OpenBrowser, or a test playing the
	// browser). nil prints the URL for the admin to open elsewhere and
	// accepts the redirected URL pasted on In (--no-browser).
	Browse func(url string) error
	// Site names the site to use when the grant covers several (--site):
	// its name, URL or cloud id. Empty asks on In when there are several.
	Site string
	// Timeout bounds the wait for consent; 0 means 10 minutes.
	Timeout time.Duration
}

// Run runs the whole flow at a terminal and stores connection name: it
// listens for the callback on the redirect URI when that is a loopback
// address, opens the browser (or prints the URL), accepts the callback or a
// pasted redirect URL, whichever comes first, asks which site when the grant
// covers several, and saves. Nothing is stored on any error.
func Run(ctx context.Context, store *tokenstore.Store, name string, o Options, t Terminal) (*Result, error) {
	f, err := Begin(o)
	if err != nil {
		return nil, err
	}
	prompts := t.Prompts
	if prompts == nil {
		prompts = io.Discard
	}
	redirect := f.redirect
	listen := loopback.Host(redirect.Hostname())
	if !listen && t.Browse != nil {
		return nil, fmt.Errorf("--redirect-uri host %q is not a loopback address, so connect cannot receive the callback; use a http://localhost:PORT/... callback, or --no-browser and paste the redirected URL", redirect.Hostname())
	}
	if listen && redirect.Scheme != "http" {
		return nil, fmt.Errorf("--redirect-uri %q: the loopback listener speaks plain http; register http://%s%s", o.RedirectURI, redirect.Host, redirect.Path)
	}
	timeout := t.Timeout
	if timeout == 0 {
		timeout = 10 * time.Minute
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	results := make(chan Callback, 4)
	if listen {
		stop, err := listenCallback(waitCtx, redirect, f.state, results)
		if err != nil {
			return nil, err
		}
		defer stop()
	}
	lines := readLines(t.In)
	authorize := f.AuthorizeURL()
	if t.Browse == nil {
		fmt.Fprintf(prompts, "Open this URL in a browser signed in to Atlassian as a site admin:\n\n  %s\n\n", authorize)
		if listen {
			fmt.Fprintf(prompts, "Waiting for the callback on %s, or paste the URL the browser was redirected to:\n", o.RedirectURI)
		} else {
			fmt.Fprintln(prompts, "Then paste the URL the browser was redirected to:")
		}
	} else {
		fmt.Fprintf(prompts, "Opening the consent page in your browser. If it does not open, visit:\n\n  %s\n\nWaiting for the callback on %s (or paste the redirected URL here)...\n", authorize, o.RedirectURI)
		if err := t.Browse(authorize); err != nil {
			fmt.Fprintf(prompts, "(could not start a browser: %v)\n", err)
		}
	}

	code, err := waitForCode(waitCtx, prompts, f, results, lines)
	if err != nil {
		return nil, err
	}
	g, err := f.Exchange(ctx, code)
	if err != nil {
		return nil, err
	}
	site, err := askSite(prompts, g.Sites, t.Site, lines)
	if err != nil {
		return nil, err
	}
	res, err := f.Save(ctx, store, name, g, site)
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(prompts, "warning: %s\n", w)
	}
	return res, nil
}

// listenCallback serves the redirect URI's path on its loopback address
// until stop is called, sending each well-formed callback to results. The
// page shown in the browser says whether the callback belongs to this run.
func listenCallback(ctx context.Context, redirect *url.URL, state string, results chan<- Callback) (stop func(), err error) {
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
		res := CallbackFromQuery(r.URL.Query(), "callback")
		if res.Code == "" && res.Error == "" {
			http.Error(w, "This callback has neither a code nor an error.", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		switch {
		case res.State != state:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "<!doctype html><title>atlassian-mcp</title><h1>Not connected</h1><p>This callback does not belong to the running connect (its state does not match). Return to the terminal.</p>")
		case res.Error != "":
			fmt.Fprintf(w, "<!doctype html><title>atlassian-mcp</title><h1>Not connected</h1><p>%s</p><p>Return to the terminal.</p>", html.EscapeString(res.Error+": "+res.ErrorDesc))
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

// readLines delivers r's lines on a channel that is closed at EOF. One
// reader serves both the pasted URL and the site choice.
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
func waitForCode(ctx context.Context, prompts io.Writer, f *Flow, results <-chan Callback, lines <-chan string) (string, error) {
	for {
		var res Callback
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
			r, err := ParsePasted(line, f.redirect)
			if err != nil {
				fmt.Fprintf(prompts, "%v; paste the whole address from the browser's address bar\n", err)
				continue
			}
			res = r
		}
		code, err := f.Code(res)
		if errors.Is(err, ErrConsentDenied) {
			return "", fmt.Errorf("%w. Run connect again and choose Accept", err)
		}
		return code, err
	}
}

// ParsePasted reads a pasted redirect URL (or just its query string) that
// must be the callback redirect and carry a code or an error.
func ParsePasted(line string, redirect *url.URL) (Callback, error) {
	u, err := url.Parse(line)
	if err != nil {
		return Callback{}, errors.New("that is not a URL")
	}
	if u.Scheme != "" || u.Host != "" {
		if !strings.EqualFold(u.Host, redirect.Host) || u.Path != redirect.Path {
			return Callback{}, fmt.Errorf("that URL is not the callback %s%s", redirect.Host, redirect.Path)
		}
	}
	q := u.Query()
	if u.Scheme == "" && u.Host == "" && u.RawQuery == "" {
		q, _ = url.ParseQuery(strings.TrimPrefix(line, "?"))
	}
	res := CallbackFromQuery(q, "pasted URL")
	if res.Code == "" && res.Error == "" {
		return Callback{}, errors.New("that URL has no code or error parameter")
	}
	return res, nil
}

// askSite picks the site: want when given, the only one, or the answer to
// a numbered prompt.
func askSite(prompts io.Writer, resources []atlassian.Resource, want string, lines <-chan string) (atlassian.Resource, error) {
	site, err := ChooseSite(resources, want)
	if !errors.Is(err, ErrSeveralSites) {
		return site, err
	}
	sites := usable(resources)
	fmt.Fprintf(prompts, "The grant covers %d sites:%s\nWhich one should this connection use? [1-%d]: ", len(sites), SiteList(sites), len(sites))
	for line := range lines {
		n, err := strconv.Atoi(line)
		if err == nil && n >= 1 && n <= len(sites) {
			return sites[n-1], nil
		}
		fmt.Fprintf(prompts, "Enter a number from 1 to %d: ", len(sites))
	}
	return atlassian.Resource{}, err
}
