package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/internal/atomicfile"
)

// AdminTokenPrefix starts every admin token, so one is recognisable (and
// never mistaken for an agent's "amcp_" token).
const AdminTokenPrefix = "amcpadm_"

// adminTokenFile is the file in the data directory that holds the admin
// token's hash.
const adminTokenFile = "admin-token.json"

// ErrNoAdminToken means no admin token was created yet.
var ErrNoAdminToken = errors.New("no admin token: run 'atlassian-mcp admin token' to create one")

// adminRecord is the admin token file: the token's hash, never the token.
type adminRecord struct {
	TokenSHA256 string    `json:"token_sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// AdminTokens keeps the console's admin token, hashed, in a data
// directory. The token itself is shown once, when it is created.
type AdminTokens struct {
	dir string
}

// NewAdminTokens returns the admin token keeper of dataDir.
func NewAdminTokens(dataDir string) *AdminTokens { return &AdminTokens{dir: dataDir} }

func (a *AdminTokens) path() string { return filepath.Join(a.dir, adminTokenFile) }

// Rotate creates a new admin token, replacing any old one (whose console
// sessions end with it), and returns it. Only its hash is stored.
func (a *AdminTokens) Rotate(now time.Time) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := AdminTokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	rec := adminRecord{TokenSHA256: hashToken(token), CreatedAt: now.UTC()}
	raw, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(a.path(), append(raw, '\n')); err != nil {
		return "", fmt.Errorf("store the admin token's hash: %w", err)
	}
	return token, nil
}

// Created reports when the current admin token was created, or
// ErrNoAdminToken.
func (a *AdminTokens) Created() (time.Time, error) {
	rec, err := a.load()
	if err != nil {
		return time.Time{}, err
	}
	return rec.CreatedAt, nil
}

// current returns the hash of the current admin token.
func (a *AdminTokens) current() (string, error) {
	rec, err := a.load()
	if err != nil {
		return "", err
	}
	return rec.TokenSHA256, nil
}

func (a *AdminTokens) load() (*adminRecord, error) {
	raw, err := os.ReadFile(a.path())
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoAdminToken
	}
	if err != nil {
		return nil, err
	}
	var rec adminRecord
	if err := json.Unmarshal(raw, &rec); err != nil || len(rec.TokenSHA256) != 64 {
		return nil, fmt.Errorf("%s is damaged: rotate the admin token with 'atlassian-mcp admin token --rotate'", a.path())
	}
	return &rec, nil
}

// Verify reports whether token is the current admin token, and its hash.
// The comparison is between fixed-size digests, in constant time.
func (a *AdminTokens) Verify(token string) (string, bool, error) {
	want, err := a.current()
	if err != nil {
		return "", false, err
	}
	got := hashToken(strings.TrimSpace(token))
	return got, subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1, nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
