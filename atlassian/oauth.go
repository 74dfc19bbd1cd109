package atlassian

import (
	"context"
	"net/http"
	"sort"
	"strings"
)

// Product is an Atlassian product a site resource gives access to.
type Product string

// The products accessible-resources can reveal.
const (
	ProductJira         Product = "jira"
	ProductConfluence   Product = "confluence"
	ProductServiceDesk  Product = "servicedesk"
	ProductUnknown      Product = "unknown"
	accessibleResources         = "/oauth/token/accessible-resources"
)

// Title is the product's display name ("Jira", "Confluence"); an unknown
// product is shown as it is spelled.
func (p Product) Title() string {
	switch p {
	case ProductJira:
		return "Jira"
	case ProductConfluence:
		return "Confluence"
	case ProductServiceDesk:
		return "Jira Service Management"
	}
	return string(p)
}

// Resource is a site the token may use. accessible-resources lists one
// entry per product container, with the same id for the products of one
// site; AccessibleResources merges them, so a site with Jira and
// Confluence is one Resource with both products and every scope.
type Resource struct {
	// ID is the cloud id used in gateway paths.
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	AvatarURL string    `json:"avatarUrl,omitempty"`
	Scopes    []string  `json:"scopes"`
	Products  []Product `json:"products"`
}

// Has reports whether the resource gives access to p.
func (r Resource) Has(p Product) bool {
	for _, q := range r.Products {
		if q == p {
			return true
		}
	}
	return false
}

// ScopeProduct classifies a scope: *:jira, *jira-* → Jira;
// *:confluence, *confluence-* → Confluence; *servicedesk* → Service
// Desk; others ("offline_access", "read:me") → "".
func ScopeProduct(scope string) Product {
	s := strings.ToLower(scope)
	switch {
	case strings.Contains(s, "servicedesk"):
		return ProductServiceDesk
	case strings.HasSuffix(s, ":jira") || strings.Contains(s, "jira-"):
		return ProductJira
	case strings.HasSuffix(s, ":confluence") || strings.Contains(s, "confluence-"):
		return ProductConfluence
	}
	return ""
}

// AccessibleResources lists the sites the token in hc may use (GET
// gatewayURL/oauth/token/accessible-resources), one Resource per cloud id
// with the products detected from the scopes. The order is the
// response's.
//
// Atlassian API: GET https://api.atlassian.com/oauth/token/accessible-resources
// (https://developer.atlassian.com/cloud/oauth/getting-started/making-calls-to-api/)
func AccessibleResources(ctx context.Context, hc *http.Client, gatewayURL string, opts ...Option) ([]Resource, error) {
	c, err := newCore("atlassian", gatewayURL, hc, opts)
	if err != nil {
		return nil, err
	}
	var raw []Resource
	if err := c.do(ctx, newRoute("GET", accessibleResources), nil, nil, &raw); err != nil {
		return nil, err
	}
	return mergeResources(raw), nil
}

// mergeResources merges entries with the same id and classifies products.
func mergeResources(raw []Resource) []Resource {
	var out []Resource
	index := map[string]int{}
	for _, r := range raw {
		i, ok := index[r.ID]
		if !ok {
			index[r.ID] = len(out)
			r.Scopes = append([]string(nil), r.Scopes...)
			r.Products = nil
			out = append(out, r)
		} else {
			m := &out[i]
			if m.Name == "" {
				m.Name = r.Name
			}
			if m.URL == "" {
				m.URL = r.URL
			}
			if m.AvatarURL == "" {
				m.AvatarURL = r.AvatarURL
			}
			m.Scopes = append(m.Scopes, r.Scopes...)
		}
	}
	for i := range out {
		r := &out[i]
		sort.Strings(r.Scopes)
		r.Scopes = compactStrings(r.Scopes)
		seen := map[Product]bool{}
		for _, s := range r.Scopes {
			if p := ScopeProduct(s); p != "" && !seen[p] {
				seen[p] = true
				r.Products = append(r.Products, p)
			}
		}
		if len(r.Products) == 0 {
			r.Products = []Product{ProductUnknown}
		}
		sort.Slice(r.Products, func(a, b int) bool { return r.Products[a] < r.Products[b] })
	}
	return out
}

// Profile is the authenticated user's public profile (GET /me, scope
// read:me).
type Profile struct {
	AccountID       string           `json:"account_id"`
	AccountType     string           `json:"account_type,omitempty"`
	AccountStatus   string           `json:"account_status,omitempty"`
	Email           string           `json:"email,omitempty"`
	Name            string           `json:"name,omitempty"`
	Nickname        string           `json:"nickname,omitempty"`
	Picture         string           `json:"picture,omitempty"`
	ZoneInfo        string           `json:"zoneinfo,omitempty"`
	Locale          string           `json:"locale,omitempty"`
	ExtendedProfile *ExtendedProfile `json:"extended_profile,omitempty"`
}

// ExtendedProfile is /me's extended_profile.
type ExtendedProfile struct {
	JobTitle     string `json:"job_title,omitempty"`
	Organization string `json:"organization,omitempty"`
	Department   string `json:"department,omitempty"`
	Location     string `json:"location,omitempty"`
}

// Me returns the authenticated user's profile (GET gatewayURL/me).
//
// Atlassian API: GET https://api.atlassian.com/me
// (https://developer.atlassian.com/cloud/oauth/getting-started/faq)
func Me(ctx context.Context, hc *http.Client, gatewayURL string, opts ...Option) (*Profile, error) {
	c, err := newCore("atlassian", gatewayURL, hc, opts)
	if err != nil {
		return nil, err
	}
	var out Profile
	if err := c.do(ctx, newRoute("GET", "/me"), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
