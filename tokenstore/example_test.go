package tokenstore_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// A connection is saved once (by `atlassian-mcp connect`) and read back by
// any process that shares the data directory and the key.
func ExampleStore_Save() {
	dir, _ := os.MkdirTemp("", "tokenstore-example")
	defer os.RemoveAll(dir)
	store, err := tokenstore.Open(filepath.Join(dir, "data"), tokenstore.WithKeySpec("")) // key file, created on first Save
	if err != nil {
		log.Fatal(err)
	}
	conn := tokenstore.Connection{
		Name:     tokenstore.DefaultConnection,
		Site:     tokenstore.Site{CloudID: "4f8e2a1c", Name: "acme", URL: "https://acme.atlassian.net"},
		Products: []tokenstore.Product{{Name: tokenstore.ProductJira, Scopes: []string{"read:jira-work"}}},
		ClientID: "client-id", AuthURL: "https://auth.atlassian.com", APIURL: "https://api.atlassian.com",
	}
	secrets := tokenstore.Secrets{ClientSecret: "client-secret", AccessToken: "access", RefreshToken: "refresh", Expiry: time.Now().Add(time.Hour)}
	if err := store.Save(conn, secrets); err != nil {
		log.Fatal(err)
	}
	got, err := store.Get("default") // no decryption needed for the public part
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Site.Name, got.Status, got.HasProduct(tokenstore.ProductJira), got.HasProduct(tokenstore.ProductConfluence))
	_, err = store.Get("other")
	fmt.Println(errors.Is(err, tokenstore.ErrNotFound))
	// Output:
	// acme Active true false
	// true
}

// HTTPClient is what REST clients use: it attaches the access token,
// refreshes it when due (once across all processes), and retries a 401 once.
func ExampleStore_HTTPClient() {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "tokenstore-example")
	defer os.RemoveAll(dir)
	store, _ := tokenstore.Open(dir, tokenstore.WithKeySpec(""))

	pair := srv.IssueToken() // what the consent flow would return
	_ = store.Save(tokenstore.Connection{
		Name: "default", ClientID: srv.ClientID, AuthURL: srv.URL, APIURL: srv.URL,
	}, tokenstore.Secrets{
		ClientSecret: srv.ClientSecret, AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken,
		Expiry: time.Now().Add(-time.Minute), // already expired: the first call refreshes
	})

	// The context lives as long as the client: later refreshes run under it.
	hc, err := store.HTTPClient(context.Background(), "default")
	if err != nil {
		log.Fatal(err)
	}
	resp, err := hc.Get(srv.URL + "/me")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, "refreshes:", srv.Stats().Refreshes)
	// Output: 200 OK refreshes: 1
}

// The tool layer recognises a connection that needs `atlassian-mcp connect`.
func ExampleErrTokenExpired() {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "tokenstore-example")
	defer os.RemoveAll(dir)
	store, _ := tokenstore.Open(dir, tokenstore.WithKeySpec(""))
	pair := srv.IssueToken()
	_ = store.Save(tokenstore.Connection{Name: "default", ClientID: srv.ClientID, AuthURL: srv.URL, APIURL: srv.URL},
		tokenstore.Secrets{ClientSecret: srv.ClientSecret, AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken, Expiry: time.Now()})
	srv.RevokeAll() // the user removed the app under Connected apps

	ts, _ := store.TokenSource(context.Background(), "default")
	_, err := ts.Token()
	fmt.Println(errors.Is(err, tokenstore.ErrTokenExpired))
	c, _ := store.Get("default")
	fmt.Println(c.Status)
	// Output:
	// true
	// Token Expired
}

// Keys rotate by version: the highest version seals, every listed version
// opens.
func ExampleParseKeyring() {
	k, err := tokenstore.ParseKeyring(tokenstore.KeyEnv,
		"2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=,1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.Current(), k.Versions())
	// Output: 2 [1 2]
}
