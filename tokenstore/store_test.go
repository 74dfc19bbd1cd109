package tokenstore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func testKeyring(t testing.TB, ver byte) *Keyring {
	t.Helper()
	k, err := NewKeyring("test", map[byte][]byte{ver: bytes.Repeat([]byte{ver}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testConn(name string) (Connection, Secrets) {
	return Connection{
			Name:        name,
			Site:        Site{CloudID: "cloud-1", Name: "acme", URL: "https://acme.atlassian.net"},
			Products:    []Product{{Name: ProductJira, Scopes: []string{"read:jira-work"}}},
			ConnectedBy: "admin@example.com",
			ConnectedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			ClientID:    "client-1",
			AuthURL:     "http://127.0.0.1:1",
			APIURL:      "http://127.0.0.1:1",
		}, Secrets{
			ClientSecret: "s3cret-client", AccessToken: "at-" + name, RefreshToken: "rt-" + name,
			TokenType: "Bearer", Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		}
}

func openTest(t testing.TB, opts ...Option) *Store {
	t.Helper()
	opts = append([]Option{WithKeySpec("")}, opts...)
	s, err := Open(filepath.Join(t.TempDir(), "data"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestKeyringSealOpen(t *testing.T) {
	k := testKeyring(t, 1)
	ad := associatedData("default")
	sealed := k.seal([]byte("hello"), ad)
	if bytes.Contains(sealed, []byte("hello")) {
		t.Fatal("plaintext visible in sealed value")
	}
	if pt, ver, err := k.open(sealed, ad); err != nil || string(pt) != "hello" || ver != 1 {
		t.Fatalf("open = %q, %d, %v", pt, ver, err)
	}
	again := k.seal([]byte("hello"), ad)
	if bytes.Equal(sealed, again) {
		t.Error("two seals of the same value are identical: nonce reuse")
	}
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		ad     []byte
		key    *Keyring
		want   error
	}{
		{"flipped ciphertext byte", func(b []byte) []byte { b[20] ^= 1; return b }, ad, k, ErrTampered},
		{"flipped nonce byte", func(b []byte) []byte { b[3] ^= 1; return b }, ad, k, ErrTampered},
		{"truncated", func(b []byte) []byte { return b[:10] }, ad, k, ErrTampered},
		{"other connection's AD", func(b []byte) []byte { return b }, associatedData("other"), k, ErrTampered},
		{"wrong key same version", func(b []byte) []byte { return b }, ad, mustKeyring(t, map[byte][]byte{1: bytes.Repeat([]byte{9}, 32)}), ErrTampered},
		{"unknown version", func(b []byte) []byte { return b }, ad, testKeyring(t, 2), ErrUnknownKeyVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.mutate(bytes.Clone(sealed))
			if _, _, err := tt.key.open(b, tt.ad); !errors.Is(err, tt.want) {
				t.Fatalf("open: %v, want %v", err, tt.want)
			}
		})
	}
}

func mustKeyring(t testing.TB, keys map[byte][]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring("test", keys)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestParseKeyring(t *testing.T) {
	k32 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	k32b := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, 32))
	tests := []struct {
		spec     string
		current  byte
		versions int
		errPart  string
	}{
		{k32, 1, 1, ""},
		{"3:" + k32, 3, 1, ""},
		{"2:" + k32b + ",1:" + k32, 2, 2, ""},
		{" v2:" + k32b + " , 1:" + k32 + " ", 2, 2, ""},
		{base64.RawStdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)), 1, 1, ""},
		{"", 0, 0, "no encryption key"},
		{"not base64!", 0, 0, "not valid base64"},
		{base64.StdEncoding.EncodeToString([]byte("short")), 0, 0, "is 5 bytes, want 32"},
		{"0:" + k32, 0, 0, "not a key version"},
		{"300:" + k32, 0, 0, "not a key version"},
		{"1:" + k32 + ",1:" + k32b, 0, 0, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			k, err := ParseKeyring(KeyEnv, tt.spec)
			if tt.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errPart) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.errPart)
				}
				if strings.Contains(err.Error(), k32) {
					t.Error("error leaks the key")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Current() != tt.current || len(k.Versions()) != tt.versions {
				t.Fatalf("got %v", k)
			}
			if strings.Contains(k.String(), k32) {
				t.Error("String leaks the key")
			}
		})
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	s := openTest(t)
	c, sec := testConn("default")
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	got, gotSec, err := s.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if gotSec != sec {
		t.Fatalf("secrets round trip: got %#v", gotSec)
	}
	if got.Status != StatusActive || got.Site != c.Site || got.ConnectedBy != c.ConnectedBy || !got.TokenExpiry.Equal(sec.Expiry) || got.KeyVersion != 1 {
		t.Fatalf("connection round trip: %+v", got)
	}
	// Nothing secret is stored in the clear.
	raw, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{sec.AccessToken, sec.RefreshToken, sec.ClientSecret} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%q is stored in the clear", secret)
		}
	}
	for _, p := range []string{s.Path(), filepath.Join(s.Dir(), KeyFileName)} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", p, fi.Mode(), err)
		}
	}
	if fi, _ := os.Stat(s.Dir()); fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v, want 0700", fi.Mode())
	}
	if str := (Secrets{AccessToken: "zzz"}).String() + (Secrets{AccessToken: "zzz"}).GoString(); strings.Contains(str, "zzz") {
		t.Error("Secrets formats its tokens")
	}

	// A second connection, listing, and deletion.
	c2, sec2 := testConn("team-b")
	if err := s.Save(c2, sec2); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 || list[0].Name != "default" || list[1].Name != "team-b" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if ok, err := s.Delete("default"); !ok || err != nil {
		t.Fatalf("Delete = %v, %v", ok, err)
	}
	if ok, err := s.Delete("default"); ok || err != nil {
		t.Fatalf("second Delete = %v, %v", ok, err)
	}
	if _, err := s.Get("default"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "atlassian-mcp connect") {
		t.Fatalf("Get deleted: %v", err)
	}
	if _, _, err := s.Load("team-b"); err != nil {
		t.Fatalf("the other connection is gone: %v", err)
	}
}

func TestEmptyStore(t *testing.T) {
	s := openTest(t)
	if _, err := s.Get("default"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get: %v", err)
	}
	if l, err := s.List(); err != nil || len(l) != 0 {
		t.Fatalf("List: %v %v", l, err)
	}
	if ok, err := s.Delete("default"); ok || err != nil {
		t.Fatalf("Delete: %v %v", ok, err)
	}
	if _, err := os.Stat(s.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Error("a read created the database")
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), KeyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Error("a read created the key file")
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"default", "a", "Team_B-2", strings.Repeat("x", 64)} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "../x", "a/b", "-lead", "_x", "has space", "dot.name", strings.Repeat("x", 65), "ümlaut"} {
		if err := ValidateName(bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("%q: %v, want ErrInvalidName", bad, err)
		}
	}
	s := openTest(t)
	c, sec := testConn("../escape")
	if err := s.Save(c, sec); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("Save with a bad name: %v", err)
	}
}

// TestIsNameMatchesItsExpression checks the hand-written name check against the regular
// expression it replaces, on every string of up to two bytes over a small
// alphabet and on the boundary lengths.
func TestIsNameMatchesItsExpression(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)
	alphabet := []string{"a", "Z", "0", "9", "-", "_", ".", "/", " ", "\n", "\x00", "\xc3\xbc", "\xff"}
	cases := []string{"", strings.Repeat("x", 63), strings.Repeat("x", 64), strings.Repeat("x", 65), "a" + strings.Repeat("-", 63), "a\n", "ab\n"}
	for _, a := range alphabet {
		cases = append(cases, a)
		for _, b := range alphabet {
			cases = append(cases, a+b, "x"+a+b)
		}
	}
	for _, c := range cases {
		if got, want := isName(c), re.MatchString(c); got != want {
			t.Errorf("%q: %v, the regular expression says %v", c, got, want)
		}
	}
}

func TestWrongKeyIsClear(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	right := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	wrong := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	s, err := Open(dir, WithKeySpec(right))
	if err != nil {
		t.Fatal(err)
	}
	c, sec := testConn("default")
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		spec string
		want error
		text string
	}{
		{"wrong key", wrong, ErrWrongKey, "does not hold the key"},
		{"missing version", "2:" + right, ErrUnknownKeyVersion, "key version 1"},
		{"no key at all", "", ErrWrongKey, "no encryption key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s2, err := Open(dir, WithKeySpec(tt.spec))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = s2.Load("default")
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("Load: %v; want %v containing %q", err, tt.want, tt.text)
			}
			// The public part stays readable (status can say what is wrong).
			if got, err := s2.Get("default"); err != nil || got.Site.Name != "acme" {
				t.Fatalf("Get: %+v %v", got, err)
			}
		})
	}
}

func TestCiphertextMovedToAnotherConnectionDoesNotOpen(t *testing.T) {
	s := openTest(t)
	a, secA := testConn("alpha")
	b, secB := testConn("beta")
	if err := s.Save(a, secA); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(b, secB); err != nil {
		t.Fatal(err)
	}
	// Copy alpha's sealed secrets into beta's record.
	err := s.update(func(tx Tx) error {
		ra, _ := s.getRecord(tx, "alpha")
		rb, _ := s.getRecord(tx, "beta")
		rb.Sealed = ra.Sealed
		return tx.Put(rb)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.Load("beta")
	if !errors.Is(err, ErrTampered) || errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), "copied from another connection") {
		t.Fatalf("Load beta: %v", err)
	}
	if _, got, err := s.Load("alpha"); err != nil || got != secA {
		t.Fatalf("alpha: %v", err)
	}
}

func TestDamagedDatabase(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"truncated", func(t *testing.T, path string) {
			if err := os.Truncate(path, 100); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage", func(t *testing.T, path string) {
			if err := os.WriteFile(path, bytes.Repeat([]byte("garbage!"), 4096), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"zeroed meta pages", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(make([]byte, 8192), 0); err != nil {
				t.Fatal(err)
			}
		}},
		{"bad record JSON", func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(bucketConnections).Put([]byte("default"), []byte("{not json"))
			}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			c, sec := testConn("default")
			if err := s.Save(c, sec); err != nil {
				t.Fatal(err)
			}
			tt.damage(t, s.Path())
			_, _, err := s.Load("default")
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "move it aside") || !strings.Contains(err.Error(), s.Path()) {
				t.Fatalf("Load: %v", err)
			}
			if _, err := s.List(); !errors.Is(err, ErrDamaged) {
				t.Fatalf("List: %v", err)
			}
		})
	}
}

func TestWrongPermissions(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, s *Store)
		text  string
	}{
		{"data dir open to group", func(t *testing.T, s *Store) { chmod(t, s.Dir(), 0o750) }, "chmod 700"},
		{"db world-readable", func(t *testing.T, s *Store) { chmod(t, s.Path(), 0o644) }, "chmod 600"},
		{"key file group-readable", func(t *testing.T, s *Store) { chmod(t, filepath.Join(s.Dir(), KeyFileName), 0o640) }, "chmod 600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			c, sec := testConn("default")
			if err := s.Save(c, sec); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, s)
			_, err := Open(s.Dir(), WithKeySpec(""))
			if !errors.Is(err, ErrPermissions) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("Open: %v; want ErrPermissions with %q", err, tt.text)
			}
		})
	}
	t.Run("db loosened while open", func(t *testing.T) {
		s := openTest(t)
		c, sec := testConn("default")
		if err := s.Save(c, sec); err != nil {
			t.Fatal(err)
		}
		chmod(t, s.Path(), 0o666)
		if _, _, err := s.Load("default"); !errors.Is(err, ErrPermissions) {
			t.Fatalf("Load: %v", err)
		}
	})
}

func chmod(t *testing.T, p string, m os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, m); err != nil {
		t.Fatal(err)
	}
}

func TestRotateKeyFile(t *testing.T) {
	s := openTest(t)
	for _, n := range []string{"a", "b", "c"} {
		c, sec := testConn(n)
		if err := s.Save(c, sec); err != nil {
			t.Fatal(err)
		}
	}
	oldFile, err := os.ReadFile(filepath.Join(s.Dir(), KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := Open(s.Dir(), WithKeySpec("")) // another process, key version 1 loaded
	if _, _, err := other.Load("a"); err != nil {
		t.Fatal(err)
	}
	ver, err := s.RotateKeyFile()
	if err != nil || ver != 2 {
		t.Fatalf("RotateKeyFile = %d, %v", ver, err)
	}
	// A fresh Store (another process) reads every record with the new key.
	s2, err := Open(s.Dir(), WithKeySpec(""))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c"} {
		c, sec, err := s2.Load(n)
		_, want := testConn(n)
		if err != nil || sec != want || c.KeyVersion != 2 {
			t.Fatalf("%s after rotation: v%d %v", n, c.KeyVersion, err)
		}
	}
	// The other process picks the new key version up from the key file.
	if _, _, err := other.Load("b"); err != nil {
		t.Fatalf("process with the old key loaded: %v", err)
	}
	// The old key no longer opens anything.
	oldKeys, err := ParseKeyring("old", strings.ReplaceAll(strings.TrimSpace(string(oldFile)), "\n", ","))
	if err != nil {
		t.Fatal(err)
	}
	s3, err := Open(s.Dir(), WithKeyring(oldKeys))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s3.Load("a"); !errors.Is(err, ErrUnknownKeyVersion) {
		t.Fatalf("old key: %v", err)
	}
}

func TestReencryptWithEnvKeys(t *testing.T) {
	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	k2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	dir := filepath.Join(t.TempDir(), "d")
	s, _ := Open(dir, WithKeySpec(k1))
	c, sec := testConn("default")
	if err := s.Save(c, sec); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RotateKeyFile(); err == nil || !strings.Contains(err.Error(), KeyEnv) {
		t.Fatalf("RotateKeyFile with an env key: %v", err)
	}
	both, _ := Open(dir, WithKeySpec("2:"+k2+",1:"+k1))
	if n, err := both.Reencrypt(); n != 1 || err != nil {
		t.Fatalf("Reencrypt = %d, %v", n, err)
	}
	only2, _ := Open(dir, WithKeySpec("2:"+k2))
	if _, got, err := only2.Load("default"); err != nil || got != sec {
		t.Fatalf("after re-encryption: %v", err)
	}
}

func TestKeyFileCreatedOnce(t *testing.T) {
	dir := t.TempDir()
	chmod(t, dir, 0o700)
	k1, err := LoadKeyring(dir, "", true)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadKeyring(dir, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.raw[1], k2.raw[1]) {
		t.Fatal("second load made a new key")
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFileName), []byte("\n# nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeyring(dir, "", true); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Fatalf("empty key file: %v", err)
	}
}

func TestRecordJSONHasNoSecrets(t *testing.T) {
	c, _ := testConn("x")
	raw, _ := json.Marshal(c)
	if strings.Contains(string(raw), "secret") || strings.Contains(string(raw), "rt-x") {
		t.Fatalf("Connection JSON carries secrets: %s", raw)
	}
}
