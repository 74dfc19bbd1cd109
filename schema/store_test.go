package schema

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestCacheRoundTrip(t *testing.T) {
	c := NewCache(t.TempDir())
	if _, err := c.Load("default"); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("empty cache: %v, want ErrNoSnapshot", err)
	}
	want := demo()
	want.RefreshedAt = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	if err := c.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := c.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if !got.RefreshedAt.Equal(want.RefreshedAt) || len(got.Jira.Projects) != 2 || got.Confluence.Spaces[1].Key != "TEAM" {
		t.Fatalf("loaded snapshot differs: %+v", got)
	}
	// Lookups work on a loaded snapshot (the index is rebuilt, not decoded).
	if p, err := got.Project("eng"); err != nil || p.Name != "Engineering" {
		t.Fatalf("lookup on loaded snapshot: %v %v", p, err)
	}
	if _, err := c.Load("other"); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("other connection: %v, want ErrNoSnapshot", err)
	}
	if err := c.Delete("default"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load("default"); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("after delete: %v, want ErrNoSnapshot", err)
	}
	if info, err := os.Stat(c.Path()); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode: %v %v", info, err)
	}
}

func TestCacheOlderFormatIsRediscovered(t *testing.T) {
	c := NewCache(t.TempDir())
	if err := c.Save(demo()); err != nil {
		t.Fatal(err)
	}
	writeRaw(t, c, "default", func() []byte {
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(struct {
			FormatVersion int
			Snapshot      []byte
		}{FormatVersion - 1, []byte("old layout")}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}())
	if _, err := c.Load("default"); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("older format: %v, want ErrNoSnapshot", err)
	}
}

func TestCacheCorruptEntryAndFile(t *testing.T) {
	dir := t.TempDir()
	c := NewCache(dir)
	if err := c.Save(demo()); err != nil {
		t.Fatal(err)
	}
	writeRaw(t, c, "default", append(binary.AppendUvarint([]byte(codecMagic), FormatVersion), "garbage"...))
	_, err := c.Load("default")
	if err == nil || errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("corrupt entry: %v, want a clear error", err)
	}
	if err := os.WriteFile(c.Path(), []byte("not a bbolt file at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load("default"); err == nil {
		t.Fatal("corrupt file loaded")
	}
	// A store over a corrupt cache still refreshes and serves in memory.
	st := NewStore(c, "default")
	snap, err := st.Refresh(context.Background(), func(context.Context) (*Snapshot, error) { return demo(), nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Current() != snap || len(snap.Failures) != 1 || snap.Failures[0].Scope != "cache" {
		t.Fatalf("refresh over corrupt cache: current=%p snap=%p failures=%v", st.Current(), snap, snap.Failures)
	}
}

func writeRaw(t *testing.T, c *Cache, conn string, raw []byte) {
	t.Helper()
	db, err := bolt.Open(c.Path(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(snapshotsBucket).Put([]byte(conn), raw) }); err != nil {
		t.Fatal(err)
	}
}

func TestStoreRefreshIsSharedAndSwapped(t *testing.T) {
	st := NewStore(NewCache(t.TempDir()), "default")
	if st.Current() != nil {
		t.Fatal("new store has a snapshot")
	}
	var calls atomic.Int32
	release := make(chan struct{})
	discover := func(context.Context) (*Snapshot, error) {
		calls.Add(1)
		<-release
		return demo(), nil
	}
	var notified atomic.Int32
	st.Subscribe(func(*Snapshot) { notified.Add(1) })

	var wg sync.WaitGroup
	results := make([]*Snapshot, 8)
	refresh := func(i int) {
		defer wg.Done()
		s, err := st.Refresh(context.Background(), discover)
		if err != nil {
			t.Error(err)
		}
		results[i] = s
	}
	wg.Add(1)
	go refresh(0)
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < len(results); i++ {
		wg.Add(1)
		go refresh(i)
	}
	for waiters := 0; waiters < len(results)-1; {
		time.Sleep(time.Millisecond)
		st.mu.Lock()
		waiters = st.running.waiters
		st.mu.Unlock()
	}
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("discover ran %d times for concurrent refreshes, want 1", n)
	}
	for i, s := range results {
		if s != results[0] {
			t.Fatalf("refresh %d got another snapshot than the one discovered", i)
		}
	}
	if notified.Load() != 1 {
		t.Errorf("%d notifications, want 1", notified.Load())
	}
	if st.Current() == nil || st.Current().Connection != "default" {
		t.Fatalf("current after refresh: %+v", st.Current())
	}

	// A failing refresh keeps the current snapshot.
	before := st.Current()
	if _, err := st.Refresh(context.Background(), func(context.Context) (*Snapshot, error) {
		return nil, errors.New("site down")
	}); err == nil {
		t.Fatal("failing discovery reported success")
	}
	if st.Current() != before {
		t.Error("failed refresh replaced the snapshot")
	}

	// A second store on the same cache loads what the first saved.
	other := NewStore(st.cache, "default")
	if _, err := other.Load(); err != nil {
		t.Fatalf("load from cache: %v", err)
	}
}
