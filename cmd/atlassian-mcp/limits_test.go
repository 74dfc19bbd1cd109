package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServeHTTPAppliesTheRequestLimitAndOrigins(t *testing.T) {
	_, endpoint, token := spawnHTTP(t, "--max-request-bytes", "65536", "--allowed-origins", "https://app.example.com")
	post := func(body, origin string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer "+token)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	if code, body := post(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"`+strings.Repeat("x", 70000)+`"}}`, ""); code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "65536 bytes") {
		t.Fatalf("a 70 KB body with --max-request-bytes 65536: %d %.200s", code, body)
	}
	if code, body := post(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "http://evil.com"); code != http.StatusForbidden {
		t.Fatalf("a foreign Origin: %d %.200s", code, body)
	}
	if code, body := post(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "https://app.example.com"); code == http.StatusForbidden {
		t.Fatalf("the listed Origin was refused: %d %.200s", code, body)
	}
	if err := goodHTTPCall(endpoint, token); err != nil {
		t.Fatalf("the good call after the refusals: %v", err)
	}
}

func TestServeRefusesBadLimitFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--max-request-bytes", "10"},
		{"serve", "--allowed-origins", "evil.com"},
	} {
		code, _, errOut := runWith(t, nil, args...)
		if code != exitUsage || !strings.Contains(errOut, args[1]) {
			t.Errorf("%v: exit %d: %s", args, code, errOut)
		}
	}
}
