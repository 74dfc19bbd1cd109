package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

// ErrTokenExpired means the connection's refresh token is no longer
// accepted (invalid_grant): the admin must run `atlassian-mcp connect`
// again. The tool layer matches it with errors.Is.
var ErrTokenExpired = errors.New("connection token expired")

// ErrClientRejected means the token endpoint rejected the OAuth client
// credentials (access_denied, invalid_client): a configuration error, not
// an expired grant.
var ErrClientRejected = errors.New("OAuth client credentials rejected")

// minForcedRefreshAge keeps a 401 from forcing a refresh of a token that
// was obtained moments ago: that 401 is about something else (a missing
// scope), and rotating on every such call would churn the token family.
const minForcedRefreshAge = 30 * time.Second

// errRecheck is how long a TokenSource repeats a terminal error (expired
// grant, rejected client) from memory before it re-reads the store, where a
// reconnect from another process would show up.
const errRecheck = 2 * time.Second

// refreshRetryDelay is how long a still-valid access token is served after
// a failed refresh before the next attempt.
const refreshRetryDelay = 10 * time.Second

// TokenEndpoint returns the OAuth token endpoint for an authorization
// server base URL with the client authentication pinned: the client id
// and secret go in the form body (client_secret_post), the closest match
// to the JSON body Atlassian documents. The style is never auto-detected,
// so a failing style is not silently retried with the secret elsewhere.
func TokenEndpoint(authURL string) oauth2.Endpoint {
	base := strings.TrimRight(authURL, "/")
	return oauth2.Endpoint{
		AuthURL:   base + "/authorize",
		TokenURL:  base + "/oauth/token",
		AuthStyle: oauth2.AuthStyleInParams,
	}
}

// TokenSource serves one connection's access token. It implements
// oauth2.TokenSource. Get it from Store.TokenSource: one per connection and
// Store, shared by every client of that connection in the process.
type TokenSource struct {
	s    *Store
	name string
	ctx  context.Context // lives as long as the process; refreshes derive from it

	cur  atomic.Pointer[tokenState]
	fail atomic.Pointer[failState]
	mu   sync.Mutex // one refresh per process at a time; held across the file lock
}

// tokenState is an access token in memory and when to stop serving it.
type tokenState struct {
	tok       *oauth2.Token
	refreshAt time.Time
	obtained  time.Time // when the tokens were written to the store
}

type failState struct {
	err   error
	until time.Time
}

// TokenSource returns the connection's token source. Refreshes made later
// run under ctx's values (oauth2.HTTPClient among them) but not its
// cancellation, so a request-scoped ctx is safe: each refresh is bounded
// by the refresh timeout and the lock wait by the lock timeout instead.
// The same *TokenSource is returned for the same name, for the life of the
// Store, so every client of a connection in the process shares one
// refresher (one consent is one token family for Jira and Confluence).
func (s *Store) TokenSource(ctx context.Context, name string) (*TokenSource, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	s.srcMu.Lock()
	defer s.srcMu.Unlock()
	if ts, ok := s.sources[name]; ok {
		return ts, nil
	}
	ts := &TokenSource{s: s, name: name, ctx: context.WithoutCancel(ctx)}
	s.sources[name] = ts
	return ts, nil
}

// Name returns the connection's name.
func (ts *TokenSource) Name() string { return ts.name }

// reset drops the in-memory token so the next call re-reads the store.
func (ts *TokenSource) reset() {
	ts.cur.Store(nil)
	ts.fail.Store(nil)
}

// Token returns a valid access token. While the token in memory is more
// than the refresh margin from expiry it is returned without I/O, locks or
// allocation. Otherwise one goroutine in one process refreshes it (see the
// package doc) and everyone else picks up the result. The token returned
// carries no refresh token and must not be modified.
func (ts *TokenSource) Token() (*oauth2.Token, error) {
	if st := ts.cur.Load(); st != nil && ts.s.now().Before(st.refreshAt) {
		return st.tok, nil
	}
	return ts.slow(nil)
}

// Invalidate is called after the API answered 401 to bad. It returns the
// token to retry with: a newer one another goroutine or process already
// wrote, or a freshly refreshed one. When bad was obtained moments ago it
// returns bad itself (the 401 is not about expiry) and no refresh happens.
func (ts *TokenSource) Invalidate(bad *oauth2.Token) (*oauth2.Token, error) {
	return ts.slow(bad)
}

// slow is the locked path: re-check memory, take the connection's file
// lock, re-read the store and refresh only if the stored token needs it.
func (ts *TokenSource) slow(bad *oauth2.Token) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.s.now()
	st := ts.cur.Load()
	if st != nil && now.Before(st.refreshAt) && (bad == nil || st.tok.AccessToken != bad.AccessToken) {
		return st.tok, nil // another goroutine refreshed while we waited
	}
	if f := ts.fail.Load(); f != nil && now.Before(f.until) {
		return nil, f.err
	}
	tok, err := ts.lockedRefresh(bad, st)
	if err != nil {
		if errors.Is(err, ErrTokenExpired) || errors.Is(err, ErrClientRejected) || errors.Is(err, ErrNotFound) {
			ts.fail.Store(&failState{err: err, until: now.Add(errRecheck)})
		}
		return nil, err
	}
	ts.fail.Store(nil)
	return tok, nil
}

// adoptUntil puts a token in memory; a non-zero retryAt is an earlier time to try refreshing again (after a
// failed refresh, so a down token endpoint is not hit on every call).
func (ts *TokenSource) adoptUntil(sec Secrets, obtained, retryAt time.Time) *oauth2.Token {
	typ := sec.TokenType
	if typ == "" {
		typ = "Bearer"
	}
	tok := &oauth2.Token{AccessToken: sec.AccessToken, TokenType: typ, Expiry: sec.Expiry}
	refreshAt := sec.Expiry.Add(-ts.s.margin)
	if sec.Expiry.IsZero() {
		refreshAt = time.Unix(1<<62, 0) // no expiry given: only a 401 refreshes
	}
	if !retryAt.IsZero() {
		refreshAt = retryAt
		if !sec.Expiry.IsZero() && sec.Expiry.Before(refreshAt) {
			refreshAt = sec.Expiry
		}
	}
	ts.cur.Store(&tokenState{tok: tok, refreshAt: refreshAt, obtained: obtained})
	return tok
}

// stillValid returns the in-memory token when it has not actually expired
// yet: what a failed or timed-out refresh falls back to.
func (ts *TokenSource) stillValid(st *tokenState, now time.Time) *oauth2.Token {
	if st != nil && (st.tok.Expiry.IsZero() || now.Before(st.tok.Expiry)) {
		return st.tok
	}
	return nil
}

// outcome is what a refresh decided under the lock; it is acted on only
// after the lock's transaction committed, so nothing unwritten is used.
type outcome struct {
	sec      Secrets
	obtained time.Time
	retryAt  time.Time // zero: the usual refresh margin
	use      bool      // adopt sec
	err      error
	refresh  string // "" no exchange; "ok" or a failure reason
}

func (ts *TokenSource) lockedRefresh(bad *oauth2.Token, st *tokenState) (*oauth2.Token, error) {
	var (
		out     outcome
		entered bool
	)
	err := ts.s.b.Locked(ts.ctx, ts.name, ts.s.lockTimeout, func(tx Tx) error {
		entered = true
		out = outcome{}
		var err error
		out, err = ts.refreshLocked(tx, bad)
		return err
	})
	if err != nil && !entered {
		ts.s.refreshFailed("lock")
		now := ts.s.now()
		if tok := ts.stillValid(st, now); tok != nil && bad == nil {
			ts.s.log.Warn("refresh lock not available; keeping the current access token", "connection", ts.name, "err", err)
			return tok, nil
		}
		// Nothing usable in memory: a stored token that has not expired
		// yet is still good while another process holds the lock.
		if c, sec, lerr := ts.s.Load(ts.name); lerr == nil && bad == nil && c.Status != StatusTokenExpired &&
			(sec.Expiry.IsZero() || now.Before(sec.Expiry)) {
			return ts.adoptUntil(sec, c.RefreshedAt, now.Add(refreshRetryDelay)), nil
		}
		ts.s.log.Warn("token refresh failed: the refresh lock is not available", "connection", ts.name, "err", err)
		return nil, err
	}
	if err != nil {
		if out.refresh == "ok" {
			// Exchanged, but the new pair is not durable, so it is not
			// used: the stored (previous) refresh token is still within
			// the reuse interval for the next attempt.
			ts.s.refreshFailed("store")
			ts.s.log.Warn("token refresh failed: the new tokens could not be stored", "connection", ts.name, "err", err)
			return nil, fmt.Errorf("connection %q: refreshed, but could not store the new tokens: %w", ts.name, err)
		}
		return nil, err
	}
	switch out.refresh {
	case "":
	case "ok":
		ts.s.refreshed()
		ts.s.log.Info("refreshed access token", "connection", ts.name, "expiry", out.sec.Expiry)
	default:
		ts.s.refreshFailed(out.refresh)
		if out.err != nil {
			ts.s.log.Warn("token refresh failed", "connection", ts.name, "reason", out.refresh, "err", out.err)
		}
	}
	if !out.use {
		if out.refresh == "invalid_grant" {
			ts.cur.Store(nil)
		}
		return nil, out.err
	}
	return ts.adoptUntil(out.sec, out.obtained, out.retryAt), nil
}

// refreshLocked runs under the connection's refresh lock: it re-reads the
// connection (another process may have refreshed already), exchanges the
// refresh token only when the stored token still needs it, and writes the
// new pair through tx.
func (ts *TokenSource) refreshLocked(tx Tx, bad *oauth2.Token) (outcome, error) {
	var (
		c   Connection
		sec Secrets
	)
	err := ts.s.retryKeys(func() (err error) {
		c, sec, err = ts.s.loadTx(tx, ts.name)
		return err
	})
	if err != nil {
		return outcome{err: err}, nil
	}
	now := ts.s.now()
	switch c.Status {
	case StatusTokenExpired:
		return outcome{err: ts.expiredErr(c.StatusMessage)}, nil
	case StatusError:
		if strings.HasPrefix(c.StatusMessage, clientRejectedPrefix) {
			return outcome{err: fmt.Errorf("connection %q: %w: %s", ts.name, ErrClientRejected, c.StatusMessage)}, nil
		}
	}
	fresh := sec.Expiry.IsZero() || now.Before(sec.Expiry.Add(-ts.s.margin))
	if fresh && (bad == nil || sec.AccessToken != bad.AccessToken) {
		return outcome{sec: sec, obtained: c.RefreshedAt, use: true}, nil
	}
	if bad != nil && fresh && now.Sub(c.RefreshedAt) < minForcedRefreshAge {
		return outcome{sec: sec, obtained: c.RefreshedAt, use: true}, nil
	}

	// This process won: exchange the refresh token read under the lock.
	asked := ts.s.now()
	newTok, err := ts.exchange(c, sec)
	if err != nil {
		return ts.exchangeFailed(tx, c, sec, bad, err), nil
	}
	next := sec
	next.AccessToken = newTok.AccessToken
	next.TokenType = newTok.TokenType
	next.Expiry = newTok.Expiry
	if newTok.ExpiresIn > 0 { // by the store's clock, counted from the request
		next.Expiry = asked.Add(time.Duration(newTok.ExpiresIn) * time.Second)
	}
	if newTok.RefreshToken != "" {
		next.RefreshToken = newTok.RefreshToken
	} // else keep the old refresh token: Atlassian sometimes omits it
	obtained := ts.s.now()
	out := outcome{sec: next, obtained: obtained, use: true, refresh: "ok"}
	return out, ts.s.storeRefreshed(tx, ts.name, sec.RefreshToken, next, obtained)
}

const clientRejectedPrefix = "The token endpoint rejected the OAuth client"

func (ts *TokenSource) expiredErr(msg string) error {
	if msg == "" {
		msg = "the refresh token is no longer accepted"
	}
	return fmt.Errorf("connection %q: %w: %s; run `atlassian-mcp connect --connection %s` to connect again", ts.name, ErrTokenExpired, msg, ts.name)
}

// exchange runs one refresh-token grant at the token endpoint.
func (ts *TokenSource) exchange(c Connection, sec Secrets) (*oauth2.Token, error) {
	cfg := &oauth2.Config{ClientID: c.ClientID, ClientSecret: sec.ClientSecret, Endpoint: TokenEndpoint(c.AuthURL)}
	ctx, cancel := context.WithTimeout(ts.ctx, ts.s.refreshTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, ts.s.tokenHTTP)
	// An expired token with only the refresh token makes the source refresh.
	tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: sec.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if hook := testHookAfterExchange; hook != nil && err == nil {
		hook(ts.name)
	}
	if hook := ts.s.afterExchange; hook != nil && err == nil {
		hook(ts.name)
	}
	return tok, err
}

// testHookAfterExchange runs after the token endpoint answered a refresh
// and before the new pair is written (tests use it to kill a process in
// the middle of a refresh).
var testHookAfterExchange func(name string)

// exchangeFailed classifies a failed exchange: an expired grant or a
// rejected client is recorded on the connection (through tx, under the
// lock); anything else (network, timeout, 5xx) leaves everything as it was
// and falls back to the current access token while it is valid.
func (ts *TokenSource) exchangeFailed(tx Tx, c Connection, sec Secrets, bad *oauth2.Token, err error) outcome {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := 0
		if re.Response != nil {
			code = re.Response.StatusCode
		}
		desc := re.ErrorDescription
		switch {
		case re.ErrorCode == "invalid_grant":
			msg := "the refresh token is no longer accepted (invalid_grant"
			if desc != "" {
				msg += ": " + desc
			}
			msg += "); access was revoked, permissions changed, or the grant expired"
			if serr := ts.s.setStatusTx(tx, ts.name, StatusTokenExpired, msg); serr != nil {
				ts.s.log.Warn("could not record the expired grant", "connection", ts.name, "err", serr)
			}
			return outcome{err: ts.expiredErr(msg), refresh: "invalid_grant"}
		case re.ErrorCode == "access_denied" || re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client" || code == http.StatusUnauthorized:
			msg := fmt.Sprintf("%s (%s, HTTP %d); check the OAuth app's client id and secret in the developer console and run `atlassian-mcp connect --connection %s` with the right ones",
				clientRejectedPrefix, firstNonEmpty(re.ErrorCode, "unauthorized"), code, ts.name)
			if serr := ts.s.setStatusTx(tx, ts.name, StatusError, msg); serr != nil {
				ts.s.log.Warn("could not record the rejected client", "connection", ts.name, "err", serr)
			}
			return outcome{err: fmt.Errorf("connection %q: %w: %s", ts.name, ErrClientRejected, msg), refresh: "client_rejected"}
		}
		err = fmt.Errorf("token endpoint answered HTTP %d %s", code, firstNonEmpty(re.ErrorCode, ""))
	}
	err = fmt.Errorf("connection %q: refreshing the access token failed (the stored refresh token is kept; try again): %w", ts.name, redactErr(err))
	now := ts.s.now()
	if bad == nil && (sec.Expiry.IsZero() || now.Before(sec.Expiry)) {
		// The stored token is the one in memory (or newer): keep using it
		// until it expires, and try to refresh again a little later.
		ts.s.log.Warn("refresh failed; keeping the current access token", "connection", ts.name, "err", err)
		return outcome{sec: sec, obtained: c.RefreshedAt, retryAt: now.Add(refreshRetryDelay), use: true, refresh: "endpoint"}
	}
	return outcome{err: err, refresh: "endpoint"}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// redactErr keeps only the error text that cannot carry a token: the
// oauth2 package's errors quote response bodies.
func redactErr(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return fmt.Errorf("token endpoint error %q", re.ErrorCode)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("timed out: %w", context.DeadlineExceeded)
	}
	return err
}

// storeRefreshed writes a refreshed token pair through the locked tx,
// checking that the stored refresh token is still the one that was
// exchanged (nothing else may write it while the connection lock is held;
// the check guards against a reconnect that replaced the record meanwhile).
func (s *Store) storeRefreshed(tx Tx, name, usedRT string, next Secrets, at time.Time) error {
	k, err := s.keyring(false)
	if err != nil {
		return err
	}
	r, err := s.getRecord(tx, name)
	if err != nil {
		return err
	}
	cur, err := s.openSecrets(tx, k, r)
	if err != nil {
		return err
	}
	if cur.RefreshToken != usedRT {
		return errors.New("the connection was replaced while refreshing")
	}
	r.TokenExpiry, r.RefreshedAt = next.Expiry, at
	r.Status, r.StatusMessage = StatusActive, ""
	r.Generation++
	if err := s.sealSecrets(tx, k, r, next); err != nil {
		return err
	}
	return tx.Put(r)
}
