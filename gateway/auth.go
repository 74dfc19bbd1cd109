package gateway

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// TokenPrefix starts every agent token, so a leaked one is recognisable
// (and scannable) as an atlassian-mcp token.
const TokenPrefix = "amcp_"

// NewToken returns a new bearer token (256 random bits) and its hash for
// the config.
//
// A fast hash is enough: slow password hashes (bcrypt, argon2) exist to
// make guessing low-entropy passwords expensive, but a 256-bit random
// token cannot be guessed however fast each guess is, and a fast hash
// keeps per-request authentication cheap.
func NewToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken returns the hex SHA-256 of token, as the config stores it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticator maps bearer tokens to identities.
//
// Every presented token is hashed first, so whatever its length, the
// comparison is between two 32-byte digests; every registered digest is
// compared (constant time, no early exit), so neither the token's length
// nor which agent (if any) matched shows in the timing.
type Authenticator struct {
	agents []authAgent
	// compare is subtle.ConstantTimeCompare; tests observe it.
	compare func(a, b []byte) int
}

type authAgent struct {
	digest [sha256.Size]byte
	id     *Identity
}

// NewAuthenticator returns an authenticator for the config's agents.
func NewAuthenticator(c *Config) (*Authenticator, error) {
	a := &Authenticator{compare: subtle.ConstantTimeCompare}
	for _, ac := range c.Agents {
		id, err := c.Identity(ac)
		if err != nil {
			return nil, err
		}
		if err := a.Add(ac.TokenSHA256, id); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Add registers an identity under a hex SHA-256 token hash.
func (a *Authenticator) Add(tokenHash string, id *Identity) error {
	if a.compare == nil {
		a.compare = subtle.ConstantTimeCompare
	}
	raw, err := hex.DecodeString(tokenHash)
	if err != nil || len(raw) != sha256.Size {
		return fmt.Errorf("agent %s: token hash must be 64 hex digits", id.Agent)
	}
	var d [sha256.Size]byte
	copy(d[:], raw)
	a.agents = append(a.agents, authAgent{digest: d, id: id})
	return nil
}

// Authenticate returns the identity of an Authorization header value
// ("Bearer <token>"), or nil.
func (a *Authenticator) Authenticate(header string) *Identity {
	token, ok := bearerToken(header)
	sum := sha256.Sum256([]byte(token))
	var found *Identity
	for i := range a.agents {
		if a.compare(sum[:], a.agents[i].digest[:]) == 1 {
			found = a.agents[i].id
		}
	}
	if !ok {
		return nil
	}
	return found
}

// bearerToken extracts the token of a "Bearer" Authorization header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
