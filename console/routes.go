package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
)

func (c *Console) routes() {
	m := http.NewServeMux()
	m.Handle("GET "+prefix+"/assets/", c.assets)
	m.HandleFunc("GET "+prefix+"/login", c.loginPage)
	m.HandleFunc("POST "+prefix+"/login", c.login)
	m.HandleFunc("POST "+prefix+"/logout", c.authed(c.logout))
	m.HandleFunc("GET "+prefix+"/{$}", c.authed(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, prefix+"/connections", http.StatusSeeOther)
	}))
	m.HandleFunc("GET "+prefix+"/connections", c.authed(c.connectionsPage))
	m.HandleFunc("GET "+prefix+"/connections/{name}/health", c.authed(c.healthFragment))
	m.HandleFunc("POST "+prefix+"/connections/{name}/refresh", c.authed(c.refresh))
	m.HandleFunc("GET "+prefix+"/connections/{name}/disconnect", c.authed(c.disconnectConfirm))
	m.HandleFunc("POST "+prefix+"/connections/{name}/disconnect", c.authed(c.disconnect))
	m.HandleFunc("GET "+prefix+"/schema", c.authed(c.schemaPage))
	m.HandleFunc("GET "+prefix+"/tools", c.authed(c.toolsPage))
	m.HandleFunc("GET "+prefix+"/audit", c.authed(c.auditPage))
	m.HandleFunc("GET "+prefix+"/audit/entry", c.authed(c.auditEntry))
	m.HandleFunc("GET "+prefix+"/agents", c.authed(c.agentsPage))
	m.HandleFunc("POST "+prefix+"/agents", c.authed(c.addAgent))
	m.HandleFunc("POST "+prefix+"/agents/{name}/tools", c.authed(c.setAgentTools))
	m.HandleFunc("POST "+prefix+"/agents/{name}/delete", c.authed(c.removeAgent))
	c.connectRoutes(m)
	m.HandleFunc(prefix+"/", c.authed(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, http.StatusNotFound, "There is no console page at "+r.URL.Path+".")
	}))
	c.mux = m
}

// ServeHTTP serves the console under /admin.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.secure(c.mux).ServeHTTP(w, r)
}

type loginView struct {
	Next    string
	Login   string
	NoToken bool
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.renderLogin(w, r, http.StatusOK, "")
}

func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	// Login CSRF: the form carries a value that must match a cookie only
	// this site can set (double submit).
	lv := loginView{Next: safeNext(r.FormValue("next")), Login: randomToken()}
	if _, err := c.tokens.current(); errors.Is(err, ErrNoAdminToken) {
		lv.NoToken = true
	}
	setCookie(w, r, loginCookie, lv.Login, 600)
	c.render(w, r, status, "login", "", view{Title: "Log in", Error: msg, Data: lv})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		c.renderLogin(w, r, http.StatusBadRequest, "The login form could not be read; try again.")
		return
	}
	ck, err := r.Cookie(loginCookie)
	if err != nil || ck.Value == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostFormValue("login"))) != 1 {
		c.renderLogin(w, r, http.StatusForbidden, "This login form expired or did not come from this console; it has been reloaded, log in again.")
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	if token == "" {
		c.renderLogin(w, r, http.StatusBadRequest, "Paste the admin token printed by 'atlassian-mcp admin token'.")
		return
	}
	hash, ok, err := c.tokens.Verify(token)
	switch {
	case errors.Is(err, ErrNoAdminToken):
		c.renderLogin(w, r, http.StatusUnauthorized, "No admin token exists yet: run 'atlassian-mcp admin token' on the server and paste what it prints.")
		return
	case err != nil:
		c.log.Error("console: admin token unreadable", "err", err)
		c.renderLogin(w, r, http.StatusInternalServerError, err.Error())
		return
	case !ok:
		c.log.Warn("console: wrong admin token", "remote", r.RemoteAddr)
		msg := "That is not the admin token. Use the token 'atlassian-mcp admin token' printed (or rotate it with --rotate)."
		if strings.HasPrefix(token, "amcp_") {
			msg = "That is an agent's token: agent tokens call /mcp and never open the console. Use the admin token from 'atlassian-mcp admin token'."
		}
		c.renderLogin(w, r, http.StatusUnauthorized, msg)
		return
	}
	id, _ := c.sessions.create(hash, c.opts.Now())
	setCookie(w, r, loginCookie, "", -1)
	setCookie(w, r, sessionCookie, id, int(maxTTL.Seconds()))
	c.log.Info("console: admin logged in", "remote", r.RemoteAddr)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	c.sessions.end(r)
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, prefix+"/login", http.StatusSeeOther)
}

// safeNext keeps a post-login destination inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, prefix+"/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") ||
		strings.HasPrefix(next, prefix+"/login") {
		return prefix + "/connections"
	}
	return next
}
