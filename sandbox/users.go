package sandbox

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"strings"
)

// User is one person (or app account) of the sandbox site.
type User struct {
	// AccountID is the Atlassian account id, shaped like the real ones
	// ("557058:<uuid>" or 24 hex digits).
	AccountID string
	// DisplayName is the person's full name.
	DisplayName string
	// Email is the account's email address (example.com/example.org only).
	Email string
	// TimeZone is an IANA zone name such as "Europe/London".
	TimeZone string
	// AccountType is "atlassian" for people and "app" for app accounts.
	AccountType string
	// Active is false for a deactivated account.
	Active bool
}

// AvatarURL returns the user's avatar URL as Atlassian shapes it (a
// Gravatar-style address keyed by the email hash with an initials default).
func (u *User) AvatarURL(size int) string {
	sum := md5.Sum([]byte(strings.ToLower(u.Email)))
	initials := ""
	for _, f := range strings.Fields(u.DisplayName) {
		initials += strings.ToUpper(f[:1])
	}
	return "https://secure.gravatar.com/avatar/" + hex.EncodeToString(sum[:]) +
		"?d=https%3A%2F%2Favatar-management--avatars.us-west-2.prod.public.atl-paas.net%2Finitials%2F" +
		initials + "-0.png&s=" + strconv.Itoa(size)
}

// seedUsers fills s.users. The first user is the site admin who consents in
// the OAuth flow. The first twelve are active people; then come one
// deactivated former employee and one app account, as real sites have.
func (s *Server) seedUsers() {
	s.users = []*User{
		{"557058:2f1c9a4e-8b7d-4e21-9c3a-5d6f7a8b9c01", "Alex Morgan", "alex.morgan@example.com", "America/New_York", "atlassian", true},
		{"5b10ac8d82e05b22cc7d4ef5", "Priya Raman", "priya.raman@example.com", "Asia/Kolkata", "atlassian", true},
		{"557058:8c3e1f2a-4b5d-4f6e-a7b8-9c0d1e2f3a4b", "Jordan Lee", "jordan.lee@example.com", "America/Los_Angeles", "atlassian", true},
		{"5d53f3cbc6b9320d9ea5bdc2", "Sam Okafor", "sam.okafor@example.com", "Europe/London", "atlassian", true},
		{"557058:d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70", "Maria Garcia", "maria.garcia@example.com", "Europe/Madrid", "atlassian", true},
		{"60a1b2c3d4e5f6a7b8c9d0e1", "Chen Wei", "chen.wei@example.com", "Asia/Shanghai", "atlassian", true},
		{"557058:0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d", "Fatima Haddad", "fatima.haddad@example.com", "Europe/Paris", "atlassian", true},
		{"5f8e7d6c5b4a39281706f5e4", "Lukas Becker", "lukas.becker@example.com", "Europe/Berlin", "atlassian", true},
		{"557058:7e6d5c4b-3a29-4817-b6f5-e4d3c2b1a098", "Emily Chen", "emily.chen@example.org", "America/Chicago", "atlassian", true},
		{"62c4a8e1f0b3d9275e6a1c04", "Noah Williams", "noah.williams@example.org", "Australia/Sydney", "atlassian", true},
		{"557058:5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", "Aisha Bello", "aisha.bello@example.org", "Africa/Lagos", "atlassian", true},
		{"63f1e2d3c4b5a69788796a5b", "Tom Nguyen", "tom.nguyen@example.org", "Asia/Ho_Chi_Minh", "atlassian", true},
		{"5c9d8e7f6a5b4c3d2e1f0a9b", "Riley Former", "riley.former@example.com", "America/Denver", "atlassian", false},
		{"557058:f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f", "Automation for Jira", "automation@example.com", "UTC", "app", true},
	}
}

// userByID returns the user with account id id, or nil. It takes no lock:
// users never change after seeding.
func (s *Server) userByID(id string) *User {
	for _, u := range s.users {
		if u.AccountID == id {
			return u
		}
	}
	return nil
}

// Users returns copies of the site's users (the first is the admin who
// consents in the OAuth flow).
func (s *Server) Users() []User {
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = *u
	}
	return out
}

// Admin returns a copy of the site admin, the user who consents in the
// OAuth flow and whom IssueToken acts as.
func (s *Server) Admin() User { return *s.users[0] }

// itoa is strconv.Itoa, short for the many places ids become strings.
func itoa(n int) string { return strconv.Itoa(n) }
