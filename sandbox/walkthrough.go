package sandbox

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// SuggestedScopes is the scope set atlassian-mcp asks for (ATLASSIAN.md
// §1.8): both products' reads and writes, /me and offline_access.
var SuggestedScopes = []string{
	"offline_access", "read:me", "read:jira-work", "write:jira-work", "read:jira-user",
	"search:confluence", "read:page:confluence", "write:page:confluence", "read:space:confluence",
	"read:hierarchical-content:confluence", "read:content.metadata:confluence",
	"write:confluence-content", "read:label:confluence", "write:label:confluence",
}

// RedirectURIs returns the OAuth app's registered redirect URIs, sorted.
func (s *Server) RedirectURIs() []string {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	out := make([]string, 0, len(s.auth.redirectURIs))
	for u := range s.auth.redirectURIs {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// AuthorizeURL returns a complete authorization URL for the app with the
// given redirect URI, state and scopes (SuggestedScopes when none).
func (s *Server) AuthorizeURL(redirectURI, state string, scopes ...string) string {
	if len(scopes) == 0 {
		scopes = SuggestedScopes
	}
	v := url.Values{
		"audience":      {Audience},
		"client_id":     {s.ClientID},
		"scope":         {strings.Join(scopes, " ")},
		"redirect_uri":  {redirectURI},
		"state":         {state},
		"response_type": {"code"},
		"prompt":        {"consent"},
	}
	return s.URL + "/authorize?" + strings.ReplaceAll(v.Encode(), "+", "%20")
}

// Walkthrough returns what `atlassian-mcp sandbox` prints: the site's URLs
// and OAuth app credentials, then a curl session through the whole flow
// (authorize → code → token → refresh → a Jira call). It includes the
// sandbox's client secret, which guards nothing but the sandbox.
func (s *Server) Walkthrough() string {
	var b strings.Builder
	redirects := s.RedirectURIs()
	redirect := "http://localhost:8765/callback"
	if len(redirects) > 0 && !hasScope(redirects, redirect) {
		redirect = redirects[0]
	}
	s.auth.mu.Lock()
	auto := s.auth.autoApprove
	s.auth.mu.Unlock()
	products := make([]string, 0, 2)
	for _, p := range s.Products() {
		products = append(products, string(p))
	}
	row := func(k, v string) { fmt.Fprintf(&b, "  %-16s %s\n", k, v) }
	fmt.Fprintf(&b, "Atlassian Cloud sandbox: site %s (%s), products: %s\n\n", s.SiteName, s.SiteURL, strings.Join(products, ", "))
	row("Base URL", s.URL)
	row("Authorize URL", s.URL+"/authorize")
	row("Token URL", s.URL+"/oauth/token")
	row("Gateway", s.URL+" (accessible-resources, /me, /ex/...)")
	if s.hasProduct(Jira) {
		row("Jira API", s.JiraBaseURL()+"/rest/api/3")
	}
	if s.hasProduct(Confluence) {
		row("Confluence API", s.ConfluenceBaseURL()+"/wiki")
	}
	row("Client ID", s.ClientID)
	row("Client secret", s.ClientSecret)
	row("Cloud ID", s.CloudID)
	for _, site := range s.sites {
		row("Also granted", site.SiteName+" ("+site.SiteURL+"), cloud id "+site.CloudID)
	}
	row("Redirect URIs", strings.Join(redirects, " "))
	row("Signed-in user", s.users[0].DisplayName+" <"+s.users[0].Email+">")

	tok := s.URL + "/oauth/token"
	fmt.Fprintf(&b, "\nWalk-through with curl:\n\n")
	fmt.Fprintf(&b, "# 1. Authorize.\n")
	authURL := s.AuthorizeURL(redirect, "xyz123")
	if auto {
		fmt.Fprintf(&b, "#    Consent is auto-approved: the Location header carries the code.\n")
		fmt.Fprintf(&b, "curl -s -o /dev/null -w '%%{redirect_url}\\n' '%s'\n", authURL)
	} else {
		fmt.Fprintf(&b, "#    Open this URL in a browser and click Accept; the browser then goes to\n")
		fmt.Fprintf(&b, "#    %s?code=...&state=xyz123 (nothing needs to listen there: copy the code).\n", redirect)
		fmt.Fprintf(&b, "#    %s\n", authURL)
		fmt.Fprintf(&b, "#    Or accept from the shell:\n")
		fmt.Fprintf(&b, "CONSENT=$(curl -s '%s' | sed -n 's/.*name=\"consent_id\" value=\"\\([^\"]*\\)\".*/\\1/p')\n", authURL)
		fmt.Fprintf(&b, "curl -s -o /dev/null -w '%%{redirect_url}\\n' -d consent_id=$CONSENT -d action=accept %s/authorize/consent\n", s.URL)
	}
	fmt.Fprintf(&b, "\n# 2. Exchange the code (single use, valid %s) for a token pair.\n", s.cfg.codeTTL)
	fmt.Fprintf(&b, "CODE=paste-the-code-here\n")
	fmt.Fprintf(&b, "curl -s -X POST %s -H 'Content-Type: application/json' \\\n  -d '{\"grant_type\":\"authorization_code\",\"client_id\":\"%s\",\"client_secret\":\"%s\",\"code\":\"'$CODE'\",\"redirect_uri\":\"%s\"}'\n",
		tok, s.ClientID, s.ClientSecret, redirect)
	fmt.Fprintf(&b, "\n# 3. Refresh. Each refresh returns a NEW pair: keep the new refresh_token. Reusing\n")
	fmt.Fprintf(&b, "#    an older one (or the previous one after %s) revokes the whole family.\n", s.cfg.reuseInterval)
	fmt.Fprintf(&b, "RT=paste-the-refresh_token-here\n")
	fmt.Fprintf(&b, "curl -s -X POST %s -H 'Content-Type: application/json' \\\n  -d '{\"grant_type\":\"refresh_token\",\"client_id\":\"%s\",\"client_secret\":\"%s\",\"refresh_token\":\"'$RT'\"}'\n",
		tok, s.ClientID, s.ClientSecret)
	fmt.Fprintf(&b, "\n# 4. Call the APIs with the access_token.\n")
	fmt.Fprintf(&b, "AT=paste-the-access_token-here\n")
	fmt.Fprintf(&b, "curl -s -H \"Authorization: Bearer $AT\" %s/oauth/token/accessible-resources\n", s.URL)
	if s.hasProduct(Jira) {
		fmt.Fprintf(&b, "curl -s -H \"Authorization: Bearer $AT\" '%s/rest/api/3/search/jql?jql=project%%20%%3D%%20ENG%%20ORDER%%20BY%%20created%%20DESC&maxResults=5&fields=summary,status'\n", s.JiraBaseURL())
	}
	if s.hasProduct(Confluence) {
		fmt.Fprintf(&b, "curl -s -H \"Authorization: Bearer $AT\" '%s/wiki/api/v2/spaces?limit=5'\n", s.ConfluenceBaseURL())
	}
	return b.String()
}
