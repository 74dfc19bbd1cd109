package main

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/mcptest"
)

func TestSandboxRefusesRemoteListen(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{[]string{"--listen", "0.0.0.0:0"}, false},
		{[]string{"--listen", ":8990"}, false},
		{[]string{"--listen", "192.0.2.1:8990"}, false},
		{[]string{"--listen", "nonsense"}, false},
		{[]string{"--products", "bitbucket"}, false},
		{[]string{"--token-ttl", "0s"}, false},
		{[]string{"extra"}, false},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"sandbox"}, tc.args...)...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr %s", code, exitUsage, stderr)
			}
		})
	}
	for _, addr := range []string{"127.0.0.1:1", "[::1]:1", "localhost:1"} {
		if err := checkListen(addr, false); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if err := checkListen("0.0.0.0:1", true); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
}

func TestSandboxServesUntilCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb mcptest.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "--listen", addr, "--auto-approve", "--no-rate-limits",
			"--redirect-uri", "http://127.0.0.1:1/cb"}, strings.NewReader(""), &out, &errb)
	}()
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Walk-through") {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no walk-through printed; stderr: %s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{base + "/authorize", base + "/oauth/token", "Client secret", "Cloud ID", "http://127.0.0.1:1/cb"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	resp, err := http.Get(base + "/.well-known/oauth-authorization-server")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("sandbox not serving: %v", err)
	}
	resp.Body.Close()
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not stop")
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Fatal("still serving after cancel")
	}
}
