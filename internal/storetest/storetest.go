// Package storetest is the conformance suite every store backend passes:
// the bbolt data directory and PostgreSQL run the same table of tests
// through the public tokenstore and schema APIs, against the sandbox over
// real HTTP.
package storetest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
	"github.com/atlassian-mcp/atlassian-mcp/internal/clocktest"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/schema"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// Key is the encryption key (KeyEnv syntax) every Env opens stores with
// unless a test passes another WithKeySpec.
var Key = "1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))

// Env is one empty place where records live, shared by every Store opened
// on it (as several processes or replicas share a data directory or a
// database).
type Env struct {
	// Open returns another Store over the place, keyed with Key; opts come
	// after that default, so WithKeySpec overrides it.
	Open func(t testing.TB, opts ...tokenstore.Option) *tokenstore.Store
	// Snapshots returns the schema snapshots kept in the same place.
	Snapshots func(t testing.TB) schema.Snapshots
	// Interleavings is how many random interleavings (seeds) of 80 steps
	// NoInterleavingRevokesTheFamily runs; 0 means 2. A fast backend runs
	// more.
	Interleavings int
}

// Run runs the suite; newEnv returns a fresh, empty Env for each test.
func Run(t *testing.T, newEnv func(t testing.TB) Env) {
	tests := []struct {
		name string
		fn   func(t *testing.T, env Env)
	}{
		{"SaveGetLoadListDelete", testSaveLoad},
		{"Empty", testEmpty},
		{"WrongKey", testWrongKey},
		{"ReencryptWithNewKeyVersion", testReencrypt},
		{"RefreshOnceAcrossProcesses", testRefreshOnce},
		{"OtherProcessRefreshedFirst", testOtherRefreshedFirst},
		{"InvalidGrantSeenByEveryProcess", testInvalidGrant},
		{"DeathMidRefresh", testDeathMidRefresh},
		{"NoInterleavingRevokesTheFamily", testInterleavings},
		{"Snapshots", testSnapshots},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newEnv(t))
		})
	}
}

// connect stores a connection to srv with tokens straight from the sandbox
// (as if connect had run); a non-zero expiry overrides the stored one.
func connect(t testing.TB, s *tokenstore.Store, srv *sandbox.Server, name string, expiry time.Time) tokenstore.Secrets {
	t.Helper()
	pair := srv.IssueToken()
	if expiry.IsZero() {
		expiry = pair.Expiry
	}
	c := tokenstore.Connection{
		Name: name, Site: tokenstore.Site{CloudID: srv.CloudID, Name: srv.SiteName, URL: srv.SiteURL},
		Products:    []tokenstore.Product{{Name: tokenstore.ProductJira}, {Name: tokenstore.ProductConfluence}},
		ConnectedBy: "admin@example.com", ConnectedAt: time.Now().UTC().Truncate(time.Second),
		ClientID: srv.ClientID, AuthURL: srv.URL, APIURL: srv.URL,
	}
	sec := tokenstore.Secrets{ClientSecret: srv.ClientSecret, AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken, TokenType: "Bearer", Expiry: expiry}
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	return sec
}

// callMe calls the gateway's /me through the connection's HTTP client.
func callMe(ctx context.Context, s *tokenstore.Store, srv *sandbox.Server, name string) error {
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

func testSaveLoad(t *testing.T, env Env) {
	s := env.Open(t)
	c := tokenstore.Connection{
		Name: "alpha", Site: tokenstore.Site{CloudID: "cloud-1", Name: "acme", URL: "https://acme.atlassian.net"},
		Products:    []tokenstore.Product{{Name: tokenstore.ProductJira, Scopes: []string{"read:jira-work"}}},
		ConnectedBy: "admin@example.com", ConnectedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		ClientID: "client-1", AuthURL: "http://127.0.0.1:1", APIURL: "http://127.0.0.1:1",
	}
	sec := tokenstore.Secrets{ClientSecret: "s3cret", AccessToken: "at-1", RefreshToken: "rt-1", TokenType: "Bearer",
		Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	other := env.Open(t) // another process
	got, gotSec, err := other.Load("alpha")
	if err != nil {
		t.Fatal(err)
	}
	if gotSec != sec {
		t.Fatal("secrets differ after a round trip")
	}
	if got.Name != "alpha" || got.Site != c.Site || !got.ConnectedAt.Equal(c.ConnectedAt) || got.Status != tokenstore.StatusActive ||
		!got.TokenExpiry.Equal(sec.Expiry) || !got.HasProduct(tokenstore.ProductJira) || got.KeyVersion != 1 {
		t.Fatalf("connection after a round trip: %+v", got)
	}
	// A reconnect replaces the record and counts a generation.
	sec.AccessToken = "at-2"
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	if got2, _ := other.Get("alpha"); got2.Generation != got.Generation+1 {
		t.Errorf("generation %d after reconnect, want %d", got2.Generation, got.Generation+1)
	}
	if err := other.SetStatus("alpha", tokenstore.StatusError, "broken"); err != nil {
		t.Fatal(err)
	}
	if got3, _ := s.Get("alpha"); got3.Status != tokenstore.StatusError || got3.StatusMessage != "broken" {
		t.Errorf("status not shared: %+v", got3)
	}
	c.Name = "beta"
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	list, err := other.List()
	if err != nil || len(list) != 2 || list[0].Name != "alpha" || list[1].Name != "beta" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if ok, err := other.Delete("alpha"); !ok || err != nil {
		t.Fatalf("Delete = %v, %v", ok, err)
	}
	if _, err := s.Get("alpha"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("Get after delete: %v", err)
	}
	if err := s.Save(tokenstore.Connection{Name: "../x"}, sec); !errors.Is(err, tokenstore.ErrInvalidName) {
		t.Errorf("bad name saved: %v", err)
	}
}

func testEmpty(t *testing.T, env Env) {
	s := env.Open(t)
	if _, err := s.Get("default"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("Get: %v", err)
	}
	if _, _, err := s.Load("default"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("Load: %v", err)
	}
	if l, err := s.List(); err != nil || len(l) != 0 {
		t.Errorf("List: %v %v", l, err)
	}
	if ok, err := s.Delete("default"); ok || err != nil {
		t.Errorf("Delete: %v %v", ok, err)
	}
	if err := s.SetStatus("default", tokenstore.StatusError, "x"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("SetStatus: %v", err)
	}
}

func otherKey(b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

func testWrongKey(t *testing.T, env Env) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	connect(t, env.Open(t), srv, "default", time.Time{})
	wrong := env.Open(t, tokenstore.WithKeySpec("1:"+otherKey(9)))
	_, _, err := wrong.Load("default")
	if !errors.Is(err, tokenstore.ErrWrongKey) {
		t.Fatalf("Load with the wrong key: %v", err)
	}
	if strings.Contains(err.Error(), otherKey(9)) || strings.Contains(err.Error(), Key) {
		t.Fatal("error quotes a key")
	}
	// The public part stays readable without the key.
	if c, err := wrong.Get("default"); err != nil || c.Name != "default" {
		t.Fatalf("Get: %v", err)
	}
}

func testReencrypt(t *testing.T, env Env) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	sec := connect(t, env.Open(t), srv, "default", time.Time{})
	both := env.Open(t, tokenstore.WithKeySpec("2:"+otherKey(8)+","+Key))
	if n, err := both.Reencrypt(); err != nil || n != 1 {
		t.Fatalf("Reencrypt = %d, %v", n, err)
	}
	onlyNew := env.Open(t, tokenstore.WithKeySpec("2:"+otherKey(8)))
	c, got, err := onlyNew.Load("default")
	if err != nil || got.AccessToken != sec.AccessToken || got.RefreshToken != sec.RefreshToken || got.ClientSecret != sec.ClientSecret || c.KeyVersion != 2 {
		t.Fatalf("Load with the new key only: %v (key version %d)", err, c.KeyVersion)
	}
	if _, _, err := env.Open(t).Load("default"); !errors.Is(err, tokenstore.ErrUnknownKeyVersion) {
		t.Fatalf("Load with the old key only: %v", err)
	}
}

func testRefreshOnce(t *testing.T, env Env) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	procs := []*tokenstore.Store{env.Open(t), env.Open(t), env.Open(t)}
	old := connect(t, procs[0], srv, "default", time.Now().Add(time.Minute)) // inside the refresh margin
	before, _ := procs[0].Get("default")
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		toks = map[string]int{}
	)
	for _, p := range procs {
		ts, err := p.TokenSource(context.Background(), "default")
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			wg.Go(func() {
				tok, err := ts.Token()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("Token: %v", err)
					return
				}
				toks[tok.AccessToken]++
			})
		}
	}
	wg.Wait()
	if len(toks) != 1 || toks[old.AccessToken] != 0 {
		t.Fatalf("processes served %d distinct tokens (old one: %d times), want one new token", len(toks), toks[old.AccessToken])
	}
	if st := srv.Stats(); st.Refreshes != 1 || st.RefreshReuses != 0 || st.FamilyRevocations != 0 {
		t.Fatalf("sandbox %+v, want exactly one refresh", st)
	}
	after, sec, err := procs[2].Load("default")
	if err != nil || toks[sec.AccessToken] == 0 || sec.RefreshToken == old.RefreshToken || after.Generation != before.Generation+1 {
		t.Fatalf("stored after refresh: %v, generation %d -> %d", err, before.Generation, after.Generation)
	}
	if err := callMe(context.Background(), procs[1], srv, "default"); err != nil {
		t.Fatal(err)
	}
}

// twoProcesses starts a sandbox and two stores (processes) on env, all on
// one fake clock, with connection "default" stored through a.
func twoProcesses(t *testing.T, env Env) (clk *clocktest.Clock, srv *sandbox.Server, a, b *tokenstore.Store) {
	t.Helper()
	clk = clocktest.New(time.Now())
	srv = sandbox.NewServer(sandbox.WithEmptySite(), sandbox.WithClock(clk.Now))
	t.Cleanup(srv.Close)
	a, b = env.Open(t, tokenstore.WithClock(clk.Now)), env.Open(t, tokenstore.WithClock(clk.Now))
	connect(t, a, srv, "default", time.Time{})
	return clk, srv, a, b
}

func testOtherRefreshedFirst(t *testing.T, env Env) {
	clk, srv, a, b := twoProcesses(t, env)
	tsA, _ := a.TokenSource(context.Background(), "default")
	tsB, _ := b.TokenSource(context.Background(), "default")
	oldA, _ := tsA.Token()
	if oldB, err := tsB.Token(); err != nil || oldB.AccessToken != oldA.AccessToken {
		t.Fatalf("processes disagree on the token: %v", err)
	}
	clk.Advance(56 * time.Minute)
	newA, err := tsA.Token()
	if err != nil || newA.AccessToken == oldA.AccessToken {
		t.Fatalf("A did not refresh: %v", err)
	}
	newB, err := tsB.Token()
	if err != nil || newB.AccessToken != newA.AccessToken {
		t.Fatalf("B did not pick up A's token: %v", err)
	}
	if st := srv.Stats(); st.Refreshes != 1 {
		t.Fatalf("refreshes = %d, want 1 (B must re-read, not exchange)", st.Refreshes)
	}
}

func testInvalidGrant(t *testing.T, env Env) {
	clk, srv, a, b := twoProcesses(t, env)
	srv.RevokeAll()
	clk.Advance(time.Hour)
	tsA, _ := a.TokenSource(context.Background(), "default")
	if _, err := tsA.Token(); !errors.Is(err, tokenstore.ErrTokenExpired) || !strings.Contains(err.Error(), "atlassian-mcp connect") {
		t.Fatalf("A: %v", err)
	}
	if c, err := b.Get("default"); err != nil || c.Status != tokenstore.StatusTokenExpired {
		t.Fatalf("B sees status %q (%v), want Token Expired", c.Status, err)
	}
	tsB, _ := b.TokenSource(context.Background(), "default")
	if _, err := tsB.Token(); !errors.Is(err, tokenstore.ErrTokenExpired) {
		t.Fatalf("B: %v", err)
	}
	if st := srv.Stats(); st.InvalidGrants != 1 {
		t.Fatalf("invalid grants = %d, want 1 (B must not try the dead grant again)", st.InvalidGrants)
	}
}

func testDeathMidRefresh(t *testing.T, env Env) {
	clk := clocktest.New(time.Now())
	srv := sandbox.NewServer(sandbox.WithEmptySite(), sandbox.WithClock(clk.Now))
	defer srv.Close()
	dying := env.Open(t, tokenstore.WithClock(clk.Now), tokenstore.WithAfterExchange(func(string) { panic("killed") }))
	old := connect(t, dying, srv, "default", time.Time{})
	clk.Advance(time.Hour)
	func() {
		defer func() { _ = recover() }()
		ts, _ := dying.TokenSource(context.Background(), "default")
		_, _ = ts.Token()
		t.Error("the dying process survived its refresh")
	}()
	survivor := env.Open(t, tokenstore.WithClock(clk.Now), tokenstore.WithLockTimeout(5*time.Second))
	if _, sec, err := survivor.Load("default"); err != nil || sec.RefreshToken != old.RefreshToken {
		t.Fatalf("the store changed although the process died before writing: %v", err)
	}
	if err := callMe(context.Background(), survivor, srv, "default"); err != nil {
		t.Fatalf("after a death mid-refresh: %v", err)
	}
	// The dead process's new pair was never stored, so the survivor
	// exchanged the previous refresh token once more: one reuse inside the
	// reuse interval, no revocation.
	if st := srv.Stats(); st.Refreshes != 2 || st.RefreshReuses != 1 || st.FamilyRevocations != 0 {
		t.Fatalf("sandbox %+v", st)
	}
}

// testInterleavings drives several processes through random interleavings
// of API calls, clock jumps, early revocation of access tokens, restarts,
// dropped token responses and deaths mid-refresh; every call must succeed
// and the family must never be revoked.
func testInterleavings(t *testing.T, env Env) {
	seeds := uint64(env.Interleavings)
	if seeds == 0 {
		seeds = 2
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		clk := clocktest.New(time.Now())
		srv := sandbox.NewServer(sandbox.WithEmptySite(), sandbox.WithClock(clk.Now))
		var die bool
		var dieMu sync.Mutex
		newProc := func() *tokenstore.Store {
			return env.Open(t, tokenstore.WithClock(clk.Now), tokenstore.WithAfterExchange(func(string) {
				dieMu.Lock()
				d := die
				dieMu.Unlock()
				if d {
					panic("killed")
				}
			}))
		}
		procs := []*tokenstore.Store{newProc(), newProc(), newProc()}
		connect(t, procs[0], srv, "default", time.Time{})
		rng := rand.New(rand.NewPCG(seed, 42))
		ctx := context.Background()
		for step := range 80 {
			p := rng.IntN(len(procs))
			var op string
			switch r := rng.IntN(100); {
			case r < 45:
				op = "call"
			case r < 65:
				op = "advance"
				clk.Advance(time.Duration(rng.IntN(70)) * time.Minute)
			case r < 72:
				op = "expire-access"
				clk.Advance(time.Minute)
				srv.ExpireAccessTokens()
			case r < 80:
				op = "restart"
				procs[p] = newProc()
			case r < 88:
				op = "drop-token-response"
				srv.InjectFault(sandbox.Fault{Path: "/oauth/token", DropConnection: true, Times: 1})
				clk.Advance(time.Hour)
			default:
				op = "die-mid-refresh"
				clk.Advance(time.Hour)
				dieMu.Lock()
				die = true
				dieMu.Unlock()
				func() {
					defer func() { _ = recover() }()
					ts, _ := procs[p].TokenSource(ctx, "default")
					_, _ = ts.Token()
				}()
				dieMu.Lock()
				die = false
				dieMu.Unlock()
				procs[p] = newProc()
			}
			for i, s := range procs {
				err := callMe(ctx, s, srv, "default")
				if err != nil && strings.Contains(err.Error(), "refresh token is kept") {
					err = callMe(ctx, s, srv, "default")
				}
				if err != nil {
					t.Fatalf("seed %d step %d (%s): process %d: %v", seed, step, op, i, err)
				}
			}
			if st := srv.Stats(); st.FamilyRevocations != 0 || st.InvalidGrants != 0 {
				t.Fatalf("seed %d step %d (%s): %+v", seed, step, op, st)
			}
		}
		srv.Close()
	}
}

func testSnapshots(t *testing.T, env Env) {
	c := env.Snapshots(t)
	if _, err := c.Load("default"); !errors.Is(err, schema.ErrNoSnapshot) {
		t.Fatalf("empty: %v, want ErrNoSnapshot", err)
	}
	want := &schema.Snapshot{
		FormatVersion: schema.FormatVersion, Connection: "default", CloudID: "cloud-1", SiteName: "acme",
		RefreshedAt: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC), Products: []atlassian.Product{atlassian.ProductJira},
		Jira: &schema.Jira{Projects: []*schema.Project{{Key: "ENG", Name: "Engineering", ID: "10000"}}},
	}
	if err := c.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := env.Snapshots(t).Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if !got.RefreshedAt.Equal(want.RefreshedAt) || got.Jira == nil || len(got.Jira.Projects) != 1 || got.Jira.Projects[0].Key != "ENG" {
		t.Fatalf("loaded snapshot differs: %+v", got)
	}
	if _, err := c.Load("other"); !errors.Is(err, schema.ErrNoSnapshot) {
		t.Errorf("other connection: %v", err)
	}
	if err := c.Delete("default"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load("default"); !errors.Is(err, schema.ErrNoSnapshot) {
		t.Errorf("after delete: %v", err)
	}
}
