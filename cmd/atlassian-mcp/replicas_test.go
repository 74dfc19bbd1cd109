package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/atlassian-mcp/atlassian-mcp/internal/pgtest"
	"github.com/atlassian-mcp/atlassian-mcp/pgstore"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

// replica is one `serve --http` process on the shared store.
type replica struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	dir  string // its own data directory (audit files)

	mu   sync.Mutex
	logs strings.Builder // its stderr
}

// log returns what the replica wrote on stderr so far.
func (r *replica) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.String()
}

// startReplica starts serve --http with env added to the environment and
// waits for it to listen. The agents config is the store's (env names a
// PostgreSQL store).
func startReplica(t *testing.T, env []string, dir string) *replica {
	t.Helper()
	cmd := exec.Command(binary(t), "serve", "--http", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn")
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addrRe := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)/mcp`)
	found := make(chan string, 1)
	r := &replica{cmd: cmd, dir: dir}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			r.mu.Lock()
			r.logs.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			} else if testing.Verbose() {
				t.Logf("replica: %s", sc.Text())
			}
		}
	}()
	select {
	case r.base = <-found:
		return r
	case <-time.After(60 * time.Second):
		t.Fatal("a replica did not say where it listens")
	}
	return nil
}

// roundRobin is the load balancer: every request goes to the next replica,
// so no session is pinned.
type roundRobin struct {
	next    atomic.Uint64
	proxies []*httputil.ReverseProxy
}

func newRoundRobin(t *testing.T, rs []*replica) *roundRobin {
	lb := &roundRobin{}
	for _, r := range rs {
		u, err := url.Parse(r.base)
		if err != nil {
			t.Fatal(err)
		}
		p := httputil.NewSingleHostReverseProxy(u)
		p.FlushInterval = -1 // stream SSE
		lb.proxies = append(lb.proxies, p)
	}
	return lb
}

func (lb *roundRobin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lb.proxies[lb.next.Add(1)%uint64(len(lb.proxies))].ServeHTTP(w, r)
}

// metricValue reads one unlabelled metric from a replica's /metrics.
func metricValue(t *testing.T, base, name string) float64 {
	t.Helper()
	_, body := get(t, base+"/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("%s/metrics has no %s", base, name)
	return 0
}

// TestReplicasShareOneConnection runs three `serve --http` processes on
// one PostgreSQL store behind a round-robin load balancer, with access
// tokens that expire every 4 seconds, and eight clients calling tools for
// 15 seconds (ATLASSIAN_MCP_REPLICA_TEST_DURATION, e.g. 30s, runs it
// longer without slowing make test). Every call must succeed (no 404 for a session another
// replica created), the sandbox must see exactly one refresh per
// expiry (no refresh token exchanged twice, no family revoked), the
// replicas' refresh counters must add up to the sandbox's, and every call
// must be audited exactly once.
func TestReplicasShareOneConnection(t *testing.T) {
	const (
		ttl     = 4 * time.Second
		clients = 8
	)
	duration := 15 * time.Second
	if v := os.Getenv("ATLASSIAN_MCP_REPLICA_TEST_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 5*time.Second {
			t.Fatalf("ATLASSIAN_MCP_REPLICA_TEST_DURATION=%q: want a duration of at least 5s", v)
		}
		duration = d
	}
	dsn, key, srv, db := replicaSite(t, 3, sandbox.WithAccessTokenTTL(ttl), sandbox.WithoutRateLimits())
	// The connection, as `connect` (or `store copy`) would leave it.
	ctx := context.Background()
	store, err := tokenstore.New(db.Tokens(), tokenstore.WithKeySpec(key))
	if err != nil {
		t.Fatal(err)
	}
	pair := srv.IssueToken()
	if err := store.Save(tokenstore.Connection{
		Name: "default", Site: tokenstore.Site{CloudID: srv.CloudID, Name: srv.SiteName, URL: srv.SiteURL},
		Products:    []tokenstore.Product{{Name: tokenstore.ProductJira}, {Name: tokenstore.ProductConfluence}},
		ConnectedBy: "admin@example.com", ConnectedAt: time.Now(),
		ClientID: srv.ClientID, AuthURL: srv.URL, APIURL: srv.URL,
	}, tokenstore.Secrets{ClientSecret: srv.ClientSecret, AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken, Expiry: pair.Expiry}); err != nil {
		t.Fatal(err)
	}
	// The agent lives in the database: every replica accepts its token.
	code, agentToken, stderr := runCLI(t, "agent", "add", "--store", dsn, "--name", "bot", "--tenant", "default", "--profile", "assistant")
	if code != exitOK {
		t.Fatalf("agent add: %d %s", code, stderr)
	}
	agentToken = strings.TrimSpace(agentToken)

	env := []string{tokenstore.KeyEnv + "=" + key, envStore + "=" + dsn, envRefreshMargin + "=1s"}
	var rs []*replica
	for i := range 3 {
		rs = append(rs, startReplica(t, env, filepath.Join(t.TempDir(), fmt.Sprint("replica", i))))
	}
	lb := &http.Server{Handler: newRoundRobin(t, rs), ReadHeaderTimeout: 10 * time.Second}
	ln, err := netListen(t)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = lb.Serve(ln) }()
	t.Cleanup(func() { _ = lb.Close() })
	endpoint := "http://" + ln.Addr().String() + "/mcp"

	start := time.Now()
	var (
		calls  atomic.Int64
		wg     sync.WaitGroup
		errsMu sync.Mutex
		errs   []string
	)
	for i := range clients {
		c := httpClient(t, endpoint, agentToken)
		initialize(t, c)
		wg.Go(func() {
			for n := 0; time.Since(start) < duration; n++ {
				var req mcpgo.CallToolRequest
				req.Params.Name = "atlassian_jira_search"
				req.Params.Arguments = map[string]any{"jql": fmt.Sprintf("project = OPS AND summary ~ \"client%d call%d\" ORDER BY key ASC", i, n), "maxResults": 1}
				cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				res, err := c.CallTool(cctx, req)
				cancel()
				if err == nil && res.IsError {
					err = fmt.Errorf("tool error: %v", res.Content)
				}
				if err != nil {
					errsMu.Lock()
					errs = append(errs, fmt.Sprintf("client %d call %d: %v", i, n, err))
					errsMu.Unlock()
					return
				}
				calls.Add(1)
				time.Sleep(10 * time.Millisecond) // an agent thinks between calls; leaves CPU to the replicas
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, e := range errs {
		t.Error(e)
	}

	st := srv.Stats()
	var perReplica []float64
	sum := 0.0
	for _, r := range rs {
		v := metricValue(t, r.base, "atlassian_mcp_token_refreshes_total")
		perReplica = append(perReplica, v)
		sum += v
	}
	// Every answered call is already committed to the audit table (no
	// replica is stopped first): count the rows and what `audit` prints.
	var audited, distinct, rows int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE tool = 'atlassian_jira_search' AND status = 'ok'),
		count(DISTINCT execution_id) FILTER (WHERE tool = 'atlassian_jira_search' AND status = 'ok'), count(*) FROM audit_entries`).Scan(&audited, &distinct, &rows); err != nil {
		t.Fatal(err)
	}
	auditWrites := 0.0
	for _, r := range rs {
		auditWrites += metricValue(t, r.base, "atlassian_mcp_audit_write_duration_seconds_count")
	}
	code, listed, stderr := runCLI(t, "audit", "--store", dsn, "--tool", "jira_search", "--status", "ok", "--json")
	if code != exitOK {
		t.Fatalf("audit --store: %d %s", code, stderr)
	}
	cliRows := strings.Count(listed, "\n")
	ids := distinct
	expiries := int(elapsed / (ttl - time.Second)) // a token is due 1s before it expires
	t.Logf("replicas 3, clients %d, %s: calls %d, sandbox refreshes %d (per replica %v), token lifetimes elapsed ~%d, reuses %d, revocations %d, invalid grants %d, audit rows %d (distinct execution ids %d, all rows %d, audit writes timed %v, listed by 'audit --store' %d)",
		clients, elapsed.Round(100*time.Millisecond), calls.Load(), st.Refreshes, perReplica, expiries, st.RefreshReuses, st.FamilyRevocations, st.InvalidGrants, audited, ids, rows, auditWrites, cliRows)
	if st.RefreshReuses != 0 || st.FamilyRevocations != 0 || st.InvalidGrants != 0 {
		t.Errorf("sandbox saw reuses %d, revocations %d, invalid grants %d; want none", st.RefreshReuses, st.FamilyRevocations, st.InvalidGrants)
	}
	if st.Refreshes < expiries-1 || st.Refreshes > expiries+2 {
		t.Errorf("%d refreshes in %s of %s tokens, want about one per lifetime (%d)", st.Refreshes, elapsed, ttl, expiries)
	}
	if int(sum) != st.Refreshes {
		t.Errorf("replicas counted %v refreshes (sum %v), the sandbox %d: some exchange was not stored by the one replica that made it", perReplica, sum, st.Refreshes)
	}
	if calls.Load() == 0 || int64(audited) != calls.Load() || ids != audited || cliRows != audited {
		t.Errorf("%d calls, %d audit rows, %d distinct execution ids, %d listed by audit: want every call audited exactly once", calls.Load(), audited, ids, cliRows)
	}
	if int(auditWrites) != rows {
		t.Errorf("the replicas timed %v audit writes, the table has %d rows: want the audit write latency observed once per entry", auditWrites, rows)
	}
}

func netListen(t *testing.T) (net.Listener, error) {
	t.Helper()
	return net.Listen("tcp", "127.0.0.1:0")
}

// replicaSite is the common ground of the replica tests: a private
// PostgreSQL schema (its DSN), a token-store key made of seed, a sandbox
// site with opts, and the store opened (and migrated) on the schema, all
// closed when the test ends.
func replicaSite(t *testing.T, seed byte, opts ...sandbox.Option) (dsn, key string, srv *sandbox.Server, db *pgstore.DB) {
	t.Helper()
	dsn = pgtest.DSN(t)
	key = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{seed}, 32))
	srv = sandbox.NewServer(opts...)
	t.Cleanup(srv.Close)
	db, err := pgstore.Open(context.Background(), dsn, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return dsn, key, srv, db
}

// sharedSetup stores a connection to srv (with the stored access token
// expiring at expiry) and an agent in the PostgreSQL store at dsn; it
// returns the agent's token.
func sharedSetup(t *testing.T, srv *sandbox.Server, db *pgstore.DB, dsn, key string, expiry time.Time) (token string) {
	t.Helper()
	store, err := tokenstore.New(db.Tokens(), tokenstore.WithKeySpec(key))
	if err != nil {
		t.Fatal(err)
	}
	pair := srv.IssueToken()
	if expiry.IsZero() {
		expiry = pair.Expiry
	}
	if err := store.Save(tokenstore.Connection{
		Name: "default", Site: tokenstore.Site{CloudID: srv.CloudID, Name: srv.SiteName, URL: srv.SiteURL},
		Products:    []tokenstore.Product{{Name: tokenstore.ProductJira}, {Name: tokenstore.ProductConfluence}},
		ConnectedBy: "admin@example.com", ConnectedAt: time.Now(),
		ClientID: srv.ClientID, AuthURL: srv.URL, APIURL: srv.URL,
	}, tokenstore.Secrets{ClientSecret: srv.ClientSecret, AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken, Expiry: expiry}); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "agent", "add", "--store", dsn, "--name", "bot", "--tenant", "default", "--profile", "assistant")
	if code != exitOK {
		t.Fatalf("agent add: %d %s", code, stderr)
	}
	return strings.TrimSpace(out)
}

// TestReplicaKilledHoldingTheRefreshLock kills -9 a replica while it holds
// a connection's refresh lock (its token request is slow); another replica
// then refreshes at once (the lock died with the killed replica's database
// connection) and the token family survives.
func TestReplicaKilledHoldingTheRefreshLock(t *testing.T) {
	dsn, key, srv, db := replicaSite(t, 4, sandbox.WithoutRateLimits())
	ctx := context.Background()
	// The stored token is already due, so the first call refreshes.
	token := sharedSetup(t, srv, db, dsn, key, time.Now())
	env := []string{tokenstore.KeyEnv + "=" + key, envStore + "=" + dsn}
	// The first refresh (A's start-up discovery or the call below) hangs.
	srv.InjectFault(sandbox.Fault{Path: "/oauth/token", Latency: 20 * time.Second, Times: 1})
	a := startReplica(t, env, filepath.Join(t.TempDir(), "a"))

	// A call on A starts a refresh that waits on the slow token endpoint
	// while A holds the lock.
	go func() {
		c := httpClientNoCleanup(a.base+"/mcp", token)
		if c != nil {
			_ = searchOnce(ctx, c)
		}
	}()
	var lockKey int64
	if err := db.Pool().QueryRow(ctx, "SELECT hashtextextended($1, 0)", "atlassian-mcp/refresh/"+db.Schema()+"/default").Scan(&lockKey); err != nil {
		t.Fatal(err)
	}
	hi, lo := int64(uint64(lockKey)>>32), int64(uint64(lockKey)&0xffffffff)
	held := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !held; time.Sleep(50 * time.Millisecond) {
		var n int
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND classid::bigint = $1 AND objid::bigint = $2`, hi, lo).Scan(&n); err != nil {
			t.Fatal(err)
		}
		held = n == 1
	}
	if !held {
		t.Fatal("replica A never held the refresh lock")
	}
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = a.cmd.Wait()

	b := startReplica(t, env, filepath.Join(t.TempDir(), "b"))
	c := httpClient(t, b.base+"/mcp", token)
	initialize(t, c)
	start := time.Now()
	if err := searchOnce(ctx, c); err != nil {
		t.Fatalf("B after A died holding the lock: %v", err)
	}
	took := time.Since(start)
	st := srv.Stats()
	t.Logf("B answered %s after A was killed; sandbox refreshes %d, reuses %d, revocations %d, invalid grants %d",
		took.Round(time.Millisecond), st.Refreshes, st.RefreshReuses, st.FamilyRevocations, st.InvalidGrants)
	if took > 5*time.Second { // A's token request hangs 20 s: only its death frees the lock sooner
		t.Errorf("B took %s: it waited for a lock a dead replica held", took)
	}
	if st.FamilyRevocations != 0 || st.InvalidGrants != 0 || st.Refreshes < 1 {
		t.Errorf("sandbox %+v: want the family intact and B's refresh counted", st)
	}
}

// httpClientNoCleanup is httpClient for a goroutine that may outlive its
// server: nil when the client cannot start.
func httpClientNoCleanup(endpoint, token string) *client.Client {
	c, err := client.NewStreamableHttpClient(endpoint, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil || c.Start(context.Background()) != nil {
		return nil
	}
	var init mcpgo.InitializeRequest
	init.Params.ProtocolVersion = mcpgo.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcpgo.Implementation{Name: "e2e", Version: "1"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Initialize(ctx, init); err != nil {
		return nil
	}
	return c
}

// searchOnce runs one search and reports a failure or an error result.
func searchOnce(ctx context.Context, c *client.Client) error {
	var req mcpgo.CallToolRequest
	req.Params.Name = "atlassian_jira_search"
	req.Params.Arguments = map[string]any{"jql": "project = OPS ORDER BY key ASC", "maxResults": 1}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := c.CallTool(ctx, req)
	if err == nil && res.IsError {
		err = fmt.Errorf("tool error: %v", res.Content)
	}
	return err
}
