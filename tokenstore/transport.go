package tokenstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// HTTPClient returns an *http.Client that authenticates requests to the
// connection's API gateway with its access token (see Transport). ctx must
// live as long as the client is used. Requests to any other host fail
// before a token is attached.
func (s *Store) HTTPClient(ctx context.Context, name string) (*http.Client, error) {
	rt, err := s.Transport(ctx, name, nil)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: rt}, nil
}

// Transport returns an http.RoundTripper that sets the connection's bearer
// token on each request and sends it through base (http.DefaultTransport
// when nil). When the API answers 401 it asks the token source for a newer
// token (another process may have refreshed, or the token was revoked
// early) and retries once with it; request bodies are replayed, so requests
// without GetBody are buffered. Only requests to the connection's APIURL
// host get a token.
func (s *Store) Transport(ctx context.Context, name string, base http.RoundTripper) (http.RoundTripper, error) {
	c, err := s.Get(name)
	if err != nil {
		return nil, err
	}
	api, err := url.Parse(c.APIURL)
	if err != nil || api.Host == "" {
		return nil, fmt.Errorf("connection %q has no valid API URL (%q); run `atlassian-mcp connect` again", name, c.APIURL)
	}
	ts, err := s.TokenSource(ctx, name)
	if err != nil {
		return nil, err
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{Source: ts, Base: base, Host: api.Host}, nil
}

// Transport is the http.RoundTripper returned by Store.Transport.
type Transport struct {
	// Source supplies tokens.
	Source *TokenSource
	// Base sends the requests.
	Base http.RoundTripper
	// Host is the only host (host:port) that receives the token.
	Host string
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	getBody := req.GetBody
	if req.Body != nil && req.Body != http.NoBody {
		if getBody == nil {
			buf, err := io.ReadAll(req.Body)
			req.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("read request body: %w", err)
			}
			getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
		} else {
			req.Body.Close()
		}
	}
	if !strings.EqualFold(req.URL.Host, t.Host) {
		return nil, fmt.Errorf("tokenstore: refusing to send connection %q's token to %s: only %s is configured", t.Source.Name(), req.URL.Host, t.Host)
	}
	tok, err := t.Source.Token()
	if err != nil {
		return nil, err
	}
	resp, err := t.send(req, getBody, tok.Type()+" "+tok.AccessToken)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	next, ierr := t.Source.Invalidate(tok)
	if ierr != nil {
		if errors.Is(ierr, ErrTokenExpired) || errors.Is(ierr, ErrClientRejected) {
			drain(resp)
			return nil, ierr
		}
		return resp, nil // keep the API's own 401
	}
	if next.AccessToken == tok.AccessToken {
		return resp, nil // nothing newer to try: the 401 is about something else
	}
	drain(resp)
	return t.send(req, getBody, next.Type()+" "+next.AccessToken)
}

func (t *Transport) send(req *http.Request, getBody func() (io.ReadCloser, error), auth string) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", auth)
	if getBody != nil {
		body, err := getBody()
		if err != nil {
			return nil, fmt.Errorf("replay request body: %w", err)
		}
		r.Body, r.GetBody = body, getBody
	}
	return t.Base.RoundTrip(r)
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
