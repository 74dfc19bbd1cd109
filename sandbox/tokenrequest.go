package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// tokenRequest is a parsed /oauth/token or /oauth/revoke request.
type tokenRequest struct {
	GrantType    string
	ClientID     string
	ClientSecret string
	Code         string
	RedirectURI  string
	CodeVerifier string
	RefreshToken string
	Token        string
	Scope        string
}

// tokenFields maps body parameter names to tokenRequest fields.
func (t *tokenRequest) field(name string) *string {
	switch name {
	case "grant_type":
		return &t.GrantType
	case "client_id":
		return &t.ClientID
	case "client_secret":
		return &t.ClientSecret
	case "code":
		return &t.Code
	case "redirect_uri":
		return &t.RedirectURI
	case "code_verifier":
		return &t.CodeVerifier
	case "refresh_token":
		return &t.RefreshToken
	case "token":
		return &t.Token
	case "scope":
		return &t.Scope
	}
	return nil
}

// parseTokenRequest reads a token endpoint body: JSON (what Atlassian
// documents) or form-encoded (what golang.org/x/oauth2 sends), with client
// credentials in the body or in HTTP Basic (user and password already
// decoded from the header, still URL-encoded as RFC 6749 §2.3.1 says).
// Unknown parameters are ignored; repeated or non-string ones are errors.
func parseTokenRequest(contentType string, body []byte, basicUser, basicPass string, hasBasic bool) (tokenRequest, error) {
	var req tokenRequest
	media := ""
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return req, errors.New("malformed Content-Type header")
		}
		media = mt
	} else if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
		media = "application/json"
	} else {
		media = "application/x-www-form-urlencoded"
	}
	switch media {
	case "application/json":
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&m); err != nil {
			return req, errors.New("the request body is not valid JSON")
		}
		if _, err := dec.Token(); err != io.EOF {
			return req, errors.New("the request body is not valid JSON")
		}
		for k, v := range m {
			f := req.field(k)
			if f == nil || v == nil {
				continue
			}
			sv, ok := v.(string)
			if !ok {
				return req, fmt.Errorf("parameter %s must be a string", k)
			}
			*f = sv
		}
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return req, errors.New("the request body is not valid form data")
		}
		for k, vs := range vals {
			f := req.field(k)
			if f == nil {
				continue
			}
			if len(vs) > 1 {
				return req, fmt.Errorf("parameter %s is repeated", k)
			}
			*f = vs[0]
		}
	default:
		return req, fmt.Errorf("unsupported Content-Type %s: send application/json or application/x-www-form-urlencoded", media)
	}
	if hasBasic {
		user, err := url.QueryUnescape(basicUser)
		if err != nil {
			user = basicUser
		}
		pass, err := url.QueryUnescape(basicPass)
		if err != nil {
			pass = basicPass
		}
		if req.ClientID != "" && req.ClientID != user {
			return req, errors.New("client_id in the body differs from the Authorization header")
		}
		if req.ClientSecret != "" && req.ClientSecret != pass {
			return req, errors.New("use one client authentication method, not two")
		}
		req.ClientID, req.ClientSecret = user, pass
	}
	return req, nil
}

// readLimited reads r's body up to limit bytes; more is an error.
func readLimited(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// errorf is fmt.Errorf, kept short for the inspection helpers.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
