package connect

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/atlassian-mcp/atlassian-mcp/atlassian"
)

func TestChooseSite(t *testing.T) {
	sites := []atlassian.Resource{
		{ID: "id-1", Name: "alpha", URL: "https://alpha.atlassian.net", Products: []atlassian.Product{atlassian.ProductJira}},
		{ID: "id-2", Name: "beta", URL: "https://beta.atlassian.net", Products: []atlassian.Product{atlassian.ProductConfluence}},
		{ID: "id-3", Name: "desk", URL: "https://desk.atlassian.net", Products: []atlassian.Product{atlassian.ProductServiceDesk}},
	}
	tests := []struct {
		name, flag, stdin, want, errPart string
	}{
		{"by name", "beta", "", "id-2", ""},
		{"by URL", "alpha.atlassian.net", "", "id-1", ""},
		{"by id", "id-2", "", "id-2", ""},
		{"service desk only is not offered", "desk", "", "", "not among the sites"},
		{"interactive", "", "x\n7\n2\n", "id-2", ""},
		{"interactive without an answer", "", "", "", "--site NAME|URL|ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			got, err := askSite(&errb, sites, tt.flag, readLines(strings.NewReader(tt.stdin)))
			if tt.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("err = %v, want %q", err, tt.errPart)
				}
				if tt.flag != "" && !errors.Is(err, ErrUnknownSite) {
					t.Fatalf("err = %v, not ErrUnknownSite", err)
				}
				return
			}
			if err != nil || got.ID != tt.want {
				t.Fatalf("askSite = %q, %v; want %q", got.ID, err, tt.want)
			}
			if tt.stdin != "" && !strings.Contains(errb.String(), "Enter a number from 1 to 2") {
				t.Errorf("a wrong answer was not explained:\n%s", errb.String())
			}
		})
	}
	if _, err := askSite(io.Discard, sites[2:], "", readLines(strings.NewReader(""))); err == nil || !strings.Contains(err.Error(), "no Jira or Confluence site") {
		t.Fatalf("no usable site: %v", err)
	}
}

// FuzzParsePasted checks that no pasted line panics and that an accepted
// one is the callback with a code or an error.
func FuzzParsePasted(f *testing.F) {
	redirect, _ := url.Parse("http://localhost:8765/callback")
	f.Add("http://localhost:8765/callback?code=abc&state=xyz")
	f.Add("?error=access_denied&state=s")
	f.Add("code=abc&state=xyz")
	f.Add("http://evil.example/callback?code=abc")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, line string) {
		res, err := ParsePasted(line, redirect)
		if err == nil && res.Code == "" && res.Error == "" {
			t.Fatalf("accepted %q without code or error", line)
		}
	})
}
