package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/atlassian-mcp/atlassian-mcp/internal/clocktest"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// connectSandbox stores a connection to srv whose tokens come straight from
// the sandbox (as if connect had run), with the stored access-token expiry
// overridden by expiry when it is not zero.
func connectSandbox(t testing.TB, s *Store, srv *sandbox.Server, name string, expiry time.Time) Secrets {
	t.Helper()
	pair := srv.IssueToken()
	if expiry.IsZero() {
		expiry = pair.Expiry
	}
	c := Connection{
		Name: name, Site: Site{CloudID: srv.CloudID, Name: srv.SiteName, URL: srv.SiteURL},
		Products:    []Product{{Name: ProductJira}, {Name: ProductConfluence}},
		ConnectedBy: "admin@example.com", ConnectedAt: time.Now(),
		ClientID: srv.ClientID, AuthURL: srv.URL, APIURL: srv.URL,
	}
	sec := Secrets{ClientSecret: srv.ClientSecret, AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken, TokenType: "Bearer", Expiry: expiry}
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	return sec
}

// callMe calls the gateway's /me through the connection's HTTP client.
func callMe(ctx context.Context, s *Store, srv *sandbox.Server, name string) error {
	hc, err := s.HTTPClient(ctx, name)
	if err != nil {
		return err
	}
	resp, err := hc.Get(srv.URL + "/me")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/me: HTTP %d: %s", resp.StatusCode, body)
	}
	return nil
}

func storedSecrets(t testing.TB, s *Store, name string) (Connection, Secrets) {
	t.Helper()
	c, sec, err := s.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return c, sec
}

func TestTokenServedFromMemory(t *testing.T) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	s := openTest(t)
	sec := connectSandbox(t, s, srv, "default", time.Time{})
	ts, err := s.TokenSource(context.Background(), "default")
	if err != nil {
		t.Fatal(err)
	}
	t1, err := ts.Token()
	if err != nil || t1.AccessToken != sec.AccessToken || t1.RefreshToken != "" {
		t.Fatalf("Token = %v, %v", t1 != nil && t1.AccessToken == sec.AccessToken, err)
	}
	t2, _ := ts.Token()
	if t1 != t2 {
		t.Error("second call did not come from memory")
	}
	if again, _ := s.TokenSource(context.Background(), "default"); again != ts {
		t.Error("TokenSource is not shared per connection")
	}
	if st := srv.Stats(); st.Refreshes != 0 {
		t.Errorf("refreshes = %d, want 0", st.Refreshes)
	}
	if err := callMe(context.Background(), s, srv, "default"); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshNearExpiry(t *testing.T) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	s := openTest(t)
	old := connectSandbox(t, s, srv, "default", time.Now().Add(time.Minute)) // inside the 5-minute margin
	before, _ := storedSecrets(t, s, "default")
	ts, _ := s.TokenSource(context.Background(), "default")

	var wg sync.WaitGroup
	toks := make([]string, 50)
	errs := make([]error, 50)
	for i := range toks {
		wg.Go(func() {
			tok, err := ts.Token()
			if err == nil {
				toks[i] = tok.AccessToken
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range toks {
		if errs[i] != nil || toks[i] == old.AccessToken || toks[i] != toks[0] {
			t.Fatalf("goroutine %d: %v (same as old: %v)", i, errs[i], toks[i] == old.AccessToken)
		}
	}
	if st := srv.Stats(); st.Refreshes != 1 || st.FamilyRevocations != 0 {
		t.Fatalf("stats %+v, want exactly one refresh", st)
	}
	after, sec := storedSecrets(t, s, "default")
	if sec.AccessToken != toks[0] || sec.RefreshToken == old.RefreshToken || sec.ClientSecret != old.ClientSecret {
		t.Fatal("the new pair was not stored")
	}
	if after.Generation != before.Generation+1 || !after.TokenExpiry.After(old.Expiry) || after.Status != StatusActive {
		t.Fatalf("record after refresh: %+v", after)
	}
	if err := callMe(context.Background(), s, srv, "default"); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidGrantMarksTokenExpired(t *testing.T) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	s := openTest(t)
	old := connectSandbox(t, s, srv, "default", time.Now().Add(-time.Minute))
	srv.RevokeAll()
	ts, _ := s.TokenSource(context.Background(), "default")
	_, err := ts.Token()
	if !errors.Is(err, ErrTokenExpired) || !strings.Contains(err.Error(), "atlassian-mcp connect --connection default") {
		t.Fatalf("Token: %v", err)
	}
	if strings.Contains(err.Error(), old.RefreshToken) || strings.Contains(err.Error(), old.ClientSecret) {
		t.Fatal("error leaks a secret")
	}
	c, sec := storedSecrets(t, s, "default")
	if c.Status != StatusTokenExpired || !strings.Contains(c.StatusMessage, "invalid_grant") {
		t.Fatalf("status %q %q", c.Status, c.StatusMessage)
	}
	if sec.RefreshToken != old.RefreshToken {
		t.Error("the refresh token was dropped")
	}
	// Neither this process nor another one asks the token endpoint again.
	if _, err := ts.Token(); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("second Token: %v", err)
	}
	other, _ := Open(s.Dir(), WithKeySpec(""))
	err = callMe(context.Background(), other, srv, "default")
	if !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("other process: %v", err)
	}
	if st := srv.Stats(); st.InvalidGrants != 1 {
		t.Fatalf("invalid grants at the sandbox = %d, want 1", st.InvalidGrants)
	}
	// Reconnecting (Save) makes the connection usable again in this process.
	connectSandbox(t, s, srv, "default", time.Time{})
	if _, err := ts.Token(); err != nil {
		t.Fatalf("after reconnect: %v", err)
	}
}

func TestWrongClientSecretIsConfigError(t *testing.T) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	s := openTest(t)
	connectSandbox(t, s, srv, "default", time.Now().Add(-time.Minute))
	c, sec := storedSecrets(t, s, "default")
	sec.ClientSecret = "not-the-secret"
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	ts, _ := s.TokenSource(context.Background(), "default")
	_, err := ts.Token()
	if !errors.Is(err, ErrClientRejected) || errors.Is(err, ErrTokenExpired) || !strings.Contains(err.Error(), "client id and secret") {
		t.Fatalf("Token: %v", err)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatal("error leaks the secret")
	}
	got, _ := storedSecrets(t, s, "default")
	if got.Status != StatusError {
		t.Fatalf("status %q, want Error", got.Status)
	}
}

func TestTokenEndpointDownKeepsOldToken(t *testing.T) {
	tests := []struct {
		name  string
		fault sandbox.Fault
		opts  []Option
	}{
		{"503", sandbox.Fault{Path: "/oauth/token", Status: 503}, nil},
		{"dropped connection", sandbox.Fault{Path: "/oauth/token", DropConnection: true}, nil},
		{"timeout", sandbox.Fault{Path: "/oauth/token", Latency: 3 * time.Second}, []Option{WithRefreshTimeout(200 * time.Millisecond)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := sandbox.NewServer(sandbox.WithEmptySite())
			defer srv.Close()
			clock := clocktest.New(time.Now())
			s := openTest(t, append(tt.opts, WithClock(clock.Now))...)
			old := connectSandbox(t, s, srv, "default", clock.Now().Add(2*time.Minute)) // due, still valid
			srv.InjectFault(tt.fault)
			ts, _ := s.TokenSource(context.Background(), "default")
			tok, err := ts.Token()
			if err != nil || tok.AccessToken != old.AccessToken {
				t.Fatalf("Token while the endpoint is down: %v", err)
			}
			if err := callMe(context.Background(), s, srv, "default"); err != nil {
				t.Fatalf("the old token is not usable: %v", err)
			}
			_, sec := storedSecrets(t, s, "default")
			if sec.RefreshToken != old.RefreshToken {
				t.Fatal("refresh token changed although no refresh succeeded")
			}
			// Once the old token has expired, the failure is an error that
			// says what happened and keeps the refresh token.
			clock.Advance(3 * time.Minute)
			_, err = ts.Token()
			if err == nil || !strings.Contains(err.Error(), "refresh token is kept") {
				t.Fatalf("Token after expiry with the endpoint down: %v", err)
			}
			if errors.Is(err, ErrTokenExpired) {
				t.Fatal("a down endpoint must not mark the grant expired")
			}
			srv.ClearFaults()
			tok, err = ts.Token()
			if err != nil || tok.AccessToken == old.AccessToken {
				t.Fatalf("after recovery: %v", err)
			}
			if st := srv.Stats(); st.FamilyRevocations != 0 {
				t.Fatalf("family revoked: %+v", st)
			}
		})
	}
}

func TestRefreshResponseWithoutRefreshTokenKeepsOld(t *testing.T) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	clock := clocktest.New(time.Now())
	s := openTest(t, WithClock(clock.Now))
	old := connectSandbox(t, s, srv, "default", clock.Now().Add(-time.Minute))
	srv.InjectFault(sandbox.Fault{Path: "/oauth/token", Times: 1, Status: 200,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   `{"access_token":"at-without-rt","expires_in":3600,"token_type":"Bearer","scope":"read:me"}`})
	ts, _ := s.TokenSource(context.Background(), "default")
	tok, err := ts.Token()
	if err != nil || tok.AccessToken != "at-without-rt" {
		t.Fatalf("Token: %v", err)
	}
	_, sec := storedSecrets(t, s, "default")
	if sec.RefreshToken != old.RefreshToken || sec.AccessToken != "at-without-rt" {
		t.Fatal("the old refresh token was not kept")
	}
	clock.Advance(58 * time.Minute)
	if tok, err = ts.Token(); err != nil || tok.AccessToken == "at-without-rt" {
		t.Fatalf("refresh with the kept token: %v", err)
	}
	if st := srv.Stats(); st.Refreshes != 1 || st.FamilyRevocations != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestUnauthorizedForcesOneRefreshAndRetry(t *testing.T) {
	clock := clocktest.New(time.Now())
	srv := sandbox.NewServer(sandbox.WithClock(clock.Now))
	defer srv.Close()
	s := openTest(t, WithClock(clock.Now))
	connectSandbox(t, s, srv, "default", time.Time{})
	hc, err := s.HTTPClient(context.Background(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if err := callMe(context.Background(), s, srv, "default"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	srv.ExpireAccessTokens() // revoked early, as after a refresh elsewhere
	body := `{"jql":"project = ENG ORDER BY key","maxResults":1,"fields":["summary"]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/ex/jira/"+srv.CloudID+"/rest/api/3/search/jql", io.NopCloser(strings.NewReader(body))) // no GetBody
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		t.Fatalf("after the 401 retry: HTTP %d %s", resp.StatusCode, got)
	}
	// The sandbox saw the request twice, with the same body both times.
	var seen []sandbox.Request
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/search/jql") {
			seen = append(seen, r)
		}
	}
	if len(seen) != 2 || seen[0].Status != http.StatusUnauthorized || seen[1].Status == http.StatusUnauthorized ||
		seen[0].Body != body || seen[1].Body != body {
		t.Fatalf("requests at the sandbox: %+v", seen)
	}
	if st := srv.Stats(); st.Refreshes != 1 {
		t.Fatalf("refreshes = %d, want 1", st.Refreshes)
	}
	// A 401 right after a refresh (e.g. a missing scope) does not refresh again.
	srv.ExpireAccessTokens()
	resp, err = hc.Get(srv.URL + "/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want the API's own 401", resp.StatusCode)
	}
	if st := srv.Stats(); st.Refreshes != 1 {
		t.Fatalf("refreshes = %d, want still 1", st.Refreshes)
	}
}

func TestTransportRefusesOtherHosts(t *testing.T) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	other := sandbox.NewServer(sandbox.WithEmptySite())
	defer other.Close()
	s := openTest(t)
	connectSandbox(t, s, srv, "default", time.Time{})
	hc, _ := s.HTTPClient(context.Background(), "default")
	_, err := hc.Get(other.URL + "/me")
	if err == nil || !strings.Contains(err.Error(), "refusing to send") {
		t.Fatalf("request to an unconfigured host: %v", err)
	}
	if n := len(other.Requests()); n != 0 {
		t.Fatalf("the other host saw %d requests", n)
	}
}

func TestBusyLocks(t *testing.T) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	clock := clocktest.New(time.Now())
	s := openTest(t, WithClock(clock.Now), WithOpenTimeout(100*time.Millisecond), WithLockTimeout(100*time.Millisecond))
	old := connectSandbox(t, s, srv, "default", clock.Now().Add(2*time.Minute))

	t.Run("database held by another process", func(t *testing.T) {
		db, err := bolt.Open(s.Path(), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := s.Get("default"); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "try again") {
			t.Fatalf("Get: %v", err)
		}
	})
	t.Run("refresh lock held by another process", func(t *testing.T) {
		f, err := os.OpenFile(s.b.(*boltBackend).lockPath("default"), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if ok, err := tryLock(f); !ok || err != nil {
			t.Fatalf("tryLock: %v %v", ok, err)
		}
		defer unlockFile(f)
		ts, _ := s.TokenSource(context.Background(), "default")
		ts.reset()
		// Nothing in memory yet: the due but valid stored token is served
		// while another process holds the lock.
		if tok, err := ts.Token(); err != nil || tok.AccessToken != old.AccessToken {
			t.Fatalf("Token without memory: %v", err)
		}
		clock.Advance(3 * time.Minute) // expired now: without the lock, an error
		ts.reset()
		if _, err := ts.Token(); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "another process") {
			t.Fatalf("Token with an expired token and a held lock: %v", err)
		}
		_ = unlockFile(f)
		tok, err := ts.Token() // refreshes
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(56 * time.Minute) // due again, still valid
		if ok, _ := tryLock(f); !ok {
			t.Fatal("relock")
		}
		got, err := ts.Token()
		if err != nil || got != tok {
			t.Fatalf("with the lock held, the valid in-memory token must be served: %v", err)
		}
		if got.AccessToken == old.AccessToken {
			t.Fatal("never refreshed")
		}
	})
}
