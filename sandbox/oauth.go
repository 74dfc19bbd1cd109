package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// The OAuth 2.0 (3LO) authorization server, faithful to ATLASSIAN.md §1:
// GET /authorize with a consent page, POST /oauth/token (authorization_code
// and refresh_token grants, JSON or form bodies, client auth in the body or
// HTTP Basic), rotating refresh tokens with Auth0's reuse rules, and
// POST /oauth/revoke (advertised by auth.atlassian.com's metadata but not
// documented for 3LO apps; the sandbox implements it best effort).

// Audience is the only audience /authorize accepts.
const Audience = "api.atlassian.com"

// refreshInactivity is how long an unused rotating refresh token lives.
const refreshInactivity = 90 * 24 * time.Hour

// baseScopes are the scopes the demo app has added in the developer
// console. Routes registered with api add theirs.
var baseScopes = []string{
	"offline_access", "read:me",
	// Jira classic.
	"read:jira-work", "write:jira-work", "read:jira-user", "manage:jira-project",
	"manage:jira-configuration", "manage:jira-webhook",
	// Jira granular (a selection).
	"read:issue:jira", "write:issue:jira", "read:issue-details:jira", "read:field:jira",
	"read:project:jira", "read:user:jira", "read:status:jira", "read:priority:jira",
	"read:issue-meta:jira", "read:issue-link-type:jira", "write:comment:jira",
	"write:issue-worklog:jira", "write:issue-link:jira", "write:issue.watcher:jira",
	// Confluence classic.
	"read:confluence-content.all", "read:confluence-content.summary",
	"read:confluence-space.summary", "read:confluence-user", "write:confluence-content",
	"search:confluence", "manage:confluence-configuration",
	// Confluence granular.
	"read:page:confluence", "write:page:confluence", "read:space:confluence",
	"read:hierarchical-content:confluence", "read:content.metadata:confluence",
	"read:content-details:confluence", "read:label:confluence", "write:label:confluence",
}

// authState is the authorization server's state, guarded by its own mutex.
type authState struct {
	mu           sync.Mutex
	autoApprove  bool
	appName      string
	redirectURIs map[string]bool
	knownScopes  map[string]bool
	scopeOrder   []string
	pending      map[string]*consentRequest
	codes        map[string]*authCode
	access       map[string]*accessToken
	refresh      map[string]*refreshToken
	families     []*family
	omitRefresh  int // refreshes left that answer without a refresh_token
	stats        Stats
}

// Stats counts what the authorization server and the gateway have done.
type Stats struct {
	// Authorizations counts codes issued by /authorize.
	Authorizations int
	// CodeExchanges counts successful authorization_code grants.
	CodeExchanges int
	// Refreshes counts successful refresh_token grants (reuses included).
	Refreshes int
	// RefreshReuses counts refreshes that reused the previous refresh token
	// within the reuse interval.
	RefreshReuses int
	// FamilyRevocations counts token families revoked (by reuse detection,
	// code reuse, /oauth/revoke, RevokeAll or RevokeFamily).
	FamilyRevocations int
	// InvalidGrants counts token requests answered invalid_grant.
	InvalidGrants int
	// ActiveFamilies is the number of families not revoked.
	ActiveFamilies int
	// RateLimited counts 429s from the burst and per-issue limiters.
	RateLimited int
	// FaultsServed counts requests an injected fault acted on.
	FaultsServed int
}

type consentRequest struct {
	id          string
	redirectURI string
	state       string
	scopes      []string
	challenge   string
	expires     time.Time
}

type authCode struct {
	clientID    string
	redirectURI string
	scopes      []string
	accountID   string
	challenge   string
	expires     time.Time
	used        bool
	fam         *family // the family the code was exchanged for
}

// family is the set of tokens descending from one consent (one code
// exchange, or one IssueToken call).
type family struct {
	id         int
	clientID   string
	accountID  string
	scopes     []string
	revoked    bool
	maxUsedGen int // highest generation of a refresh token exchanged so far
	access     []*accessToken
	refresh    []*refreshToken
}

type accessToken struct {
	fam      *family
	expires  time.Time
	revokeAt time.Time // zero: not scheduled
}

type refreshToken struct {
	fam       *family
	gen       int
	issued    time.Time
	used      bool
	usedAt    time.Time
	companion *accessToken
}

// TokenPair is what a token grant returns.
type TokenPair struct {
	// AccessToken is the bearer token for the gateway.
	AccessToken string
	// RefreshToken is the rotating refresh token ("" without offline_access).
	RefreshToken string
	// Scope is the space-separated granted scopes.
	Scope string
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int
	// Expiry is when the access token expires, by the server's clock.
	Expiry time.Time
}

// Token returns the pair as an *oauth2.Token.
func (p TokenPair) Token() *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  p.AccessToken,
		RefreshToken: p.RefreshToken,
		TokenType:    "Bearer",
		Expiry:       p.Expiry,
		ExpiresIn:    int64(p.ExpiresIn),
	}
}

func (a *authState) init(s *Server) {
	a.autoApprove = s.cfg.autoApprove
	a.appName = "atlassian-mcp (sandbox)"
	a.redirectURIs = map[string]bool{
		"http://localhost:8765/callback": true,
		"http://127.0.0.1:8765/callback": true,
	}
	for _, u := range s.cfg.redirectURIs {
		a.redirectURIs[u] = true
	}
	a.knownScopes = map[string]bool{}
	a.addScopes(baseScopes)
	a.pending = map[string]*consentRequest{}
	a.codes = map[string]*authCode{}
	a.access = map[string]*accessToken{}
	a.refresh = map[string]*refreshToken{}
}

// addScopes adds scopes to the app's known scopes (caller holds mu or the
// server is not serving yet).
func (a *authState) addScopes(scopes []string) {
	for _, sc := range scopes {
		if !a.knownScopes[sc] {
			a.knownScopes[sc] = true
			a.scopeOrder = append(a.scopeOrder, sc)
		}
	}
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SetAutoApprove turns the consent page off (true) or on (false).
func (s *Server) SetAutoApprove(on bool) {
	s.auth.mu.Lock()
	s.auth.autoApprove = on
	s.auth.mu.Unlock()
}

// RegisterRedirectURI adds a redirect URI to the OAuth app, for tests whose
// callback listens on a random port.
func (s *Server) RegisterRedirectURI(uri string) {
	s.auth.mu.Lock()
	s.auth.redirectURIs[uri] = true
	s.auth.mu.Unlock()
}

// Scopes returns every scope the OAuth app may request.
func (s *Server) Scopes() []string {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	return append([]string(nil), s.auth.scopeOrder...)
}

// OAuth2Config returns an oauth2.Config for the sandbox's app with the
// given redirect URL (register it first unless it is one of the demo
// app's) and scopes (all of the app's scopes when none are given). The
// client authenticates in the request body; set Endpoint.AuthStyle to
// oauth2.AuthStyleInHeader for HTTP Basic, which the sandbox accepts too.
// Authorization URLs need AuthCodeURLOptions.
func (s *Server) OAuth2Config(redirectURL string, scopes ...string) *oauth2.Config {
	if len(scopes) == 0 {
		scopes = s.Scopes()
	}
	return &oauth2.Config{
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		RedirectURL:  redirectURL,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   s.URL + "/authorize",
			TokenURL:  s.URL + "/oauth/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// AuthCodeURLOptions are the parameters Atlassian requires on the
// authorization URL besides those oauth2.Config adds: audience and prompt.
func AuthCodeURLOptions() []oauth2.AuthCodeOption {
	return []oauth2.AuthCodeOption{
		oauth2.SetAuthURLParam("audience", Audience),
		oauth2.SetAuthURLParam("prompt", "consent"),
	}
}

// IssueToken mints a fresh token family for the site admin directly, as if
// the admin had consented to scopes (all of the app's scopes when none are
// given), so REST tests need no browser flow. The pair includes a refresh
// token only when offline_access is among the scopes.
func (s *Server) IssueToken(scopes ...string) TokenPair {
	p, err := s.IssueTokenAs(s.users[0].AccountID, scopes...)
	if err != nil {
		panic("sandbox: " + err.Error())
	}
	return p
}

// IssueTokenAs is IssueToken for another user of the site. It fails for an
// unknown account or an unknown scope.
func (s *Server) IssueTokenAs(accountID string, scopes ...string) (TokenPair, error) {
	if s.userByID(accountID) == nil {
		return TokenPair{}, errorf("unknown account id %q", accountID)
	}
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(scopes) == 0 {
		scopes = append([]string(nil), a.scopeOrder...)
	}
	if bad := a.unknownScopes(scopes); len(bad) > 0 {
		return TokenPair{}, errorf("unknown scopes: %s", strings.Join(bad, " "))
	}
	fam := a.newFamily(s.ClientID, accountID, normalizeScopes(scopes))
	return a.mint(s, fam, 1), nil
}

func (a *authState) unknownScopes(scopes []string) []string {
	var bad []string
	for _, sc := range scopes {
		if !a.knownScopes[sc] {
			bad = append(bad, sc)
		}
	}
	return bad
}

// normalizeScopes drops duplicates, keeping the first occurrence's order.
func normalizeScopes(scopes []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, sc := range scopes {
		if sc != "" && !seen[sc] {
			seen[sc] = true
			out = append(out, sc)
		}
	}
	return out
}

func hasScope(scopes []string, sc string) bool {
	for _, x := range scopes {
		if x == sc {
			return true
		}
	}
	return false
}

// newFamily starts a token family (caller holds mu).
func (a *authState) newFamily(clientID, accountID string, scopes []string) *family {
	fam := &family{id: len(a.families) + 1, clientID: clientID, accountID: accountID, scopes: scopes}
	a.families = append(a.families, fam)
	a.stats.ActiveFamilies++
	return fam
}

// mint issues an access token, and a refresh token of generation gen when
// the family has offline_access (caller holds mu).
func (a *authState) mint(s *Server, fam *family, gen int) TokenPair {
	now := s.now()
	at := &accessToken{fam: fam, expires: now.Add(s.cfg.accessTTL)}
	atValue := "sbx_at_" + randomToken(32)
	a.access[atValue] = at
	fam.access = append(fam.access, at)
	p := TokenPair{
		AccessToken: atValue,
		Scope:       strings.Join(fam.scopes, " "),
		ExpiresIn:   int(s.cfg.accessTTL / time.Second),
		Expiry:      at.expires,
	}
	if hasScope(fam.scopes, "offline_access") {
		rt := &refreshToken{fam: fam, gen: gen, issued: now, companion: at}
		rtValue := "sbx_rt_" + randomToken(32)
		a.refresh[rtValue] = rt
		fam.refresh = append(fam.refresh, rt)
		p.RefreshToken = rtValue
	}
	return p
}

// revokeFamily revokes every token of fam (caller holds mu).
func (a *authState) revokeFamily(fam *family) {
	if fam == nil || fam.revoked {
		return
	}
	fam.revoked = true
	a.stats.FamilyRevocations++
	a.stats.ActiveFamilies--
}

// RevokeAll revokes every token family, as when the user revokes the app's
// access in their Atlassian account settings. It returns how many families
// it revoked.
func (s *Server) RevokeAll() int {
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, fam := range a.families {
		if !fam.revoked {
			a.revokeFamily(fam)
			n++
		}
	}
	return n
}

// RevokeFamily revokes the family that token (an access or refresh token)
// belongs to, and reports whether the token was known.
func (s *Server) RevokeFamily(token string) bool {
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	fam := a.familyOf(token)
	a.revokeFamily(fam)
	return fam != nil
}

// ExpireAccessTokens makes every access token issued so far expire now, as
// if their lifetime had passed. Refresh tokens are unaffected.
func (s *Server) ExpireAccessTokens() {
	a := s.auth
	now := s.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, at := range a.access {
		if at.expires.After(now) {
			at.expires = now
		}
	}
}

// OmitNextRefreshTokens makes the next n successful refreshes answer with
// a new access token but no refresh_token, as Atlassian has been seen to do
// (ATLASSIAN.md §1.4); the refresh token used then stays valid, unrotated.
// Clients must keep their old refresh token when the field is absent.
func (s *Server) OmitNextRefreshTokens(n int) {
	s.auth.mu.Lock()
	s.auth.omitRefresh = n
	s.auth.mu.Unlock()
}

// HTTPClient returns an HTTP client that sends a fresh access token for the
// site admin (IssueToken(scopes...)) on every request, for tests of REST
// code that do not care about the OAuth flow.
func (s *Server) HTTPClient(scopes ...string) *http.Client {
	p := s.IssueToken(scopes...)
	return oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(p.Token()))
}

// Stats returns the authorization server's and gateway's counters.
func (s *Server) Stats() Stats {
	s.auth.mu.Lock()
	st := s.auth.stats
	s.auth.mu.Unlock()
	s.limits.mu.Lock()
	st.RateLimited = s.limits.rateLimited
	s.limits.mu.Unlock()
	s.faults.mu.Lock()
	st.FaultsServed = s.faults.served
	s.faults.mu.Unlock()
	return st
}

func (a *authState) familyOf(token string) *family {
	if at := a.access[token]; at != nil {
		return at.fam
	}
	if rt := a.refresh[token]; rt != nil {
		return rt.fam
	}
	return nil
}

// accessTokenValid looks up a bearer token and returns its family when the
// token is live at now (caller holds mu).
func (a *authState) accessTokenValid(token string, now time.Time) *family {
	at := a.access[token]
	if at == nil || at.fam.revoked || !now.Before(at.expires) {
		return nil
	}
	if !at.revokeAt.IsZero() && !now.Before(at.revokeAt) {
		return nil
	}
	return at.fam
}

// ---------------------------------------------------------------------------
// /authorize

// handleAuthorize serves GET /authorize.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a := s.auth
	clientID := q.Get("client_id")
	redirectURI := q.Get("redirect_uri")
	if clientID == "" || clientID != s.ClientID {
		authorizePage(w, http.StatusBadRequest, "Something went wrong",
			"The app's client_id is missing or unknown. Check the client id in the authorization URL.")
		return
	}
	a.mu.Lock()
	registered := a.redirectURIs[redirectURI]
	auto := a.autoApprove
	a.mu.Unlock()
	if redirectURI == "" || !registered {
		authorizePage(w, http.StatusBadRequest, "Something went wrong",
			"The redirect_uri is missing or does not match a callback URL registered for this app.")
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) {
		redirectWith(w, r, redirectURI, url.Values{"error": {code}, "error_description": {desc}}, state)
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "response_type must be code")
		return
	}
	if q.Get("audience") != Audience {
		fail("invalid_request", "audience must be "+Audience)
		return
	}
	if state == "" {
		fail("invalid_request", "state is required")
		return
	}
	if q.Get("prompt") != "consent" {
		fail("invalid_request", "prompt must be consent")
		return
	}
	scopes := normalizeScopes(strings.Fields(q.Get("scope")))
	if len(scopes) == 0 {
		fail("invalid_scope", "scope is required")
		return
	}
	a.mu.Lock()
	bad := a.unknownScopes(scopes)
	a.mu.Unlock()
	if len(bad) > 0 {
		fail("invalid_scope", "unknown scope: "+strings.Join(bad, " "))
		return
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		fail("invalid_request", "code_challenge_method without code_challenge")
		return
	case challenge != "" && method != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
		return
	case challenge != "" && (len(challenge) != 43 || strings.Trim(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != ""):
		fail("invalid_request", "code_challenge must be a base64url SHA-256 digest")
		return
	}
	req := &consentRequest{
		id: randomToken(18), redirectURI: redirectURI, state: state, scopes: scopes,
		challenge: challenge, expires: s.now().Add(10 * time.Minute),
	}
	if auto {
		s.approve(w, r, req)
		return
	}
	a.mu.Lock()
	a.pending[req.id] = req
	a.mu.Unlock()
	s.consentPage(w, req)
}

// handleConsent serves POST /authorize/consent, the consent form's target.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		authorizePage(w, http.StatusBadRequest, "Something went wrong", "The consent form could not be read.")
		return
	}
	a := s.auth
	a.mu.Lock()
	req := a.pending[r.PostForm.Get("consent_id")]
	delete(a.pending, r.PostForm.Get("consent_id"))
	a.mu.Unlock()
	if req == nil || !s.now().Before(req.expires) {
		authorizePage(w, http.StatusBadRequest, "This request has expired",
			"Start the connection again from the app.")
		return
	}
	switch r.PostForm.Get("action") {
	case "accept":
		s.approve(w, r, req)
	case "deny":
		redirectWith(w, r, req.redirectURI, url.Values{
			"error":             {"access_denied"},
			"error_description": {"The user denied the request"},
		}, req.state)
	default:
		authorizePage(w, http.StatusBadRequest, "Something went wrong", "Choose Accept or Deny.")
	}
}

// approve issues a code for req and redirects to the app.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, req *consentRequest) {
	a := s.auth
	code := randomToken(24)
	a.mu.Lock()
	a.codes[code] = &authCode{
		clientID: s.ClientID, redirectURI: req.redirectURI, scopes: req.scopes,
		accountID: s.users[0].AccountID, challenge: req.challenge,
		expires: s.now().Add(s.cfg.codeTTL),
	}
	a.stats.Authorizations++
	a.mu.Unlock()
	redirectWith(w, r, req.redirectURI, url.Values{"code": {code}}, req.state)
}

// redirectWith redirects to a registered redirect URI with params (and state
// when non-empty) added to its query.
func redirectWith(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values, state string) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		authorizePage(w, http.StatusBadRequest, "Something went wrong", "The redirect_uri is not a valid URL.")
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// ---------------------------------------------------------------------------
// /oauth/token

// tokenError writes the token endpoint's error shape.
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// Token endpoint errors (status, error, error_description), as Atlassian's
// Auth0-based server answers them.
var (
	errUnauthorizedClient = tokenErr{http.StatusUnauthorized, "access_denied", "Unauthorized"}
	errInvalidRefresh     = tokenErr{http.StatusForbidden, "invalid_grant", "Unknown or invalid refresh token."}
	errInvalidCode        = tokenErr{http.StatusForbidden, "invalid_grant", "Invalid authorization code"}
)

type tokenErr struct {
	status     int
	code, desc string
}

func (e tokenErr) Error() string { return e.code + ": " + e.desc }

// readTokenRequest reads and parses the body of a token or revoke request
// (at most 64 KB; client credentials from the body or Basic auth). On a bad
// request it has answered Atlassian's invalid_request and returns false.
func readTokenRequest(w http.ResponseWriter, r *http.Request) (tokenRequest, bool) {
	body, err := readLimited(r, 64<<10)
	if err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "The request body is too large or unreadable.")
		return tokenRequest{}, false
	}
	user, pass, hasBasic := r.BasicAuth()
	req, err := parseTokenRequest(r.Header.Get("Content-Type"), body, user, pass, hasBasic)
	if err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return tokenRequest{}, false
	}
	return req, true
}

// handleToken serves POST /oauth/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	req, ok := readTokenRequest(w, r)
	if !ok {
		return
	}
	pair, terr := s.grant(req)
	if terr != nil {
		tokenError(w, terr.status, terr.code, terr.desc)
		return
	}
	resp := map[string]any{
		"access_token": pair.AccessToken,
		"expires_in":   pair.ExpiresIn,
		"scope":        pair.Scope,
		"token_type":   "Bearer",
	}
	if pair.RefreshToken != "" {
		resp["refresh_token"] = pair.RefreshToken
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, resp)
}

// checkClient authenticates the client of a token or revoke request.
func (s *Server) checkClient(req tokenRequest) *tokenErr {
	if req.ClientID == "" || req.ClientID != s.ClientID || req.ClientSecret == "" ||
		subtle.ConstantTimeCompare([]byte(req.ClientSecret), []byte(s.ClientSecret)) != 1 {
		e := errUnauthorizedClient
		return &e
	}
	return nil
}

// grant runs a token grant.
func (s *Server) grant(req tokenRequest) (TokenPair, *tokenErr) {
	switch req.GrantType {
	case "authorization_code", "refresh_token":
	case "":
		return TokenPair{}, &tokenErr{http.StatusBadRequest, "invalid_request", "Missing required parameter: grant_type"}
	default:
		return TokenPair{}, &tokenErr{http.StatusForbidden, "unsupported_grant_type", "Unsupported grant type: " + req.GrantType}
	}
	if e := s.checkClient(req); e != nil {
		return TokenPair{}, e
	}
	a := s.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	var pair TokenPair
	var e *tokenErr
	if req.GrantType == "authorization_code" {
		pair, e = s.exchangeCode(req)
	} else {
		pair, e = s.exchangeRefresh(req)
	}
	if e != nil && e.code == "invalid_grant" {
		a.stats.InvalidGrants++
	}
	return pair, e
}

// exchangeCode runs the authorization_code grant (caller holds auth.mu).
func (s *Server) exchangeCode(req tokenRequest) (TokenPair, *tokenErr) {
	a := s.auth
	if req.Code == "" {
		return TokenPair{}, &tokenErr{http.StatusBadRequest, "invalid_request", "Missing required parameter: code"}
	}
	c := a.codes[req.Code]
	if c == nil || c.clientID != req.ClientID {
		e := errInvalidCode
		return TokenPair{}, &e
	}
	if c.used {
		// A replayed code: per OAuth practice, revoke what it produced.
		a.revokeFamily(c.fam)
		e := errInvalidCode
		return TokenPair{}, &e
	}
	c.used = true
	if !s.now().Before(c.expires) {
		e := errInvalidCode
		return TokenPair{}, &e
	}
	if req.RedirectURI != c.redirectURI {
		return TokenPair{}, &tokenErr{http.StatusForbidden, "invalid_grant", "Invalid redirect_uri: it does not match the authorization request."}
	}
	if c.challenge != "" {
		sum := sha256.Sum256([]byte(req.CodeVerifier))
		if req.CodeVerifier == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			return TokenPair{}, &tokenErr{http.StatusForbidden, "invalid_grant", "Failed to verify code verifier"}
		}
	}
	c.fam = a.newFamily(c.clientID, c.accountID, c.scopes)
	a.stats.CodeExchanges++
	return a.mint(s, c.fam, 1), nil
}

// exchangeRefresh runs the refresh_token grant with rotation (caller holds
// auth.mu). Auth0's rules: an unused refresh token rotates; the
// most recently exchanged generation may be reused within the reuse
// interval (each reuse yields a new pair); anything else (a token older than
// that, or a reuse after the interval) revokes the whole family.
func (s *Server) exchangeRefresh(req tokenRequest) (TokenPair, *tokenErr) {
	a := s.auth
	if req.RefreshToken == "" {
		return TokenPair{}, &tokenErr{http.StatusBadRequest, "invalid_request", "Missing required parameter: refresh_token"}
	}
	now := s.now()
	rt := a.refresh[req.RefreshToken]
	if rt == nil || rt.fam.clientID != req.ClientID || rt.fam.revoked {
		e := errInvalidRefresh
		return TokenPair{}, &e
	}
	fam := rt.fam
	reuse := s.cfg.reuseInterval
	if a.omitRefresh > 0 && !rt.used && rt.gen >= fam.maxUsedGen && now.Sub(rt.issued) <= refreshInactivity {
		// The response some users observed: a new access token and no
		// refresh_token. The refresh token used stays valid, unrotated.
		a.omitRefresh--
		a.stats.Refreshes++
		p := a.mint(s, fam, rt.gen)
		delete(a.refresh, p.RefreshToken)
		fam.refresh = fam.refresh[:len(fam.refresh)-1]
		p.RefreshToken = ""
		return p, nil
	}
	if !rt.used {
		if rt.gen < fam.maxUsedGen {
			a.revokeFamily(fam)
			e := errInvalidRefresh
			return TokenPair{}, &e
		}
		if now.Sub(rt.issued) > refreshInactivity {
			e := errInvalidRefresh
			return TokenPair{}, &e
		}
		rt.used = true
		rt.usedAt = now
		if rt.gen > fam.maxUsedGen {
			fam.maxUsedGen = rt.gen
		}
		if rt.companion != nil && rt.companion.revokeAt.IsZero() {
			rt.companion.revokeAt = now.Add(reuse)
		}
	} else {
		if rt.gen != fam.maxUsedGen || !now.Before(rt.usedAt.Add(reuse)) {
			a.revokeFamily(fam)
			e := errInvalidRefresh
			return TokenPair{}, &e
		}
		a.stats.RefreshReuses++
	}
	a.stats.Refreshes++
	return a.mint(s, fam, rt.gen+1), nil
}

// handleRevoke serves POST /oauth/revoke: it revokes the family of the
// given token. Atlassian advertises this endpoint in its server metadata but
// does not document it for 3LO apps; like RFC 7009 it answers 200 for any
// token once the client is authenticated.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	req, ok := readTokenRequest(w, r)
	if !ok {
		return
	}
	if e := s.checkClient(req); e != nil {
		tokenError(w, e.status, e.code, e.desc)
		return
	}
	if req.Token == "" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter: token")
		return
	}
	a := s.auth
	a.mu.Lock()
	if fam := a.familyOf(req.Token); fam != nil && fam.clientID == req.ClientID {
		a.revokeFamily(fam)
	}
	a.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// handleMetadata serves the authorization server metadata (RFC 8414), shaped
// like auth.atlassian.com's.
func (s *Server) handleMetadata(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.URL + "/",
		"authorization_endpoint":                s.URL + "/authorize",
		"token_endpoint":                        s.URL + "/oauth/token",
		"revocation_endpoint":                   s.URL + "/oauth/revoke",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"scopes_supported":                      s.Scopes(),
	})
}

// traceID returns a fresh atl-traceid value.
func traceID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
