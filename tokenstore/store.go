// Package tokenstore keeps atlassian-mcp's OAuth 2.0 (3LO) connections: one
// record per named connection (site, products, who connected it and when,
// the OAuth client id) with its secrets (client secret, access token,
// refresh token) sealed with AES-256-GCM under the connection's name.
//
// The records live in a Backend: by default a bbolt file in the data
// directory, opened for one transaction and closed again so several
// servers and CLI commands can share one directory; or a database shared
// by several replicas (package pgstore). The Store seals the secrets before
// any backend sees them.
//
// TokenSource serves a connection's access token from memory and refreshes
// it shortly before it expires, once, under a lock that spans goroutines
// and processes: Atlassian rotates refresh tokens and revokes the whole
// token family when an old one is reused, so the refresh winner writes the
// new pair durably before anyone uses it and everyone else re-reads it.
// HTTPClient wraps that in an *http.Client that also retries once after a
// 401 with a re-read (or refreshed) token.
package tokenstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// DBFileName is the token database's file name in the data directory.
const DBFileName = "tokens.db"

// DefaultConnection is the connection name used when none is given.
const DefaultConnection = "default"

// Status is a connection's health as the product docs name it.
type Status string

// The statuses a connection can have.
const (
	// StatusActive means the tokens work.
	StatusActive Status = "Active"
	// StatusError means something other than an expired grant is wrong
	// (for example the token endpoint rejects the client credentials).
	StatusError Status = "Error"
	// StatusTokenExpired means the refresh token is no longer accepted;
	// the fix is to run `atlassian-mcp connect` again.
	StatusTokenExpired Status = "Token Expired"
)

// Products a connection can cover.
const (
	ProductJira       = "jira"
	ProductConfluence = "confluence"
)

// Site is the Atlassian Cloud site a connection is bound to.
type Site struct {
	// CloudID is the id used in gateway paths (/ex/jira/{cloudId}/...).
	CloudID string `json:"cloud_id"`
	// Name is the site's name ("acme").
	Name string `json:"name"`
	// URL is the site's own address ("https://acme.atlassian.net").
	URL string `json:"url"`
}

// Product is one product of the site that the grant covers, with the
// scopes accessible-resources lists for it.
type Product struct {
	// Name is ProductJira or ProductConfluence (the values of
	// atlassian.Product; tokenstore imports no package of the project).
	Name string `json:"name"`
	// Scopes are the granted scopes for this product.
	Scopes []string `json:"scopes"`
}

// Connection is the non-secret part of a connection record. Everything
// here may be shown to the admin; the secrets live in Secrets, sealed.
type Connection struct {
	// Name identifies the connection (see ValidateName).
	Name string `json:"name"`
	// Site is the connected site.
	Site Site `json:"site"`
	// Products lists the products the grant covers on the site.
	Products []Product `json:"products"`
	// ConnectedBy is the email of the admin who consented.
	ConnectedBy string `json:"connected_by"`
	// ConnectedAt is when the consent flow completed.
	ConnectedAt time.Time `json:"connected_at"`
	// ClientID is the OAuth app's client id.
	ClientID string `json:"client_id"`
	// AuthURL is the authorization server's base URL
	// ("https://auth.atlassian.com"); the token endpoint is AuthURL+"/oauth/token".
	AuthURL string `json:"auth_url"`
	// APIURL is the API gateway's base URL ("https://api.atlassian.com").
	// Access tokens are only ever sent to this host.
	APIURL string `json:"api_url"`
	// Status is the connection's health.
	Status Status `json:"status"`
	// StatusMessage says what is wrong when Status is not Active.
	StatusMessage string `json:"status_message,omitempty"`
	// TokenExpiry is when the stored access token expires.
	TokenExpiry time.Time `json:"token_expiry"`
	// RefreshedAt is when the tokens were last obtained (connect or refresh).
	RefreshedAt time.Time `json:"refreshed_at"`
	// KeyVersion is the encryption key version that sealed the secrets.
	KeyVersion byte `json:"key_version"`
	// Generation counts the writes of the secrets: every refresh adds one.
	Generation uint64 `json:"generation"`
}

// HasProduct reports whether the connection covers the named product.
func (c *Connection) HasProduct(name string) bool {
	for _, p := range c.Products {
		if p.Name == name {
			return true
		}
	}
	return false
}

// Secrets is the sealed part of a connection record.
type Secrets struct {
	// ClientSecret is the OAuth app's client secret.
	ClientSecret string `json:"client_secret"`
	// AccessToken is the current access token.
	AccessToken string `json:"access_token"`
	// TokenType is the access token's type ("Bearer").
	TokenType string `json:"token_type,omitempty"`
	// Expiry is when AccessToken expires.
	Expiry time.Time `json:"expiry"`
	// RefreshToken is the current rotating refresh token.
	RefreshToken string `json:"refresh_token"`
}

// String hides the secrets so a Secrets value can never be logged by
// accident.
func (Secrets) String() string { return "tokenstore.Secrets{redacted}" }

// GoString hides the secrets from %#v as well.
func (s Secrets) GoString() string { return s.String() }

// Errors matched with errors.Is.
var (
	// ErrNotFound means there is no connection by that name.
	ErrNotFound = errors.New("connection not found")
	// ErrDamaged means the token database cannot be read.
	ErrDamaged = errors.New("token database is damaged")
	// ErrBusy means the database or a connection's refresh lock stayed
	// held by another process past the timeout.
	ErrBusy = errors.New("token store is busy")
	// ErrUnavailable means the token store (a shared database) could not
	// be reached or did not answer in time; a later try may succeed.
	ErrUnavailable = errors.New("token store is unavailable")
	// ErrInvalidName means a connection name is not acceptable.
	ErrInvalidName = errors.New("invalid connection name")
)

// ValidateName checks a connection name: 1 to 64 letters, digits, '-' or
// '_', starting with a letter or digit. Names become file names, so
// nothing else is allowed.
func ValidateName(name string) error {
	if !isName(name) {
		return fmt.Errorf("%w %q: use 1-64 letters, digits, '-' or '_', starting with a letter or digit", ErrInvalidName, name)
	}
	return nil
}

// isName reports whether s matches ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$,
// without the 60 KB program that regular expression compiles to: every
// stdio server checks its connection's name on the way to its first
// tools/list (issue 12).
func isName(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] == '-' || s[0] == '_' {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Option configures a Store.
type Option func(*Store)

// WithKeyring sets the encryption keys instead of reading KeyEnv and the
// key file.
func WithKeyring(k *Keyring) Option { return func(s *Store) { s.keys, s.keysFixed = k, true } }

// WithKeySpec sets the value that stands in for the KeyEnv variable
// (empty: use the key file). By default Open reads the environment.
func WithKeySpec(spec string) Option { return func(s *Store) { s.keySpec = spec; s.keySpecSet = true } }

// WithHTTPClient sets the client used to reach the token endpoint
// (default: a client with a 30-second timeout).
func WithHTTPClient(c *http.Client) Option { return func(s *Store) { s.tokenHTTP = c } }

// WithOpenTimeout bounds the wait for the database file lock (default 10s).
func WithOpenTimeout(d time.Duration) Option { return func(s *Store) { s.openTimeout = d } }

// WithLockTimeout bounds the wait for a connection's refresh lock, which
// another process holds while it refreshes (default 45s).
func WithLockTimeout(d time.Duration) Option { return func(s *Store) { s.lockTimeout = d } }

// WithRefreshTimeout bounds one exchange at the token endpoint (default
// 30s). A refresh that times out leaves the old access token in use while
// it is still valid.
func WithRefreshTimeout(d time.Duration) Option { return func(s *Store) { s.refreshTimeout = d } }

// WithRefreshMargin sets how long before expiry an access token is
// refreshed (default 5 minutes).
func WithRefreshMargin(d time.Duration) Option { return func(s *Store) { s.margin = d } }

// WithClock makes the store read the time from now (tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithLogger sets where refresh events are logged (default: nowhere). No
// token or secret is ever logged.
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// Store is the token store: connection records in a Backend (the bbolt
// file in the data directory by default), secrets sealed by the Store
// before the backend sees them. A Store is safe for concurrent use; use one
// per process so all clients of a connection share one TokenSource.
type Store struct {
	b              Backend
	dir            string // where the key file lives; "" when the key must come from KeyEnv
	keySpec        string
	keySpecSet     bool
	tokenHTTP      *http.Client
	openTimeout    time.Duration
	lockTimeout    time.Duration
	refreshTimeout time.Duration
	opTimeout      time.Duration
	margin         time.Duration
	now            func() time.Time
	log            *slog.Logger
	events         Events
	afterExchange  func(name string)

	keyMu     sync.Mutex
	keys      *Keyring
	keysFixed bool // set by WithKeyring: never reloaded

	srcMu   sync.Mutex
	sources map[string]*TokenSource
}

// Events receives what a Store's refreshes do, for metrics. Nil fields are
// skipped. No argument identifies a user.
type Events struct {
	// Refreshed is called after a refresh exchanged and stored a new pair.
	Refreshed func()
	// RefreshFailed is called after a refresh attempt failed, with a short
	// reason ("invalid_grant", "client_rejected", "store", "endpoint", "lock").
	RefreshFailed func(reason string)
}

// WithAfterExchange sets a function called after the token endpoint
// answered a refresh and before the new pair is stored. Tests use it to
// make a process die in the middle of a refresh (a panic unwinds the lock
// without storing anything).
func WithAfterExchange(fn func(name string)) Option { return func(s *Store) { s.afterExchange = fn } }

// WithEvents sets the hooks told about refreshes.
func WithEvents(e Events) Option { return func(s *Store) { s.events = e } }

func (s *Store) refreshed() {
	if s.events.Refreshed != nil {
		s.events.Refreshed()
	}
}

func (s *Store) refreshFailed(reason string) {
	if s.events.RefreshFailed != nil {
		s.events.RefreshFailed(reason)
	}
}

func newStore(opts []Option) *Store {
	s := &Store{
		openTimeout:    10 * time.Second,
		lockTimeout:    45 * time.Second,
		refreshTimeout: 30 * time.Second,
		opTimeout:      15 * time.Second,
		margin:         5 * time.Minute,
		now:            time.Now,
		log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		sources:        map[string]*TokenSource{},
	}
	for _, o := range opts {
		o(s)
	}
	if !s.keySpecSet {
		s.keySpec = os.Getenv(KeyEnv)
	}
	if s.tokenHTTP == nil {
		s.tokenHTTP = &http.Client{Timeout: 30 * time.Second}
	}
	return s
}

// Open returns the store in dir, creating the directory (mode 0700) when it
// is missing. It refuses a directory, database or key file that other users
// can read. The database and key file are created on the first Save.
func Open(dir string, opts ...Option) (*Store, error) {
	if dir == "" {
		return nil, errors.New("tokenstore: no data directory")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	s := newStore(opts)
	s.dir = dir
	s.b = newBoltBackend(dir, s.openTimeout)
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	for _, p := range []string{filepath.Join(dir, DBFileName), filepath.Join(dir, KeyFileName)} {
		if err := statPrivate(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return s, nil
}

// New returns a store over another backend (a database shared by several
// replicas). There is no key file: the keys come from WithKeyring or
// KeyEnv, and New fails when neither is set.
func New(b Backend, opts ...Option) (*Store, error) {
	s := newStore(opts)
	s.b = b
	if !s.keysFixed && strings.TrimSpace(s.keySpec) == "" {
		return nil, fmt.Errorf("%w: %s is required with the store %s (the key file is a single-machine convenience); generate one with `openssl rand -base64 32` and give every replica the same value",
			ErrWrongKey, KeyEnv, b.Location())
	}
	if _, err := s.keyring(false); err != nil {
		return nil, err
	}
	return s, nil
}

// Backend returns where the store keeps its records.
func (s *Store) Backend() Backend { return s.b }

// Dir returns the data directory ("" for a store without one).
func (s *Store) Dir() string { return s.dir }

// Path returns where the records live: the token database's path, or the
// backend's location.
func (s *Store) Path() string { return s.b.Location() }

// Close releases the backend.
func (s *Store) Close() error { return s.b.Close() }

// opCtx bounds one backend operation.
func (s *Store) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.opTimeout)
}

func (s *Store) view(fn func(Tx) error) error {
	ctx, cancel := s.opCtx()
	defer cancel()
	return s.b.View(ctx, fn)
}

func (s *Store) update(fn func(Tx) error) error {
	ctx, cancel := s.opCtx()
	defer cancel()
	return s.b.Update(ctx, fn)
}

// keyring returns the keys, loading them (and creating the key file when
// create is set) on first use.
func (s *Store) keyring(create bool) (*Keyring, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.keys != nil {
		return s.keys, nil
	}
	if s.dir == "" {
		if strings.TrimSpace(s.keySpec) == "" {
			return nil, fmt.Errorf("%w: no encryption key: set %s", ErrWrongKey, KeyEnv)
		}
		k, err := ParseKeyring(KeyEnv, s.keySpec)
		if err != nil {
			return nil, err
		}
		s.keys = k
		return k, nil
	}
	k, err := LoadKeyring(s.dir, s.keySpec, create)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, fmt.Errorf("%w: no encryption key: set %s or restore the key file %s", ErrWrongKey, KeyEnv, filepath.Join(s.dir, KeyFileName))
	}
	s.keys = k
	return k, nil
}

var keyCheckPlain = []byte("atlassian-mcp key check")

// keyCheckAD is the associated data of a key version's check value.
func keyCheckAD(ver byte) []byte { return []byte(fmt.Sprintf("%s%d", keyCheckPrefix, ver)) }

// associatedData binds sealed secrets to their connection, so a ciphertext
// copied into another connection's record does not open.
func associatedData(name string) []byte {
	return []byte("atlassian-mcp/tokenstore/v1/connection\x00" + name)
}

func (s *Store) damaged(cause error) error {
	return fmt.Errorf("%w: %s cannot be read (%v); move it aside and run `atlassian-mcp connect` again", ErrDamaged, s.b.Location(), cause)
}

func (s *Store) notFound(name string) error {
	where := s.dir
	if where == "" {
		where = s.b.Location()
	}
	return fmt.Errorf("%w: no connection %q in %s; run `atlassian-mcp connect --connection %s`", ErrNotFound, name, where, name)
}

// getRecord reads one record inside a transaction.
func (s *Store) getRecord(tx Tx, name string) (*Record, error) {
	r, err := tx.Get(name)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, s.notFound(name)
	}
	return r, nil
}

// sealSecrets encrypts sec for the connection and records the key check
// for the current key version.
func (s *Store) sealSecrets(tx Tx, k *Keyring, r *Record, sec Secrets) error {
	pt, err := json.Marshal(sec)
	if err != nil {
		return err
	}
	r.Sealed = k.seal(pt, associatedData(r.Name))
	r.KeyVersion = k.Current()
	have, err := tx.KeyCheck(k.Current())
	if err != nil {
		return err
	}
	if have == nil {
		return tx.PutKeyCheck(k.Current(), k.seal(keyCheckPlain, keyCheckAD(k.Current())))
	}
	return nil
}

// openSecrets decrypts a record's secrets. When that fails it uses the key
// check to tell a wrong key from a tampered or moved record.
func (s *Store) openSecrets(tx Tx, k *Keyring, r *Record) (Secrets, error) {
	var sec Secrets
	pt, ver, err := k.open(r.Sealed, associatedData(r.Name))
	if err != nil {
		if errors.Is(err, ErrTampered) && ver != 0 {
			if sealed, cerr := tx.KeyCheck(ver); cerr == nil && sealed != nil {
				if _, _, cerr := k.open(sealed, keyCheckAD(ver)); cerr != nil {
					return sec, fmt.Errorf("%w: %s does not hold the key (version %d) that sealed connection %q's secrets; set the right %s or restore the key file",
						ErrWrongKey, k.Source(), ver, r.Name, KeyEnv)
				}
			}
			return sec, fmt.Errorf("connection %q: %w: the record was altered or copied from another connection; run `atlassian-mcp connect --connection %s` again", r.Name, err, r.Name)
		}
		return sec, fmt.Errorf("connection %q: %w", r.Name, err)
	}
	if err := json.Unmarshal(pt, &sec); err != nil {
		return sec, s.damaged(fmt.Errorf("connection %q secrets: %v", r.Name, err))
	}
	return sec, nil
}

// Save stores a connection and its secrets, replacing any connection of the
// same name (a reconnect). Status is set to Active, TokenExpiry and
// RefreshedAt from the secrets. The write is durable when Save returns.
func (s *Store) Save(c Connection, sec Secrets) error {
	if err := ValidateName(c.Name); err != nil {
		return err
	}
	if sec.RefreshToken == "" || sec.AccessToken == "" {
		return errors.New("tokenstore: refusing to save a connection without an access token and a refresh token (was offline_access granted?)")
	}
	k, err := s.keyring(true)
	if err != nil {
		return err
	}
	r := &Record{Connection: c}
	r.Status, r.StatusMessage = StatusActive, ""
	r.TokenExpiry = sec.Expiry
	if r.RefreshedAt.IsZero() {
		r.RefreshedAt = s.now()
	}
	err = s.update(func(tx Tx) error {
		old, err := tx.Get(c.Name)
		if err != nil {
			return err
		}
		if old != nil {
			r.Generation = old.Generation + 1
		}
		if err := s.sealSecrets(tx, k, r, sec); err != nil {
			return err
		}
		return tx.Put(r)
	})
	if err == nil {
		s.forget(c.Name)
	}
	return err
}

// Import stores a record exactly as another store kept it (store copy):
// the public part as it is, the secrets sealed again with this store's
// current key. It refuses to replace a connection that exists.
func (s *Store) Import(c Connection, sec Secrets) error {
	if err := ValidateName(c.Name); err != nil {
		return err
	}
	k, err := s.keyring(true)
	if err != nil {
		return err
	}
	err = s.update(func(tx Tx) error {
		old, err := tx.Get(c.Name)
		if err != nil {
			return err
		}
		if old != nil {
			return fmt.Errorf("connection %q already exists in %s; disconnect it there first", c.Name, s.b.Location())
		}
		r := &Record{Connection: c}
		if err := s.sealSecrets(tx, k, r, sec); err != nil {
			return err
		}
		return tx.Put(r)
	})
	if err == nil {
		s.forget(c.Name)
	}
	return err
}

// Get returns a connection's public part without decrypting anything.
func (s *Store) Get(name string) (Connection, error) {
	if err := ValidateName(name); err != nil {
		return Connection{}, err
	}
	var c Connection
	err := s.view(func(tx Tx) error {
		r, err := s.getRecord(tx, name)
		if err != nil {
			return err
		}
		c = r.Connection
		return nil
	})
	return c, err
}

// Load returns a connection with its decrypted secrets. When they were
// sealed with a key version this Store has not loaded (another process
// rotated the key file), the key file is read again once.
func (s *Store) Load(name string) (Connection, Secrets, error) {
	var (
		c   Connection
		sec Secrets
	)
	err := s.retryKeys(func() error {
		return s.view(func(tx Tx) (err error) {
			c, sec, err = s.loadTx(tx, name)
			return err
		})
	})
	return c, sec, err
}

// retryKeys runs fn, and once more after re-reading the key file when fn
// met a key version this Store has not loaded.
func (s *Store) retryKeys(fn func() error) error {
	err := fn()
	if errors.Is(err, ErrUnknownKeyVersion) && s.dir != "" && s.keySpec == "" && !s.keysFixed {
		s.keyMu.Lock()
		s.keys = nil
		s.keyMu.Unlock()
		err = fn()
	}
	return err
}

// loadTx reads and opens one connection inside a transaction.
func (s *Store) loadTx(tx Tx, name string) (Connection, Secrets, error) {
	if err := ValidateName(name); err != nil {
		return Connection{}, Secrets{}, err
	}
	k, kerr := s.keyring(false)
	r, err := s.getRecord(tx, name)
	if err != nil {
		return Connection{}, Secrets{}, err
	}
	if kerr != nil {
		return r.Connection, Secrets{}, kerr
	}
	sec, err := s.openSecrets(tx, k, r)
	return r.Connection, sec, err
}

// List returns every connection's public part, sorted by name.
func (s *Store) List() ([]Connection, error) {
	var out []Connection
	err := s.view(func(tx Tx) error {
		rs, err := tx.List()
		for _, r := range rs {
			out = append(out, r.Connection)
		}
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Delete removes a connection's record (and, in a data directory, its lock
// file). It reports whether the connection existed.
func (s *Store) Delete(name string) (bool, error) {
	if err := ValidateName(name); err != nil {
		return false, err
	}
	var existed bool
	if err := s.view(func(tx Tx) error {
		r, err := tx.Get(name)
		existed = r != nil
		return err
	}); err != nil || !existed {
		return false, err
	}
	err := s.update(func(tx Tx) (err error) {
		existed, err = tx.Delete(name)
		return err
	})
	if err != nil {
		return false, err
	}
	s.forget(name)
	return existed, nil
}

// SetStatus records a connection's health and a message saying what is
// wrong (empty for Active).
func (s *Store) SetStatus(name string, st Status, msg string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	return s.update(func(tx Tx) error { return s.setStatusTx(tx, name, st, msg) })
}

func (s *Store) setStatusTx(tx Tx, name string, st Status, msg string) error {
	r, err := s.getRecord(tx, name)
	if err != nil {
		return err
	}
	r.Status, r.StatusMessage = st, msg
	return tx.Put(r)
}

// Reencrypt seals every connection's secrets again with the keyring's
// current key version, in one durable transaction, and returns how many
// records it rewrote. Use it after adding a new key version (see
// RotateKeyFile); afterwards the old key version can be dropped.
func (s *Store) Reencrypt() (int, error) {
	k, err := s.keyring(false)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.update(func(tx Tx) error {
		n = 0
		recs, err := tx.List()
		if err != nil {
			return err
		}
		for _, r := range recs {
			sec, err := s.openSecrets(tx, k, r)
			if err != nil {
				return err
			}
			if err := s.sealSecrets(tx, k, r, sec); err != nil {
				return err
			}
			if err := tx.Put(r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// RotateKeyFile rotates the key file in the store's data directory: it
// adds a new random key version, re-encrypts every connection with it, and
// then drops the old versions from the file. A crash in between leaves a
// key file holding both versions, so nothing becomes unreadable. It returns
// the new key version. It refuses when the keys come from KeyEnv: rotate
// those by listing the new key first ("2:NEW,1:OLD") and calling
// Reencrypt.
func (s *Store) RotateKeyFile() (byte, error) {
	if s.dir == "" {
		return 0, fmt.Errorf("the store %s has no key file: its key comes from %s; list the new key first with a higher version (\"2:<new>,1:<old>\"), run rotate-key again (it re-encrypts), then drop the old key", s.b.Location(), KeyEnv)
	}
	if s.keySpec != "" {
		return 0, fmt.Errorf("the key comes from %s, not from a key file: set %s=\"N:<new key>,%s\" with a higher version N, run rotate-key again, then drop the old key", KeyEnv, KeyEnv, "<old entries>")
	}
	old, err := s.keyring(true)
	if err != nil {
		return 0, err
	}
	if old.Current() == 255 {
		return 0, errors.New("key version 255 reached; create a new data directory and reconnect")
	}
	keys := map[byte][]byte{}
	for v, raw := range old.raw {
		keys[v] = raw
	}
	next := old.Current() + 1
	keys[next] = NewRandomKey()
	path := filepath.Join(s.dir, KeyFileName)
	both, err := NewKeyring(path, keys)
	if err != nil {
		return 0, err
	}
	if err := writeFileAtomic(path, both.encode(), false); err != nil {
		return 0, fmt.Errorf("write key file: %w", err)
	}
	s.keyMu.Lock()
	s.keys = both
	s.keyMu.Unlock()
	if _, err := s.Reencrypt(); err != nil {
		return 0, fmt.Errorf("re-encrypt (the key file keeps both versions; run rotate-key again): %w", err)
	}
	only, err := NewKeyring(path, map[byte][]byte{next: keys[next]})
	if err != nil {
		return 0, err
	}
	if err := writeFileAtomic(path, only.encode(), false); err != nil {
		return next, fmt.Errorf("drop the old key version from the key file: %w", err)
	}
	s.keyMu.Lock()
	s.keys = only
	s.keyMu.Unlock()
	return next, nil
}

// forget drops a cached TokenSource state so the next Token call re-reads
// the store (after Save or Delete in this process).
func (s *Store) forget(name string) {
	s.srcMu.Lock()
	ts := s.sources[name]
	s.srcMu.Unlock()
	if ts != nil {
		ts.reset()
	}
}
