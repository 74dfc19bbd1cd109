package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// Environment of a child process in TestRotationUnderContention.
const (
	envChild   = "TOKENSTORE_TEST_CHILD"
	envDir     = "TOKENSTORE_TEST_DIR"
	envURL     = "TOKENSTORE_TEST_URL"
	envGo      = "TOKENSTORE_TEST_GO"
	childCalls = 100
	children   = 8
)

// TestRotationUnderContention starts 8 processes (this test binary
// re-executed) that each make 100 concurrent API calls through one
// connection whose access token has expired. Exactly one refresh may reach
// the sandbox, every call must succeed, and the family must survive.
func TestRotationUnderContention(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("child process")
	}
	if testing.Short() {
		t.Skip("starts 8 processes")
	}
	srv := sandbox.NewServer(sandbox.WithEmptySite(), sandbox.WithoutRateLimits())
	defer srv.Close()
	s := openTest(t)
	old := connectSandbox(t, s, srv, "default", time.Now().Add(-time.Minute))
	goFile := filepath.Join(t.TempDir(), "go")

	var wg sync.WaitGroup
	outs := make([]string, children)
	errs := make([]error, children)
	for i := range children {
		cmd := exec.Command(os.Args[0], "-test.run=^TestContentionChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), envChild+"=1", envDir+"="+s.Dir(), envURL+"="+srv.URL, envGo+"="+goFile, KeyEnv+"=")
		wg.Go(func() {
			out, err := cmd.CombinedOutput()
			outs[i], errs[i] = string(out), err
		})
	}
	time.Sleep(300 * time.Millisecond) // let the children start and wait at the barrier
	start := time.Now()
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	elapsed := time.Since(start)
	for i := range children {
		if errs[i] != nil || !strings.Contains(outs[i], fmt.Sprintf("child ok: %d calls", childCalls)) {
			t.Errorf("child %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	st := srv.Stats()
	if st.Refreshes != 1 || st.RefreshReuses != 0 || st.FamilyRevocations != 0 || st.InvalidGrants != 0 {
		t.Fatalf("sandbox stats %+v: want exactly one refresh and no revocation", st)
	}
	var me, unauthorized int
	for _, r := range srv.Requests() {
		if r.Path == "/me" {
			me++
			if r.Status == http.StatusUnauthorized {
				unauthorized++
			}
		}
	}
	if me != children*childCalls || unauthorized != 0 {
		t.Fatalf("/me requests %d (401s %d), want %d", me, unauthorized, children*childCalls)
	}
	if _, sec := storedSecrets(t, s, "default"); sec.RefreshToken == old.RefreshToken {
		t.Fatal("the rotated refresh token was not stored")
	}
	t.Logf("%d processes x %d goroutines: %d refresh, all calls ok in %v", children, childCalls, st.Refreshes, elapsed)
}

// TestContentionChild is the child process of TestRotationUnderContention.
func TestContentionChild(t *testing.T) {
	if os.Getenv(envChild) == "" {
		t.Skip("only runs as a child of TestRotationUnderContention")
	}
	s, err := Open(os.Getenv(envDir), WithKeySpec(""))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hc, err := s.HTTPClient(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(os.Getenv(envGo)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no go signal")
		}
		time.Sleep(time.Millisecond)
	}
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range childCalls {
		wg.Go(func() {
			resp, err := hc.Get(os.Getenv(envURL) + "/me")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("/me: HTTP %d", resp.StatusCode)
				return
			}
			ok.Add(1)
		})
	}
	wg.Wait()
	fmt.Printf("child ok: %d calls\n", ok.Load())
}

// envKill makes a child process exit hard after the token endpoint
// answered its refresh and before it stored the new pair.
const envKill = "TOKENSTORE_TEST_KILL"

// TestProcessKilledMidRefresh kills a real process between the token
// endpoint's answer and the durable write. The kernel drops its refresh
// lock, the store still holds the previous refresh token, and the next
// process reuses it within the reuse interval: the family survives.
func TestProcessKilledMidRefresh(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("child process")
	}
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	s := openTest(t, WithLockTimeout(2*time.Second))
	old := connectSandbox(t, s, srv, "default", time.Now().Add(-time.Minute))
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=1", envKill+"=1", envDir+"="+s.Dir(), KeyEnv+"=")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if st := srv.Stats(); st.Refreshes != 1 {
		t.Fatalf("the child did not reach the token endpoint: %+v", st)
	}
	if _, sec := storedSecrets(t, s, "default"); sec.RefreshToken != old.RefreshToken {
		t.Fatal("the store changed although the child died before writing")
	}
	if err := callMe(context.Background(), s, srv, "default"); err != nil {
		t.Fatalf("after the kill: %v", err)
	}
	if st := srv.Stats(); st.Refreshes != 2 || st.RefreshReuses != 1 || st.FamilyRevocations != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestKilledChild is the child of TestProcessKilledMidRefresh.
func TestKilledChild(t *testing.T) {
	if os.Getenv(envKill) == "" {
		t.Skip("only runs as a child of TestProcessKilledMidRefresh")
	}
	s, err := Open(os.Getenv(envDir), WithKeySpec(""))
	if err != nil {
		t.Fatal(err)
	}
	testHookAfterExchange = func(string) { os.Exit(3) }
	ts, _ := s.TokenSource(context.Background(), "default")
	_, err = ts.Token()
	t.Fatalf("still alive after the refresh: %v", err)
}
