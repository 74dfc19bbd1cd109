package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// Session limits: a session ends after idleTTL without a request or
// maxTTL after login, and at most maxSessions live at once (the oldest
// goes first), so a flood of logins cannot grow memory without bound.
const (
	idleTTL     = 2 * time.Hour
	maxTTL      = 12 * time.Hour
	maxSessions = 256

	sessionCookie = "amcp_admin"
	loginCookie   = "amcp_login"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

// session is one logged-in admin browser.
type session struct {
	mu        sync.Mutex // guards flash and wizard
	key       string     // the hash of the cookie value
	csrf      string
	tokenHash string // the admin token it logged in with
	created   time.Time
	seen      time.Time
	// flash is a message for the next page the session sees.
	flash string
	// wizard is the connect wizard in progress, if any.
	wizard *wizard
}

// setFlash leaves msg for the next page of the request's session.
func setFlash(r *http.Request, msg string) {
	if se := sessionFrom(r); se != nil {
		se.mu.Lock()
		se.flash = msg
		se.mu.Unlock()
	}
}

// takeFlash returns and clears the session's message.
func (se *session) takeFlash() string {
	se.mu.Lock()
	defer se.mu.Unlock()
	f := se.flash
	se.flash = ""
	return f
}

// sessions are the console's sessions, in memory: a restart logs admins
// out, which is the safe direction.
type sessions struct {
	mu  sync.Mutex
	all map[string]*session
}

func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create starts a session for an admin who presented the token with
// tokenHash and returns the cookie value.
func (s *sessions) create(tokenHash string, now time.Time) (string, *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.all == nil {
		s.all = map[string]*session{}
	}
	s.sweep(now)
	if len(s.all) >= maxSessions {
		var oldest *session
		for _, se := range s.all {
			if oldest == nil || se.seen.Before(oldest.seen) {
				oldest = se
			}
		}
		delete(s.all, oldest.key)
	}
	id := randomToken()
	se := &session{key: hashToken(id), csrf: randomToken(), tokenHash: tokenHash, created: now, seen: now}
	s.all[se.key] = se
	return id, se
}

// sweep drops expired sessions; s.mu is held.
func (s *sessions) sweep(now time.Time) {
	for k, se := range s.all {
		if se.expired(now) {
			delete(s.all, k)
		}
	}
}

func (se *session) expired(now time.Time) bool {
	return now.Sub(se.seen) > idleTTL || now.Sub(se.created) > maxTTL
}

// lookup returns the live session of the request's cookie whose admin
// token is still current, or nil.
func (s *sessions) lookup(r *http.Request, currentHash string, now time.Time) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	se := s.all[hashToken(c.Value)]
	if se == nil {
		return nil
	}
	if se.expired(now) || subtle.ConstantTimeCompare([]byte(se.tokenHash), []byte(currentHash)) != 1 {
		delete(s.all, se.key)
		return nil
	}
	se.seen = now
	return se
}

// end forgets the request's session.
func (s *sessions) end(r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.all, hashToken(c.Value))
}

// validCSRF reports whether the request carries the session's CSRF token
// in the form field or the header htmx sends.
func (se *session) validCSRF(r *http.Request) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(se.csrf)) == 1
}

// setCookie sets a console cookie: HttpOnly, SameSite=Strict, Secure on
// TLS, scoped to the console's path.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
	})
}
