package sandbox

import (
	"context"
	"time"
)

// Option configures a Server at NewServer.
type Option func(*config)

// config is what the options set.
type config struct {
	addr           string
	products       []Product
	empty          bool
	generated      *SiteSpec
	clock          func() time.Time
	sleep          func(ctx context.Context, d time.Duration) error
	autoApprove    bool
	redirectURIs   []string
	accessTTL      time.Duration
	reuseInterval  time.Duration
	codeTTL        time.Duration
	latency        time.Duration
	rateLimits     RateLimits
	noRateLimits   bool
	maxLoggedBytes int
	sites          int
}

func defaultConfig() config {
	return config{
		products:       []Product{Jira, Confluence},
		accessTTL:      time.Hour,
		reuseInterval:  10 * time.Minute,
		codeTTL:        5 * time.Minute,
		rateLimits:     DefaultRateLimits(),
		maxLoggedBytes: 4096,
		sites:          1,
	}
}

// WithAddr makes the server listen on addr (e.g. "127.0.0.1:8990") instead
// of a random loopback port.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithProducts sets the products the site has (default: Jira and
// Confluence). A product the site lacks is absent from accessible-resources
// and its gateway routes answer like Atlassian does for an unknown site.
func WithProducts(products ...Product) Option {
	return func(c *config) { c.products = append([]Product(nil), products...) }
}

// WithEmptySite seeds only the users and the OAuth app: no projects, issues,
// spaces or pages.
func WithEmptySite() Option { return func(c *config) { c.empty = true; c.generated = nil } }

// WithGeneratedSite fills the site from spec (a large generated site for
// performance work) instead of the demo data.
func WithGeneratedSite(spec SiteSpec) Option {
	return func(c *config) { c.generated = &spec; c.empty = false }
}

// WithClock makes the server read the time from now instead of the wall
// clock: token expiry, rotation intervals, rate-limit windows and product
// timestamps all follow it. Tests use a fake clock they advance.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithSleep makes the server wait through sleep instead of a timer: the
// latency of WithLatency and of latency faults. sleep returns an error when
// ctx (the request's) ends first. Tests pass a fake clock's Sleep to see
// the waits exactly instead of timing them.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *config) { c.sleep = sleep }
}

// WithAutoApprove makes /authorize skip the consent page and redirect at
// once with a code, as if the admin had clicked Accept.
func WithAutoApprove() Option { return func(c *config) { c.autoApprove = true } }

// WithRedirectURI registers another redirect URI for the OAuth app (the
// demo app registers http://localhost:8765/callback and
// http://127.0.0.1:8765/callback).
func WithRedirectURI(uri string) Option {
	return func(c *config) { c.redirectURIs = append(c.redirectURIs, uri) }
}

// WithAccessTokenTTL sets the access tokens' lifetime (default 1 hour,
// returned as expires_in).
func WithAccessTokenTTL(d time.Duration) Option { return func(c *config) { c.accessTTL = d } }

// WithReuseInterval sets the rotating refresh tokens' reuse interval, the
// leeway after an exchange during which the previous refresh token still
// works and after which its access token is revoked (default 10 minutes).
func WithReuseInterval(d time.Duration) Option { return func(c *config) { c.reuseInterval = d } }

// WithLatency adds d of latency to every gateway API request
// (schema-discovery benchmarks use 20 ms).
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithRateLimits sets the burst limiter's rates (see RateLimits).
func WithRateLimits(l RateLimits) Option {
	return func(c *config) { c.rateLimits = l; c.noRateLimits = false }
}

// WithoutRateLimits turns the burst and per-issue write limiters off.
func WithoutRateLimits() Option { return func(c *config) { c.noRateLimits = true } }

// MaxSites is the most sites WithSites gives a server.
const MaxSites = 5

// WithSites makes the OAuth grant cover n sites (default 1, at most
// MaxSites): the demo site, then n-1 small "lab" sites, each with its own
// cloud id, name, URL and data (one Jira project and one Confluence space,
// LAB on the first, LAB3 on the next, ...; none under WithEmptySite), for
// clients that must choose a site. Every site has the server's products; the authorization server,
// faults and request log are the server's, and the consent covers all the
// sites. Start refuses another n.
func WithSites(n int) Option { return func(c *config) { c.sites = n } }
