package tokenstore

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// KeyEnv is the environment variable that holds the encryption key: one
// base64-encoded 32-byte key (key version 1), or a comma-separated list of
// "VERSION:BASE64" entries while a key rotation is under way, e.g.
// "2:<new key>,1:<old key>". The highest version encrypts; every listed
// version decrypts.
const KeyEnv = "ATLASSIAN_MCP_ENCRYPTION_KEY"

// KeyFileName is the key file's name in the data directory, used when
// KeyEnv is not set. It is created with mode 0600 on first use and holds
// one "VERSION:BASE64" line per key.
const KeyFileName = "encryption.key"

// keySize is the AES-256 key length in bytes.
const keySize = 32

// sealVersion tags the layout of a sealed value: [key version][nonce][ciphertext+tag].
const nonceSize = 12

// Keyring holds the AES-256-GCM keys that seal connection secrets, by key
// version. The highest version seals new values; all versions open old ones,
// so keys can rotate without losing a connection. A Keyring is safe for
// concurrent use.
type Keyring struct {
	aeads   map[byte]cipher.AEAD
	raw     map[byte][]byte
	current byte
	source  string // where the keys came from, for messages
}

// NewKeyring returns a keyring with the given keys by version (1..255). The
// highest version becomes the current one. source names where the keys
// came from in error messages (e.g. "ATLASSIAN_MCP_ENCRYPTION_KEY").
func NewKeyring(source string, keys map[byte][]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: no encryption key", source)
	}
	k := &Keyring{aeads: make(map[byte]cipher.AEAD, len(keys)), raw: make(map[byte][]byte, len(keys)), source: source}
	for v, key := range keys {
		if v == 0 {
			return nil, fmt.Errorf("%s: key version 0 is not allowed (use 1..255)", source)
		}
		if len(key) != keySize {
			return nil, fmt.Errorf("%s: key version %d is %d bytes, want %d (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)", source, v, len(key), keySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("%s: key version %d: %w", source, v, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("%s: key version %d: %w", source, v, err)
		}
		k.aeads[v] = aead
		k.raw[v] = bytes.Clone(key)
		k.current = max(k.current, v)
	}
	return k, nil
}

// ParseKeyring parses a key specification as KeyEnv holds it: a bare
// base64 key (version 1) or "VERSION:BASE64" entries separated by commas.
func ParseKeyring(source, spec string) (*Keyring, error) {
	keys := map[byte][]byte{}
	for entry := range strings.SplitSeq(strings.TrimSpace(spec), ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		ver := byte(1)
		b64 := entry
		if vs, rest, ok := strings.Cut(entry, ":"); ok {
			n, err := strconv.ParseUint(strings.TrimPrefix(vs, "v"), 10, 8)
			if err != nil || n == 0 {
				return nil, fmt.Errorf("%s: %q is not a key version (want 1..255 before the colon)", source, vs)
			}
			ver, b64 = byte(n), rest
		}
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			if key2, err2 := base64.RawStdEncoding.DecodeString(b64); err2 == nil {
				key, err = key2, nil
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: key version %d is not valid base64", source, ver)
		}
		if _, dup := keys[ver]; dup {
			return nil, fmt.Errorf("%s: key version %d is listed twice", source, ver)
		}
		keys[ver] = key
	}
	return NewKeyring(source, keys)
}

// NewRandomKey returns 32 random bytes suitable as an encryption key.
func NewRandomKey() []byte {
	key := make([]byte, keySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+).
	return key
}

// Current returns the version of the key that seals new values.
func (k *Keyring) Current() byte { return k.current }

// Versions returns the key versions the keyring holds, ascending.
func (k *Keyring) Versions() []byte {
	vs := make([]byte, 0, len(k.aeads))
	for v := range k.aeads {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// Source names where the keys came from.
func (k *Keyring) Source() string { return k.source }

// String formats the keyring's versions and source, never the keys.
func (k *Keyring) String() string {
	return fmt.Sprintf("keyring(%s, versions %v, current %d)", k.source, k.Versions(), k.current)
}

// encode formats the keyring in the KeyEnv / key file syntax, one entry per
// line, highest version first.
func (k *Keyring) encode() []byte {
	var b bytes.Buffer
	vs := k.Versions()
	for i := len(vs) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "%d:%s\n", vs[i], base64.StdEncoding.EncodeToString(k.raw[vs[i]]))
	}
	return b.Bytes()
}

// seal encrypts plaintext with the current key, binding it to ad.
func (k *Keyring) seal(plaintext, ad []byte) []byte {
	aead := k.aeads[k.current]
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+aead.Overhead())
	out[0] = k.current
	_, _ = rand.Read(out[1 : 1+nonceSize])
	return aead.Seal(out, out[1:1+nonceSize], plaintext, ad)
}

// Errors from opening sealed values, matched with errors.Is.
var (
	// ErrWrongKey means the configured key cannot open the stored secrets:
	// the key is not the one they were sealed with.
	ErrWrongKey = errors.New("wrong encryption key")
	// ErrUnknownKeyVersion means the secrets were sealed with a key version
	// the keyring does not hold.
	ErrUnknownKeyVersion = errors.New("unknown encryption key version")
	// ErrTampered means a sealed value failed authentication although the
	// key is right: it was altered or moved from another connection.
	ErrTampered = errors.New("sealed secrets fail authentication")
)

// open decrypts a value sealed by seal with the same ad. It reports which
// key version sealed it.
func (k *Keyring) open(sealed, ad []byte) ([]byte, byte, error) {
	if len(sealed) < 1+nonceSize+16 {
		return nil, 0, fmt.Errorf("%w: sealed value is truncated (%d bytes)", ErrTampered, len(sealed))
	}
	ver := sealed[0]
	aead, ok := k.aeads[ver]
	if !ok {
		return nil, ver, fmt.Errorf("%w: the secrets were sealed with key version %d, but %s holds versions %v", ErrUnknownKeyVersion, ver, k.source, k.Versions())
	}
	pt, err := aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], ad)
	if err != nil {
		return nil, ver, fmt.Errorf("%w (key version %d)", ErrTampered, ver)
	}
	return pt, ver, nil
}

// LoadKeyring returns the keyring from envSpec (the value of KeyEnv) when
// it is not empty, and otherwise from the key file in dir. When the key
// file does not exist and create is true, a new random key (version 1) is
// written there with mode 0600; when create is false, a missing key file
// gives (nil, nil).
func LoadKeyring(dir, envSpec string, create bool) (*Keyring, error) {
	if strings.TrimSpace(envSpec) != "" {
		return ParseKeyring(KeyEnv, envSpec)
	}
	path := filepath.Join(dir, KeyFileName)
	data, err := readPrivateFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if !create {
			return nil, nil
		}
		k, err := NewKeyring(path, map[byte][]byte{1: NewRandomKey()})
		if err != nil {
			return nil, err
		}
		if err := writeFileAtomic(path, k.encode(), true); err != nil {
			if errors.Is(err, os.ErrExist) { // another process created it first
				return LoadKeyring(dir, envSpec, false)
			}
			return nil, fmt.Errorf("create key file: %w", err)
		}
		return k, nil
	case err != nil:
		return nil, err
	}
	var spec []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			spec = append(spec, line)
		}
	}
	if len(spec) == 0 {
		return nil, fmt.Errorf("key file %s is empty; restore it from a backup, or remove it and run `atlassian-mcp connect` again", path)
	}
	return ParseKeyring(path, strings.Join(spec, ","))
}
