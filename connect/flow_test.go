package connect_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/connect"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// callbackOf follows the (auto-approved) authorization up to the redirect
// to the callback, as the admin's browser would, and returns its query.
func callbackOf(t *testing.T, authorize string) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: HTTP %d, want a redirect", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query()
}

// TestFlowStepByStep runs the flow the way the admin console does (its own
// callback handler, no terminal) against the sandbox and checks what was
// stored.
func TestFlowStepByStep(t *testing.T) {
	sb := sandbox.NewServer(sandbox.WithAutoApprove(), sandbox.WithoutRateLimits())
	t.Cleanup(sb.Close)
	const redirect = "https://console.example/oauth/callback"
	sb.RegisterRedirectURI(redirect)
	t.Setenv(tokenstore.KeyEnv, "")
	store, err := tokenstore.Open(filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f, err := connect.Begin(connect.Options{
		ClientID: sb.ClientID, ClientSecret: sb.ClientSecret,
		AuthURL: sb.URL, APIURL: sb.URL, RedirectURI: redirect,
	})
	if err != nil {
		t.Fatal(err)
	}
	q := callbackOf(t, f.AuthorizeURL())

	// A callback with another run's state is refused before any exchange.
	forged := connect.CallbackFromQuery(q, "callback")
	forged.State = "forged"
	if _, err := f.Code(forged); err == nil || !strings.Contains(err.Error(), "state does not match") {
		t.Fatalf("forged state: %v", err)
	}

	// A denied consent is ErrConsentDenied, without the CLI's or the
	// console's advice, which each front end adds in its own words.
	denied := connect.CallbackFromQuery(url.Values{"state": {f.State()}, "error": {"access_denied"}}, "callback")
	if _, err := f.Code(denied); !errors.Is(err, connect.ErrConsentDenied) || strings.Contains(err.Error(), "Run connect") {
		t.Fatalf("denied consent: %v", err)
	}

	code, err := f.Code(connect.CallbackFromQuery(q, "callback"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.Exchange(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	site, err := connect.ChooseSite(g.Sites, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Save(ctx, store, "console", g, site)
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.Get("console")
	if err != nil {
		t.Fatal(err)
	}
	if got.Site.CloudID != sb.CloudID || got.APIURL != sb.URL || len(got.Products) != 2 || got.ConnectedBy == "" {
		t.Fatalf("stored %+v", got)
	}
	if res.Connection.Site != got.Site || len(res.Warnings) != 0 {
		t.Fatalf("result %+v, warnings %v", res.Connection, res.Warnings)
	}
	// The code was spent: exchanging it again fails and says so.
	if _, err := f.Exchange(ctx, code); err == nil || !strings.Contains(err.Error(), "already used") {
		t.Fatalf("second exchange: %v", err)
	}
}

func TestBeginChecksOptions(t *testing.T) {
	ok := connect.Options{ClientID: "id", ClientSecret: "s", RedirectURI: "http://localhost:1/cb"}
	tests := []struct {
		name string
		edit func(*connect.Options)
		want string
	}{
		{"no secret", func(o *connect.Options) { o.ClientSecret = "" }, "client id and secret are required"},
		{"ftp auth URL", func(o *connect.Options) { o.AuthURL = "ftp://x" }, "auth URL"},
		{"API URL with a query", func(o *connect.Options) { o.APIURL = "https://api.example/?x=1" }, "API URL"},
		{"redirect without a host", func(o *connect.Options) { o.RedirectURI = "http:///cb" }, "--redirect-uri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			if _, err := connect.Begin(o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Begin = %v, want an error with %q", err, tt.want)
			}
		})
	}
	f, err := connect.Begin(ok)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(f.AuthorizeURL())
	q := u.Query()
	if u.Host != "auth.atlassian.com" || q.Get("state") != f.State() || q.Get("code_challenge_method") != "S256" || q.Get("audience") != "api.atlassian.com" {
		t.Fatalf("authorize URL %s", u)
	}
	if _, err := connect.ChooseSite(nil, ""); err == nil || errors.Is(err, connect.ErrSeveralSites) || !strings.Contains(err.Error(), "no Jira or Confluence site") {
		t.Fatalf("ChooseSite with no site: %v", err)
	}
}
