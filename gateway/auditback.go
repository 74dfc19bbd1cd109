package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// auditBlock is how much of a log file AuditBackward reads at a time (a
// variable for the tests, which cut lines across blocks).
var auditBlock = 64 << 10

// maxAuditSkipped bounds the skipped lines an AuditBackward reports.
const maxAuditSkipped = 20

// AuditNewestFirst is an AuditReader that also reads a tenant's entries
// newest first, one at a time, so a reader that wants a page of recent
// entries (the console's audit page) keeps no more than that page.
type AuditNewestFirst interface {
	// NewestFirst opens a cursor on tenant's entries that f selects,
	// newest first.
	NewestFirst(ctx context.Context, tenant string, f AuditFilter) (AuditCursor, error)
}

// AuditCursor walks audit entries; Close it when done.
type AuditCursor interface {
	// Next returns the next entry; false at the end or on an error (Err).
	Next() (AuditEntry, bool)
	// Err is the error that stopped the cursor, if any.
	Err() error
	// Skipped lists the lines passed over that are not entries
	// ("file:line: reason").
	Skipped() []string
	// Close frees the cursor.
	Close() error
}

var _ AuditNewestFirst = AuditFiles{}

// OpenNewestFirst opens a cursor on tenant's entries that f selects,
// newest first: the reader's own when it has one (the files read
// backwards, the database a page at a time), else a walk back over what
// Read returns.
func OpenNewestFirst(ctx context.Context, audit AuditReader, tenant string, f AuditFilter) (AuditCursor, error) {
	if nf, ok := audit.(AuditNewestFirst); ok {
		return nf.NewestFirst(ctx, tenant, f)
	}
	res, err := audit.Read(ctx, tenant, f)
	if err != nil {
		return nil, err
	}
	return &sliceCursor{entries: res.Entries, i: len(res.Entries), skipped: res.Skipped}, nil
}

// sliceCursor walks entries (oldest first) from the newest.
type sliceCursor struct {
	entries []AuditEntry
	i       int
	skipped []string
}

func (s *sliceCursor) Next() (AuditEntry, bool) {
	if s.i == 0 {
		return AuditEntry{}, false
	}
	s.i--
	return s.entries[s.i], true
}
func (s *sliceCursor) Err() error        { return nil }
func (s *sliceCursor) Skipped() []string { return s.skipped }
func (s *sliceCursor) Close() error      { return nil }

// NewestFirst reads tenant's log files backwards (NewAuditBackward).
func (a AuditFiles) NewestFirst(_ context.Context, tenant string, f AuditFilter) (AuditCursor, error) {
	return NewAuditBackward(a.Dir, tenant, f)
}

// AuditBackward reads one tenant's audit log from its newest entry to its
// oldest (the current file, then the rotated files from the newest), each
// file backwards a block at a time: memory stays bounded by a block and
// the longest line, whatever the log's size, and a reader that wants the
// newest entries stops early. Lines that do not decode are skipped and
// reported (at most maxAuditSkipped of them), never fatal.
type AuditBackward struct {
	files   []string // newest first
	filter  AuditFilter
	cur     *os.File
	name    string
	off     int64  // bytes of cur not read yet, from its start
	buf     []byte // read but not returned: the end of an unfinished line
	tail    bool   // the next line is the file's last (torn when it lacks '\n')
	fromEnd int    // lines of cur returned so far
	bad     []badLine
	skipped []string
	more    int // skipped lines beyond the bound
	err     error
}

// badLine is a skipped line, counted from the end of its file until the
// file's line count is known.
type badLine struct {
	fromEnd int
	reason  string
}

// NewAuditBackward opens tenant's audit log in dir for reading backwards,
// keeping the entries f selects. A tenant without a log reads as empty.
func NewAuditBackward(dir, tenant string, f AuditFilter) (*AuditBackward, error) {
	if err := ValidateTenant(tenant); err != nil {
		return nil, err
	}
	files, err := auditFiles(dir, tenant)
	if err != nil {
		return nil, err
	}
	slices.Reverse(files)
	return &AuditBackward{files: files, filter: f}, nil
}

// Next returns the next older entry the filter selects; false at the
// start of the log or on an error (see Err).
func (r *AuditBackward) Next() (AuditEntry, bool) {
	for r.err == nil {
		if r.cur == nil {
			if len(r.files) == 0 {
				return AuditEntry{}, false
			}
			r.openNext()
			continue
		}
		line, torn, ok := r.line()
		if !ok {
			r.closeCur()
			continue
		}
		r.fromEnd++
		var e AuditEntry
		switch err := json.Unmarshal(line, &e); {
		case err != nil && torn:
			r.bad = append(r.bad, badLine{r.fromEnd, "torn last line (an interrupted write)"})
		case err != nil:
			r.bad = append(r.bad, badLine{r.fromEnd, "not a JSON entry"})
		case e.Tool == "" || e.Time.IsZero():
			r.bad = append(r.bad, badLine{r.fromEnd, "not an audit entry"})
		case r.filter.Match(&e):
			return e, true
		}
	}
	return AuditEntry{}, false
}

// Skipped lists the lines passed over so far that are not entries
// ("file:line: reason"), for the files read to the start.
func (r *AuditBackward) Skipped() []string {
	if r.more > 0 {
		return append(slices.Clone(r.skipped), fmt.Sprintf("and %d more", r.more))
	}
	return r.skipped
}

// Err is the error that stopped the reader, if any.
func (r *AuditBackward) Err() error { return r.err }

// Close closes the file being read.
func (r *AuditBackward) Close() error {
	if r.cur == nil {
		return nil
	}
	err := r.cur.Close()
	r.cur = nil
	return err
}

func (r *AuditBackward) openNext() {
	r.name, r.files = r.files[0], r.files[1:]
	f, err := os.Open(r.name)
	if errors.Is(err, os.ErrNotExist) {
		return // rotated away by retention meanwhile
	}
	if err != nil {
		r.err = err
		return
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		r.err = err
		return
	}
	r.cur, r.off, r.buf, r.tail, r.fromEnd, r.bad = f, st.Size(), nil, true, 0, nil
}

// closeCur closes the file read to its start and reports its skipped
// lines with their line numbers, now that the count is known.
func (r *AuditBackward) closeCur() {
	for i := len(r.bad) - 1; i >= 0; i-- {
		b := r.bad[i]
		if len(r.skipped) == maxAuditSkipped {
			r.more++
			continue
		}
		r.skipped = append(r.skipped, fmt.Sprintf("%s:%d: %s", filepath.Base(r.name), r.fromEnd-b.fromEnd+1, b.reason))
	}
	if err := r.Close(); err != nil && r.err == nil {
		r.err = err
	}
}

// line returns the previous non-empty line of the current file, and
// whether it is a last line without its newline.
func (r *AuditBackward) line() (line []byte, torn, ok bool) {
	for {
		if i := bytes.LastIndexByte(r.buf, '\n'); i >= 0 {
			line, r.buf = r.buf[i+1:], r.buf[:i]
			last := r.tail
			r.tail = false
			if len(bytes.TrimSpace(line)) > 0 {
				return line, last, true
			}
			continue
		}
		if r.off == 0 {
			line, r.buf = r.buf, nil
			last := r.tail
			r.tail = false
			return line, last, len(bytes.TrimSpace(line)) > 0
		}
		n := min(int64(auditBlock), r.off)
		r.off -= n
		chunk := make([]byte, n, int(n)+len(r.buf))
		if _, err := r.cur.ReadAt(chunk, r.off); err != nil && !errors.Is(err, io.EOF) {
			r.err = err
			return nil, false, false
		}
		r.buf = append(chunk, r.buf...)
	}
}

// AuditCounter is an AuditReader that also answers the console's audit
// page totals without walking the entries: how many a filter selects and
// how many per hour and status (the calls-per-hour chart). The database
// (pgstore) answers them with COUNT(*) and GROUP BY on its (tenant, at)
// index; the files have no such index, and the console walks them.
// Both answers must equal a walk over NewestFirst with the same filter.
type AuditCounter interface {
	// CountAudit returns how many of tenant's entries f selects.
	CountAudit(ctx context.Context, tenant string, f AuditFilter) (int, error)
	// HourlyAudit returns how many of tenant's entries f selects fall in
	// each UTC hour of [from, to) (whole hours), by status; hours and
	// statuses without entries are left out, and an (hour, status) pair
	// may come more than once (add them up).
	HourlyAudit(ctx context.Context, tenant string, f AuditFilter, from, to time.Time) ([]AuditHourCount, error)
}

// AuditHourCount is the number of entries of one status in one UTC hour.
type AuditHourCount struct {
	// Hour is the start of the hour, in UTC.
	Hour time.Time
	// Status is the entries' status (StatusOK, StatusError, StatusDenied).
	Status string
	// Calls is how many entries.
	Calls int
}
