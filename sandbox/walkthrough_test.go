package sandbox

import (
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestWalkthroughDrivesTheFlow runs the printed curl walk-through's URLs
// and bodies through the sandbox (with net/http, so curl need not exist),
// substituting each step's output into the next, as a user would.
func TestWalkthroughDrivesTheFlow(t *testing.T) {
	srv := coreServer(t, WithAutoApprove())
	mountProbes(srv)
	text := srv.Walkthrough()
	for _, want := range []string{srv.ClientID, srv.ClientSecret, srv.CloudID, srv.URL + "/authorize", srv.URL + "/oauth/token", "# 3. Refresh"} {
		if !strings.Contains(text, want) {
			t.Fatalf("walk-through lacks %q:\n%s", want, text)
		}
	}
	authURL := regexp.MustCompile(`'(http://[^']+/authorize\?[^']+)'`).FindStringSubmatch(text)
	if authURL == nil {
		t.Fatalf("no authorize URL:\n%s", text)
	}
	q := redirectQueryAny(t, do(t, "GET", authURL[1], "", "", ""))
	code := q.Get("code")
	bodies := regexp.MustCompile(`-d '(\{[^\n]+\})'`).FindAllStringSubmatch(text, -1)
	if len(bodies) != 2 {
		t.Fatalf("want 2 token bodies, got %d", len(bodies))
	}
	exch := strings.ReplaceAll(bodies[0][1], "'$CODE'", code)
	h := do(t, "POST", srv.URL+"/oauth/token", "", "application/json", exch)
	_, rt := pairOf(t, h)
	at, _ := pairOf(t, do(t, "POST", srv.URL+"/oauth/token", "", "application/json", strings.ReplaceAll(bodies[1][1], "'$RT'", rt)))
	if h := do(t, "GET", srv.URL+"/oauth/token/accessible-resources", at, "", ""); h.Status != 200 {
		t.Fatalf("accessible-resources: %d", h.Status)
	}
	if _, err := url.Parse(authURL[1]); err != nil {
		t.Fatal(err)
	}
	if path, err := exec.LookPath("sh"); err == nil && path != "" {
		// The consent one-liner's sed expression must be valid shell.
		srv2 := coreServer(t)
		text2 := srv2.Walkthrough()
		line := regexp.MustCompile(`(?m)^CONSENT=.*$`).FindString(text2)
		out, err := exec.Command("sh", "-n", "-c", line).CombinedOutput()
		if err != nil {
			t.Fatalf("consent line is not valid shell: %v %s\n%s", err, out, line)
		}
	}
}
