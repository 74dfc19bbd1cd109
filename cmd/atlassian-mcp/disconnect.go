package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

func runDisconnect(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "disconnect", "[flags]", `Delete a connection's tokens and cached data, after a best-effort call to the
authorization server's revocation endpoint. Atlassian does not document
app-side revocation for OAuth 2.0 (3LO) apps: to be sure access is gone,
remove the app under Connected apps in your Atlassian account settings.`)
	sf := addStoreFlags(fs)
	timeout := fs.Duration("timeout", 15*time.Second, "time limit for the revocation call")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := sf.openStore()
	if err != nil {
		return err
	}
	name := sf.connection
	conn, sec, lerr := store.Load(name)
	if errors.Is(lerr, tokenstore.ErrNotFound) {
		return fmt.Errorf("there is no connection %q in %s; nothing to do", name, storeWhere(store))
	}

	// Revoke first: afterwards the tokens are gone.
	var revoke string
	switch {
	case lerr != nil:
		revoke = fmt.Sprintf("Not revoked: the stored tokens cannot be read (%v).", lerr)
	default:
		rctx, cancel := context.WithTimeout(ctx, *timeout)
		revoke = revokeTokens(rctx, conn, sec)
		cancel()
	}

	existed, err := store.Delete(name)
	if err != nil {
		return fmt.Errorf("deleting the connection failed: %v", err)
	}
	if !existed {
		fmt.Fprintf(s.err, "disconnect: connection %q was already deleted (by another process)\n", name)
	}
	fmt.Fprintf(s.out, "Deleted connection %q (%s) and its tokens from %s.\n", name, conn.Site.URL, storeWhere(store))
	if err := snapshotsOf(store).Delete(name); err != nil {
		fmt.Fprintf(s.out, "The cached schema could not be deleted: %v\n", err)
	} else {
		fmt.Fprintln(s.out, "Deleted the connection's cached schema.")
	}
	fmt.Fprintln(s.out, revoke)
	fmt.Fprintln(s.out, "Atlassian does not document app-side revocation for OAuth 2.0 (3LO) apps: to be sure, remove the app under Connected apps (https://id.atlassian.com/manage-profile/apps).")
	return nil
}

// revokeTokens makes a best-effort POST to <auth-url>/oauth/revoke for the
// refresh token (which takes its access tokens with it) and says honestly
// what came of it. The client authenticates like at the token endpoint.
func revokeTokens(ctx context.Context, conn tokenstore.Connection, sec tokenstore.Secrets) string {
	endpoint := strings.TrimRight(conn.AuthURL, "/") + "/oauth/revoke"
	form := url.Values{
		"token":           {sec.RefreshToken},
		"token_type_hint": {"refresh_token"},
		"client_id":       {conn.ClientID},
		"client_secret":   {sec.ClientSecret},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Sprintf("Revocation not attempted: %v.", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Sprintf("Revocation NOT confirmed: %s could not be reached (%v).", endpoint, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusOK {
		return fmt.Sprintf("Revocation requested: %s answered 200 OK.", endpoint)
	}
	return fmt.Sprintf("Revocation NOT confirmed: %s answered HTTP %d.", endpoint, resp.StatusCode)
}
