package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/atlassian-mcp/atlassian-mcp/internal/groupcommit"
)

// The result statuses of an audit entry.
const (
	StatusOK     = "ok"
	StatusError  = "error"
	StatusDenied = "denied"
)

// AuditEntry is one tool execution, allowed or denied: one line of JSON in
// the tenant's audit log.
type AuditEntry struct {
	Time   time.Time `json:"time"`
	Tenant string    `json:"tenant"`
	Agent  string    `json:"agent,omitempty"`
	Tool   string    `json:"tool"`
	// Action is the action argument of update_issue and manage_issue.
	Action string `json:"action,omitempty"`
	// Params are the call's arguments: JQL/CQL, keys and ids whole, long
	// text clipped, nothing that looks like a secret.
	Params map[string]any `json:"params,omitempty"`
	// Sender is the sender's email from _meta; Tier the tier the call ran
	// with and TierSource where it came from (directory, asserted,
	// default, owner).
	Sender     string `json:"sender,omitempty"`
	Tier       string `json:"tier,omitempty"`
	TierSource string `json:"tier_source,omitempty"`
	// Required is the tier the policy requires for the tool.
	Required    string  `json:"required,omitempty"`
	ExecutionID string  `json:"execution_id"`
	DurationMS  float64 `json:"duration_ms"`
	// Status is ok, error or denied; Error summarises an error or denial
	// (Atlassian's message for an Atlassian error).
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Limits on what the audit log keeps of a call's arguments.
const (
	auditTextLimit  = 240
	auditListLimit  = 20
	auditDepthLimit = 4
)

// secretKey matches argument names whose values are never audited.
var secretKey = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(token|secret|password|passwd|authorization|api[_-]?key|credential|cookie)`)
})

// auditParams returns the action argument and the arguments as audited.
func auditParams(args map[string]any) (string, map[string]any) {
	if len(args) == 0 {
		return "", nil
	}
	action, _ := args["action"].(string)
	out, _ := auditValue(args, 0).(map[string]any)
	return auditClip(action, 64), out
}

func auditValue(v any, depth int) any {
	switch x := v.(type) {
	case string:
		return auditClip(x, auditTextLimit)
	case map[string]any:
		if depth >= auditDepthLimit {
			return fmt.Sprintf("{%d keys}", len(x))
		}
		out := make(map[string]any, len(x))
		for k, val := range x {
			if secretKey().MatchString(k) {
				out[k] = "[redacted]"
				continue
			}
			out[auditClip(k, 64)] = auditValue(val, depth+1)
		}
		return out
	case []any:
		if depth >= auditDepthLimit {
			return fmt.Sprintf("[%d items]", len(x))
		}
		n := min(len(x), auditListLimit)
		out := make([]any, 0, n+1)
		for _, val := range x[:n] {
			out = append(out, auditValue(val, depth+1))
		}
		if len(x) > n {
			out = append(out, fmt.Sprintf("... %d more", len(x)-n))
		}
		return out
	}
	return v
}

// auditClip cuts s to at most n bytes on a rune boundary, saying how long
// it was.
func auditClip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:cut], len(s))
}

// AuditOptions configure rotation and retention of an audit log.
type AuditOptions struct {
	// MaxBytes rotates the log once it would grow past this size (0: 64 MiB;
	// negative: never).
	MaxBytes int64
	// MaxFiles keeps this many rotated files (0: keep all).
	MaxFiles int
	// MaxAge removes rotated files older than this (0: keep forever).
	MaxAge time.Duration
	// Now is the clock for rotated file names; nil means time.Now.
	Now func() time.Time
}

// AuditSink receives a tenant's audit entries: the file log (AuditLog) or
// the database's table (pgstore). Record returns only once the entry is
// durable (fsynced, or committed), so no answered call goes unaudited.
type AuditSink interface {
	// Record writes e and returns once it is durable.
	Record(e *AuditEntry) error
	// Failed returns the error of the last failed write, or nil; calls
	// are refused while it is not nil.
	Failed() error
	// Close waits for pending records and releases the sink.
	Close() error
}

// AuditReader reads audit entries back: the files of a directory
// (AuditFiles) or the database's table (pgstore).
type AuditReader interface {
	// Tenants lists the tenants with entries.
	Tenants(ctx context.Context) ([]string, error)
	// Read returns tenant's entries the filter selects, oldest first.
	Read(ctx context.Context, tenant string, f AuditFilter) (*AuditReadResult, error)
	// Where names the audit store for messages.
	Where() string
}

// AuditFiles reads the audit logs in a directory.
type AuditFiles struct {
	// Dir holds <tenant>.jsonl and the rotated files.
	Dir string
}

var (
	_ AuditSink   = (*AuditLog)(nil)
	_ AuditReader = AuditFiles{}
)

// Tenants lists the tenants with a log in the directory.
func (a AuditFiles) Tenants(context.Context) ([]string, error) { return AuditTenants(a.Dir) }

// Read reads tenant's log files (rotated ones first).
func (a AuditFiles) Read(_ context.Context, tenant string, f AuditFilter) (*AuditReadResult, error) {
	return ReadAudit(a.Dir, tenant, f)
}

// Where returns the directory.
func (a AuditFiles) Where() string { return a.Dir }

// DefaultAuditMaxBytes is the rotation size when AuditOptions sets none.
const DefaultAuditMaxBytes = 64 << 20

// ErrAuditClosed is returned by Record after Close.
var ErrAuditClosed = errors.New("audit log closed")

// AuditLog is one tenant's append-only audit log: JSON lines in
// <dir>/<tenant>.jsonl, rotated to <tenant>.<UTC time>.jsonl.
//
// Record returns only once its entry is on disk (written and fsynced).
// Concurrent records share one write and one fsync (group commit): the
// first caller to find no flush running writes every queued entry, while
// the others wait for their batch. A crash therefore never loses an entry
// whose call was answered, and at worst leaves a torn last line, which
// readers skip and report and the next Open seals with a newline.
type AuditLog struct {
	dir, tenant string
	opts        AuditOptions
	commits     *groupcommit.Batcher[[]byte] // of lines

	// f, size and buf belong to the batch's writer (one at a time), and
	// f to Close once no writer runs.
	f       *os.File
	size    int64
	buf     bytes.Buffer
	closeMu sync.Mutex
}

// isTenantName reports whether s matches ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$,
// what a tenant (file) name may be, without the 60 KB program that regular
// expression compiles to: every stdio server checks its tenant's name on
// the way to its first tools/list (issue 12).
func isTenantName(s string) bool {
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

// ValidateTenant checks a tenant name is safe as a file name: 1-64 letters,
// digits, '-' or '_', starting with a letter or digit.
func ValidateTenant(name string) error {
	if !isTenantName(name) {
		return fmt.Errorf("tenant %q: use 1-64 letters, digits, '-' or '_', starting with a letter or digit", name)
	}
	return nil
}

// OpenAuditLog opens (creating) the audit log of tenant in dir.
func OpenAuditLog(dir, tenant string, opts AuditOptions) (*AuditLog, error) {
	if err := ValidateTenant(tenant); err != nil {
		return nil, err
	}
	if opts.MaxBytes == 0 {
		opts.MaxBytes = DefaultAuditMaxBytes
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	l := &AuditLog{dir: dir, tenant: tenant, opts: opts}
	l.commits = groupcommit.New(0, l.write)
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *AuditLog) path() string { return filepath.Join(l.dir, l.tenant+".jsonl") }

// open opens the current file for appending and seals a torn last line.
func (l *AuditLog) open() error {
	// Only a file this open creates (the first start, a rotation) needs
	// its directory entry made durable: an fsync of the directory on
	// every start waited for the file system's journal, up to 6 ms of a
	// stdio server's spawn -> tools/list on a busy machine (issue 12).
	f, err := os.OpenFile(l.path(), os.O_WRONLY|os.O_APPEND, 0)
	created := false
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.OpenFile(l.path(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		created = true
	}
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("audit log: %w", err)
	}
	l.f, l.size = f, st.Size()
	if l.size > 0 {
		last := make([]byte, 1)
		if r, err := os.Open(l.path()); err == nil {
			_, err = r.ReadAt(last, l.size-1)
			r.Close()
			if err == nil && last[0] != '\n' {
				if _, err := f.Write([]byte{'\n'}); err != nil {
					f.Close()
					return fmt.Errorf("audit log: seal a torn line: %w", err)
				}
				l.size++
			}
		}
	}
	if created {
		return syncDir(l.dir)
	}
	return nil
}

// Failed returns the error of the last failed write, or nil. Calls are
// refused while a log has failed.
func (l *AuditLog) Failed() error { return l.commits.Failed() }

// Record appends e and returns once it is durable.
func (l *AuditLog) Record(e *AuditEntry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("audit log: encode: %w", err)
	}
	err = l.commits.Submit(append(line, '\n'))
	if errors.Is(err, groupcommit.ErrClosed) {
		return ErrAuditClosed
	}
	return err
}

// write appends a batch in one write and fsyncs it, rotating first when
// the batch would take the file past MaxBytes.
func (l *AuditLog) write(batch [][]byte) error {
	l.buf.Reset()
	for _, line := range batch {
		l.buf.Write(line)
	}
	if l.opts.MaxBytes > 0 && l.size > 0 && l.size+int64(l.buf.Len()) > l.opts.MaxBytes {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	if l.f == nil {
		if err := l.open(); err != nil {
			return err
		}
	}
	n, err := l.f.Write(l.buf.Bytes())
	l.size += int64(n)
	if err != nil {
		return fmt.Errorf("audit log: write: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("audit log: sync: %w", err)
	}
	return nil
}

// rotate renames the current file aside, opens a new one and applies the
// retention limits.
func (l *AuditLog) rotate() error {
	now := time.Now
	if l.opts.Now != nil {
		now = l.opts.Now
	}
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("audit log: rotate: %w", err)
	}
	l.f = nil
	name := filepath.Join(l.dir, l.tenant+"."+now().UTC().Format("20060102T150405.000000000Z")+".jsonl")
	if err := os.Rename(l.path(), name); err != nil {
		return fmt.Errorf("audit log: rotate: %w", err)
	}
	if err := l.open(); err != nil {
		return err
	}
	l.prune(now())
	return nil
}

// prune removes rotated files beyond MaxFiles or older than MaxAge.
func (l *AuditLog) prune(now time.Time) {
	files, _ := auditFiles(l.dir, l.tenant)
	rotated := files[:len(files)-1] // the last is the current file
	for i, f := range rotated {
		tooMany := l.opts.MaxFiles > 0 && len(rotated)-i > l.opts.MaxFiles
		tooOld := false
		if l.opts.MaxAge > 0 {
			if st, err := os.Stat(f); err == nil && now.Sub(st.ModTime()) > l.opts.MaxAge {
				tooOld = true
			}
		}
		if tooMany || tooOld {
			_ = os.Remove(f)
		}
	}
}

// Close waits for pending records and closes the file.
func (l *AuditLog) Close() error {
	l.commits.Close() // no write runs after this
	l.closeMu.Lock()
	defer l.closeMu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // not supported everywhere; the file's own fsync matters most
	return nil
}

// auditFiles lists tenant's log files in dir, oldest first, the current
// file last (when it exists).
func auditFiles(dir, tenant string) ([]string, error) {
	rotated, err := filepath.Glob(filepath.Join(dir, tenant+".*.jsonl"))
	if err != nil {
		return nil, err
	}
	sort.Strings(rotated) // names embed a sortable UTC time
	cur := filepath.Join(dir, tenant+".jsonl")
	if _, err := os.Stat(cur); err == nil {
		rotated = append(rotated, cur)
	}
	return rotated, nil
}

// AuditTenants lists the tenants with an audit log in dir.
func AuditTenants(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		name := strings.TrimSuffix(filepath.Base(m), ".jsonl")
		if i := strings.IndexByte(name, '.'); i >= 0 {
			name = name[:i]
		}
		if ValidateTenant(name) == nil && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	Since  time.Time
	Tool   string
	Agent  string
	Status string
}

// Match reports whether e passes the filter. Tool matches the full name or
// the name without "atlassian_".
func (f AuditFilter) Match(e *AuditEntry) bool {
	switch {
	case !f.Since.IsZero() && e.Time.Before(f.Since):
		return false
	case f.Tool != "" && e.Tool != f.Tool && e.Tool != "atlassian_"+f.Tool:
		return false
	case f.Agent != "" && e.Agent != f.Agent:
		return false
	case f.Status != "" && e.Status != f.Status:
		return false
	}
	return true
}

// AuditReadResult is what ReadAudit found.
type AuditReadResult struct {
	Entries []AuditEntry
	// Skipped lists the lines that are not entries ("file:line: reason"),
	// such as a last line torn by a crash.
	Skipped []string
}

// ReadAudit reads tenant's audit log in dir (rotated files first), keeping
// the entries f selects. Lines that do not decode are skipped and reported,
// never fatal.
func ReadAudit(dir, tenant string, f AuditFilter) (*AuditReadResult, error) {
	res := &AuditReadResult{}
	skipped, err := WalkAudit(dir, tenant, f, func(e AuditEntry) error {
		res.Entries = append(res.Entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Skipped = skipped
	return res, nil
}

// WalkAudit calls fn with each of tenant's entries in dir that f selects,
// oldest first (rotated files first), a line at a time, so memory stays
// bounded whatever the log's size. It returns the lines skipped (as
// ReadAudit reports them) and stops at fn's first error.
func WalkAudit(dir, tenant string, f AuditFilter, fn func(AuditEntry) error) ([]string, error) {
	if err := ValidateTenant(tenant); err != nil {
		return nil, err
	}
	files, err := auditFiles(dir, tenant)
	if err != nil {
		return nil, err
	}
	var skipped []string
	for _, name := range files {
		if err := readAuditFile(name, f, fn, &skipped); err != nil {
			return skipped, err
		}
	}
	return skipped, nil
}

func readAuditFile(name string, f AuditFilter, fn func(AuditEntry) error, skipped *[]string) error {
	fh, err := os.Open(name)
	if err != nil {
		return err
	}
	defer fh.Close()
	r := bufio.NewReaderSize(fh, 64<<10)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var e AuditEntry
			switch derr := json.Unmarshal(line, &e); {
			case derr != nil:
				reason := "not a JSON entry"
				if err == io.EOF {
					reason = "torn last line (an interrupted write)"
				}
				*skipped = append(*skipped, fmt.Sprintf("%s:%d: %s", filepath.Base(name), n, reason))
			case e.Tool == "" || e.Time.IsZero():
				*skipped = append(*skipped, fmt.Sprintf("%s:%d: not an audit entry", filepath.Base(name), n))
			case f.Match(&e):
				if ferr := fn(e); ferr != nil {
					return ferr
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ParseSince reads an RFC 3339 time, a date, or a duration back from now
// (Go durations, plus "d" for days), as the audit filters take it.
func ParseSince(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && n >= 0 && fmt.Sprint(n) == days {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time, a date (2006-01-02) or a duration such as 24h or 7d", v)
}
