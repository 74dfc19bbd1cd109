package sandbox

import (
	"html/template"
	"net/http"
	"strings"
)

// The consent screen: a small page naming the app, the sites (every site of
// the server: the grant covers them all) and the scopes, with Accept and
// Deny buttons that POST to /authorize/consent.

var consentTmpl = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.App}} is requesting access to your Atlassian account</title>
<style>body{font-family:sans-serif;max-width:40em;margin:3em auto;color:#172b4d}li{margin:.2em 0}
button{font-size:1em;padding:.5em 1.5em;margin-right:1em}</style></head>
<body>
<h1>{{.App}} is requesting access to your Atlassian account</h1>
<p>Signed in as <strong>{{.User}}</strong> ({{.Email}}).</p>
<p>Use app on: {{range $i, $s := .Sites}}{{if $i}}, {{end}}<strong>{{$s}}</strong>{{end}}</p>
<p>This app wants to:</p>
<ul id="scopes">{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>
<form method="post" action="/authorize/consent">
<input type="hidden" name="consent_id" value="{{.ConsentID}}">
<button type="submit" name="action" value="accept">Accept</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>
</body></html>
`))

var errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1><p>{{.Detail}}</p></body></html>
`))

// consentPage renders the consent screen for req.
func (s *Server) consentPage(w http.ResponseWriter, req *consentRequest) {
	admin := s.users[0]
	var sites []string
	for _, site := range s.Sites() {
		sites = append(sites, strings.TrimPrefix(site.SiteURL, "https://"))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(http.StatusOK)
	_ = consentTmpl.Execute(w, map[string]any{
		"App":       s.auth.appName,
		"User":      admin.DisplayName,
		"Email":     admin.Email,
		"Sites":     sites,
		"Scopes":    req.scopes,
		"ConsentID": req.id,
	})
}

// authorizePage renders an error page on the authorization server, used
// where redirecting would be unsafe (unknown client, unregistered
// redirect_uri).
func authorizePage(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = errorTmpl.Execute(w, map[string]string{"Title": title, "Detail": detail})
}
