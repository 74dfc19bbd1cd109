package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// RevokeTimeout bounds the revocation call of Disconnect.
const RevokeTimeout = 15 * time.Second

// RevocationCaveat is said after every disconnect: what the revocation
// call cannot promise.
const RevocationCaveat = "Atlassian does not document app-side revocation for OAuth 2.0 (3LO) apps: to be sure, remove the app under Connected apps (https://id.atlassian.com/manage-profile/apps)."

// Disconnected says what a disconnect did.
type Disconnected struct {
	// Connection is what was deleted.
	Connection tokenstore.Connection
	// AlreadyGone is set when another process deleted it first.
	AlreadyGone bool
	// SchemaErr is why the cached schema could not be deleted ("" when it
	// was).
	SchemaErr string
	// Revocation is the honest result of the revocation request.
	Revocation string
	// Withdrawn are the tenants whose tools were withdrawn from their
	// clients (by a running Hub).
	Withdrawn []string
}

// Disconnect makes a best-effort revocation of the connection's grant,
// then deletes its tokens and its schema snapshot from snaps. It returns
// tokenstore.ErrNotFound when there is no such connection.
func Disconnect(ctx context.Context, store *tokenstore.Store, snaps schema.Snapshots, name string) (*Disconnected, error) {
	conn, sec, lerr := store.Load(name)
	if errors.Is(lerr, tokenstore.ErrNotFound) {
		return nil, lerr
	}
	res := &Disconnected{Connection: conn}
	// Revoke first: afterwards the tokens are gone.
	if lerr != nil {
		res.Revocation = fmt.Sprintf("Not revoked: the stored tokens cannot be read (%v).", lerr)
	} else {
		rctx, cancel := context.WithTimeout(ctx, RevokeTimeout)
		res.Revocation = revokeTokens(rctx, conn, sec)
		cancel()
	}
	existed, err := store.Delete(name)
	if err != nil {
		return nil, fmt.Errorf("deleting the connection failed: %v", err)
	}
	res.AlreadyGone = !existed
	if err := snaps.Delete(name); err != nil {
		res.SchemaErr = err.Error()
	}
	return res, nil
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
