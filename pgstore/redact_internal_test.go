package pgstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestRedactErr: what a store error says never names the database's
// address, and a connection failure reads as ErrUnreachable.
func TestRedactErr(t *testing.T) {
	addr := &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 5433}
	dial := &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: &net.AddrError{Err: "x"}}
	tests := []struct {
		name        string
		err         error
		want        string
		unreachable bool
	}{
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: syscall.ECONNREFUSED}, "connection refused", true},
		{"dial failure", dial, "cannot connect", true},
		{"cut", fmt.Errorf("read tcp 10.1.2.3:5433: %w", io.ErrUnexpectedEOF), "connection lost", true},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Addr: addr, Err: syscall.ECONNRESET}, "connection lost", true},
		{"deadline", fmt.Errorf("dial 10.1.2.3:5433: %w", context.DeadlineExceeded), "no answer in time", true},
		{"server error", &pgconn.PgError{Message: "relation \"x\" does not exist", Code: "42P01"}, "relation \"x\" does not exist (SQLSTATE 42P01)", false},
		{"canceled", context.Canceled, "context canceled", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redactErr(tt.err)
			if !strings.Contains(got.Error(), tt.want) || strings.Contains(got.Error(), "10.1.2.3") || errors.Is(got, ErrUnreachable) != tt.unreachable {
				t.Fatalf("redactErr(%v) = %q, want it to say %q (unreachable %v) and no address", tt.err, got, tt.want, tt.unreachable)
			}
		})
	}
}
