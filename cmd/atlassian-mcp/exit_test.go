package main

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int
		msg  string
	}{
		{"success", nil, exitOK, ""},
		{"help", exitStatus(exitOK), exitOK, ""},
		{"already reported", exitStatus(exitFailure), exitFailure, ""},
		{"failure", errors.New("boom"), exitFailure, "serve: boom\n"},
		{"usage", usagef("--http %q: bad", "x"), exitUsage, "serve: --http \"x\": bad\n"},
		{"wrapped usage", fmt.Errorf("outer: %w", usage(errors.New("inner"))), exitUsage, "serve: outer: inner\n"},
		{"named", named("agent add", usage(errors.New("--name is required"))), exitUsage, "agent add: --name is required\n"},
		{"named nil", named("agent add", nil), exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w bytes.Buffer
			if code := exitCode(&w, "serve", tt.err); code != tt.code || w.String() != tt.msg {
				t.Fatalf("exitCode = %d, %q; want %d, %q", code, w.String(), tt.code, tt.msg)
			}
		})
	}
}
