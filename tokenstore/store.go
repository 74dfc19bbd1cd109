// Package tokenstore keeps atlassian-mcp's OAuth 2.0 (3LO) connections: one
// record per named connection (site, products, who connected it and when,
// the OAuth client id) with its secrets (client secret, access token,
// refresh token) sealed with AES-256-GCM under the connection's name.
//
// The store is a bbolt file in the data directory. A Store opens the file
// for one transaction and closes it again, so several servers and CLI
// commands can share one directory.
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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
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
	// Name is ProductJira or ProductConfluence.
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
	// ErrInvalidName means a connection name is not acceptable.
	ErrInvalidName = errors.New("invalid connection name")
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ValidateName checks a connection name: 1 to 64 letters, digits, '-' or
// '_', starting with a letter or digit. Names become file names, so
// nothing else is allowed.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w %q: use 1-64 letters, digits, '-' or '_', starting with a letter or digit", ErrInvalidName, name)
	}
	return nil
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

// Store is the token store in one data directory. It holds no file open
// between operations. A Store is safe for concurrent use; use one per
// process so all clients of a connection share one TokenSource.
type Store struct {
	dir            string
	path           string
	keySpec        string
	keySpecSet     bool
	tokenHTTP      *http.Client
	openTimeout    time.Duration
	lockTimeout    time.Duration
	refreshTimeout time.Duration
	margin         time.Duration
	now            func() time.Time
	log            *slog.Logger

	keyMu     sync.Mutex
	keys      *Keyring
	keysFixed bool // set by WithKeyring: never reloaded

	dbMu sync.Mutex // one open database per process at a time

	srcMu   sync.Mutex
	sources map[string]*TokenSource
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
	s := &Store{
		dir:            dir,
		path:           filepath.Join(dir, DBFileName),
		openTimeout:    10 * time.Second,
		lockTimeout:    45 * time.Second,
		refreshTimeout: 30 * time.Second,
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
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	for _, p := range []string{s.path, filepath.Join(dir, KeyFileName)} {
		if err := statPrivate(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return s, nil
}

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// Path returns the token database's path.
func (s *Store) Path() string { return s.path }

// keyring returns the keys, loading them (and creating the key file when
// create is set) on first use.
func (s *Store) keyring(create bool) (*Keyring, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.keys != nil {
		return s.keys, nil
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

// Buckets and keys in the database.
var (
	bucketConnections = []byte("connections")
	bucketMeta        = []byte("meta")
	keyCheckPrefix    = "keycheck/"
	keyCheckPlain     = []byte("atlassian-mcp key check")
)

// record is a connection as stored: the public part and the sealed secrets.
type record struct {
	Connection
	Sealed []byte `json:"sealed"`
}

// associatedData binds sealed secrets to their connection, so a ciphertext
// copied into another connection's record does not open.
func associatedData(name string) []byte {
	return []byte("atlassian-mcp/tokenstore/v1/connection\x00" + name)
}

// withDB opens the database for one transaction and closes it again.
// Panics from a damaged file are turned into ErrDamaged.
func (s *Store) withDB(write bool, fn func(tx *bolt.Tx) error) (err error) {
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	if !write {
		if _, err := os.Stat(s.path); errors.Is(err, os.ErrNotExist) {
			return errNoDB
		}
	}
	if err := statPrivate(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = s.damaged(fmt.Errorf("%v", r))
		}
	}()
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: s.openTimeout})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return fmt.Errorf("%w: another process kept %s locked for %s; try again", ErrBusy, s.path, s.openTimeout)
		}
		if os.IsPermission(err) {
			return fmt.Errorf("open token database: %w", err)
		}
		return s.damaged(err)
	}
	defer db.Close()
	if write {
		err = db.Update(fn)
	} else {
		err = db.View(fn)
	}
	return err
}

// errNoDB is returned by read transactions when the database file does not
// exist yet; callers turn it into their own "not found".
var errNoDB = errors.New("no token database")

func (s *Store) damaged(cause error) error {
	return fmt.Errorf("%w: %s cannot be read (%v); move it aside and run `atlassian-mcp connect` again", ErrDamaged, s.path, cause)
}

func (s *Store) notFound(name string) error {
	return fmt.Errorf("%w: no connection %q in %s; run `atlassian-mcp connect --connection %s`", ErrNotFound, name, s.dir, name)
}

// getRecord reads one record inside a transaction.
func (s *Store) getRecord(tx *bolt.Tx, name string) (*record, error) {
	b := tx.Bucket(bucketConnections)
	if b == nil {
		return nil, s.notFound(name)
	}
	raw := b.Get([]byte(name))
	if raw == nil {
		return nil, s.notFound(name)
	}
	var r record
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, s.damaged(fmt.Errorf("connection %q: %v", name, err))
	}
	return &r, nil
}

func putRecord(tx *bolt.Tx, r *record) error {
	b, err := tx.CreateBucketIfNotExists(bucketConnections)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Put([]byte(r.Name), raw)
}

// seal encrypts sec for the connection and records the key check for the
// current key version.
func (s *Store) sealSecrets(tx *bolt.Tx, k *Keyring, r *record, sec Secrets) error {
	pt, err := json.Marshal(sec)
	if err != nil {
		return err
	}
	r.Sealed = k.seal(pt, associatedData(r.Name))
	r.KeyVersion = k.Current()
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	ck := []byte(fmt.Sprintf("%s%d", keyCheckPrefix, k.Current()))
	if meta.Get(ck) == nil {
		return meta.Put(ck, k.seal(keyCheckPlain, ck))
	}
	return nil
}

// openSecrets decrypts a record's secrets. When that fails it uses the key
// check to tell a wrong key from a tampered or moved record.
func (s *Store) openSecrets(tx *bolt.Tx, k *Keyring, r *record) (Secrets, error) {
	var sec Secrets
	pt, ver, err := k.open(r.Sealed, associatedData(r.Name))
	if err != nil {
		if errors.Is(err, ErrTampered) && ver != 0 {
			ck := []byte(fmt.Sprintf("%s%d", keyCheckPrefix, ver))
			if meta := tx.Bucket(bucketMeta); meta != nil {
				if sealed := meta.Get(ck); sealed != nil {
					if _, _, cerr := k.open(sealed, ck); cerr != nil {
						return sec, fmt.Errorf("%w: %s does not hold the key (version %d) that sealed connection %q's secrets; set the right %s or restore the key file",
							ErrWrongKey, k.Source(), ver, r.Name, KeyEnv)
					}
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
	r := &record{Connection: c}
	r.Status, r.StatusMessage = StatusActive, ""
	r.TokenExpiry = sec.Expiry
	if r.RefreshedAt.IsZero() {
		r.RefreshedAt = s.now()
	}
	err = s.withDB(true, func(tx *bolt.Tx) error {
		if old, err := s.getRecord(tx, c.Name); err == nil {
			r.Generation = old.Generation + 1
		}
		if err := s.sealSecrets(tx, k, r, sec); err != nil {
			return err
		}
		return putRecord(tx, r)
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
	err := s.withDB(false, func(tx *bolt.Tx) error {
		r, err := s.getRecord(tx, name)
		if err != nil {
			return err
		}
		c = r.Connection
		return nil
	})
	if errors.Is(err, errNoDB) {
		return c, s.notFound(name)
	}
	return c, err
}

// Load returns a connection with its decrypted secrets. When they were
// sealed with a key version this Store has not loaded (another process
// rotated the key file), the key file is read again once.
func (s *Store) Load(name string) (Connection, Secrets, error) {
	c, sec, err := s.load(name)
	if errors.Is(err, ErrUnknownKeyVersion) && s.keySpec == "" && !s.keysFixed {
		s.keyMu.Lock()
		s.keys = nil
		s.keyMu.Unlock()
		c, sec, err = s.load(name)
	}
	return c, sec, err
}

func (s *Store) load(name string) (Connection, Secrets, error) {
	if err := ValidateName(name); err != nil {
		return Connection{}, Secrets{}, err
	}
	k, err := s.keyring(false)
	var (
		c   Connection
		sec Secrets
	)
	derr := s.withDB(false, func(tx *bolt.Tx) error {
		r, rerr := s.getRecord(tx, name)
		if rerr != nil {
			return rerr
		}
		c = r.Connection
		if err != nil {
			return err
		}
		sec, err = s.openSecrets(tx, k, r)
		return err
	})
	if errors.Is(derr, errNoDB) {
		return c, sec, s.notFound(name)
	}
	return c, sec, derr
}

// List returns every connection's public part, sorted by name.
func (s *Store) List() ([]Connection, error) {
	var out []Connection
	err := s.withDB(false, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketConnections)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return s.damaged(fmt.Errorf("connection %q: %v", k, err))
			}
			out = append(out, r.Connection)
			return nil
		})
	})
	if errors.Is(err, errNoDB) {
		return nil, nil
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Delete removes a connection's record and its lock file. It reports
// whether the connection existed.
func (s *Store) Delete(name string) (bool, error) {
	if err := ValidateName(name); err != nil {
		return false, err
	}
	var existed bool
	err := s.withDB(false, func(*bolt.Tx) error { return nil })
	if errors.Is(err, errNoDB) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	err = s.withDB(true, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketConnections)
		if b == nil || b.Get([]byte(name)) == nil {
			return nil
		}
		existed = true
		return b.Delete([]byte(name))
	})
	if err != nil {
		return false, err
	}
	s.forget(name)
	if err := os.Remove(s.lockPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return existed, err
	}
	return existed, nil
}

// SetStatus records a connection's health and a message saying what is
// wrong (empty for Active).
func (s *Store) SetStatus(name string, st Status, msg string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	err := s.withDB(true, func(tx *bolt.Tx) error {
		r, err := s.getRecord(tx, name)
		if err != nil {
			return err
		}
		r.Status, r.StatusMessage = st, msg
		return putRecord(tx, r)
	})
	if errors.Is(err, errNoDB) {
		return s.notFound(name)
	}
	return err
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
	err = s.withDB(true, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketConnections)
		if b == nil {
			return nil
		}
		var recs []*record
		if err := b.ForEach(func(kb, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return s.damaged(fmt.Errorf("connection %q: %v", kb, err))
			}
			recs = append(recs, &r)
			return nil
		}); err != nil {
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
			if err := putRecord(tx, r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if errors.Is(err, errNoDB) {
		return 0, nil
	}
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
