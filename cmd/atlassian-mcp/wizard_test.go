package main

import (
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/connect"
)

// TestConsoleConnector: serve --http gives the console's wizard the OAuth
// app connect uses (ATLASSIAN_CLIENT_ID and ATLASSIAN_CLIENT_SECRET), or,
// without one, the text saying what to set.
func TestConsoleConnector(t *testing.T) {
	o := &serveOptions{store: &storeFlags{}}
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name, id, secret string
		configured       bool
	}{
		{"none", "", "", false},
		{"id only", "app-id", "", false},
		{"both", "app-id", "app-secret", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envClientID, tt.id)
			t.Setenv(envClientSecret, tt.secret)
			c, setup := o.connector(nil, logger)
			if !tt.configured {
				if c != nil || !strings.Contains(setup, envClientID) || !strings.Contains(setup, envClientSecret) || !strings.Contains(setup, "callback URL") {
					t.Fatalf("connector = %v, setup %q", c, setup)
				}
				return
			}
			if c == nil || setup != "" {
				t.Fatalf("connector = %v, setup %q", c, setup)
			}
			cb := "https://mcp.example.com/admin/connect/callback"
			flow, err := c.Start(cb)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(flow.URL())
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if got := u.Scheme + "://" + u.Host; got != connect.DefaultAuthURL {
				t.Errorf("consent at %s, want %s", got, connect.DefaultAuthURL)
			}
			for k, want := range map[string]string{
				"client_id": tt.id, "redirect_uri": cb, "state": flow.State(), "code_challenge_method": "S256",
				"audience": "api.atlassian.com", "prompt": "consent", "response_type": "code",
			} {
				if q.Get(k) != want {
					t.Errorf("%s = %q, want %q", k, q.Get(k), want)
				}
			}
			if q.Get("code_challenge") == "" || strings.Contains(flow.URL(), tt.secret) {
				t.Errorf("consent URL %s: no PKCE challenge, or the secret", flow.URL())
			}
			// A callback with another state is refused before any exchange.
			if _, err := flow.Finish(t.Context(), url.Values{"state": {"other"}, "code": {"x"}}); err == nil || !strings.Contains(err.Error(), "state") {
				t.Errorf("a foreign state: %v", err)
			}
		})
	}
}
