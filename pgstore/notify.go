package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/jackc/pgx/v5"
)

// Change notification. A change other replicas must see (the agents
// config, a schema snapshot) sends pg_notify on the store's channel in the
// transaction that makes it, so the notification is delivered at commit
// and never for a change rolled back. Each process keeps one listener
// connection (outside the pool) that LISTENs on the channel and wakes the
// subscribers of the notified topic, so a change reaches every replica in
// the time of a round trip. The pollers (hub.Watch, Snapshots.Watch) keep
// polling the version at their own period: they are the fallback while
// the listener is down, and they catch what a lost connection missed.

// Notification topics (the payload of pg_notify).
const (
	topicConfig = "config"
	topicSchema = "schema:" // + the connection's name
)

// channel is the store's NOTIFY channel: one per schema, since channels
// are database-wide and stores in other schemas must not wake each other.
// A channel name is an identifier (at most 63 bytes): a long schema name
// is hashed.
func channel(schema string) string {
	const prefix = "atlassian_mcp:"
	if len(prefix)+len(schema) <= 63 {
		return prefix + schema
	}
	sum := sha256.Sum256([]byte(schema))
	return prefix + hex.EncodeToString(sum[:16])
}

// notifyTx sends topic on the store's channel when tx commits.
func (db *DB) notifyTx(ctx context.Context, tx pgx.Tx, topic string) error {
	_, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", channel(db.schema), topic)
	return err
}

// listener is a process's LISTEN connection and the subscribers it wakes.
type listener struct {
	db *DB
	// ping bounds how long the listener waits for a notification before
	// it checks its connection still answers (a silently dead peer).
	ping time.Duration

	mu      sync.Mutex
	subs    map[string]map[chan struct{}]struct{}
	started bool
	stop    context.CancelFunc
	done    chan struct{}

	up        atomic.Bool
	delivered atomic.Int64 // notifications received
	connects  atomic.Int64 // successful LISTENs
}

// changes returns a channel that receives (coalesced, never blocking the
// listener) after a notification of topic arrives, and after every
// (re)connection of the listener, when notifications may have been
// missed. The first call starts the listener. stop unsubscribes.
func (l *listener) changes(topic string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs == nil {
		l.subs = map[string]map[chan struct{}]struct{}{}
	}
	if l.subs[topic] == nil {
		l.subs[topic] = map[chan struct{}]struct{}{}
	}
	l.subs[topic][ch] = struct{}{}
	if !l.started {
		l.started = true
		ctx, cancel := context.WithCancel(context.Background())
		l.stop, l.done = cancel, make(chan struct{})
		go l.run(ctx)
	}
	return ch, func() {
		l.mu.Lock()
		delete(l.subs[topic], ch)
		l.mu.Unlock()
	}
}

// wake signals the subscribers of topic, or every subscriber when topic
// is "".
func (l *listener) wake(topic string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for t, subs := range l.subs {
		if topic != "" && t != topic {
			continue
		}
		for ch := range subs {
			select {
			case ch <- struct{}{}:
			default: // one wake-up pending is enough
			}
		}
	}
}

// close stops the listener and waits for it.
func (l *listener) close() {
	l.mu.Lock()
	stop, done := l.stop, l.done
	l.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// run keeps a LISTEN connection until ctx ends, reconnecting with an
// exponential backoff (100 ms to 10 s) while the database does not answer.
func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	bo := &backoff.ExponentialBackOff{
		InitialInterval:     100 * time.Millisecond,
		RandomizationFactor: 0.3,
		Multiplier:          2,
		MaxInterval:         10 * time.Second,
		Stop:                backoff.Stop,
		Clock:               backoff.SystemClock,
	}
	bo.Reset()
	for {
		if l.listen(ctx) {
			bo.Reset() // it was up: start again from the shortest wait
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(bo.NextBackOff()):
		}
	}
}

// listen connects, LISTENs and delivers notifications until the
// connection fails or ctx ends. It reports whether it was listening.
func (l *listener) listen(ctx context.Context) bool {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	cfg := l.db.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "atlassian-mcp listener" // for pg_stat_activity
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return false
	}
	defer func() {
		l.up.Store(false)
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(cctx)
		cancel()
	}()
	cctx, cancel = context.WithTimeout(ctx, 10*time.Second)
	_, err = conn.Exec(cctx, "LISTEN "+pgx.Identifier{channel(l.db.schema)}.Sanitize())
	cancel()
	if err != nil {
		return false
	}
	l.up.Store(true)
	l.connects.Add(1)
	// Whatever changed while no listener was up was not notified here.
	l.wake("")
	for {
		wctx, cancel := context.WithTimeout(ctx, l.ping)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			l.delivered.Add(1)
			l.wake(n.Payload)
			continue
		case ctx.Err() != nil:
			return true
		case wctx.Err() == nil || conn.IsClosed():
			return true // the connection failed
		}
		// Nothing arrived for a while: check the peer still answers.
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return true
		}
	}
}

// ListenerStats describes a process's LISTEN connection.
type ListenerStats struct {
	// Listening is whether the connection is up and listening.
	Listening bool
	// Connects counts the successful LISTENs (1 + reconnections).
	Connects int64
	// Notifications counts the notifications received.
	Notifications int64
}

// Listener describes this process's listener (for tests and status).
func (db *DB) Listener() ListenerStats {
	return ListenerStats{Listening: db.listen.up.Load(), Connects: db.listen.connects.Load(), Notifications: db.listen.delivered.Load()}
}
