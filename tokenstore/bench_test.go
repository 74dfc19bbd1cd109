package tokenstore

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/clocktest"
	"github.com/atlassian-mcp/atlassian-mcp/sandbox"
)

// BenchmarkTokenHot measures Token with a valid access token in memory:
// the path every API call takes.
func BenchmarkTokenHot(b *testing.B) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	s := openTest(b)
	connectSandbox(b, s, srv, "default", time.Time{})
	ts, _ := s.TokenSource(context.Background(), "default")
	if _, err := ts.Token(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ts.Token(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRefresh measures one refresh end to end: file lock, re-read and
// decrypt, the refresh_token grant at the sandbox over loopback HTTP, and the
// durable (fsynced) write of the new pair.
func BenchmarkRefresh(b *testing.B) {
	clock := clocktest.New(time.Now())
	srv := sandbox.NewServer(sandbox.WithEmptySite(), sandbox.WithClock(clock.Now))
	defer srv.Close()
	s := openTest(b, WithClock(clock.Now))
	connectSandbox(b, s, srv, "default", time.Time{})
	ts, _ := s.TokenSource(context.Background(), "default")
	b.ReportAllocs()
	for b.Loop() {
		clock.Advance(time.Hour)
		if _, err := ts.Token(); err != nil {
			b.Fatal(err)
		}
	}
	if st := srv.Stats(); st.FamilyRevocations != 0 {
		b.Fatalf("stats %+v", st)
	}
}

// BenchmarkTransportOverhead measures what the authenticating transport
// adds to a request (token lookup, request clone, header) over a base
// transport that answers at once.
func BenchmarkTransportOverhead(b *testing.B) {
	srv := sandbox.NewServer(sandbox.WithEmptySite())
	defer srv.Close()
	s := openTest(b)
	connectSandbox(b, s, srv, "default", time.Time{})
	rt, err := s.Transport(context.Background(), "default", roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/me", nil)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := rt.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
