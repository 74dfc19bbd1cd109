package main

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// Subcommands return an error; exitCode, the one place that maps errors to
// exit codes and messages, turns it into what the user sees:
//
//	nil                        exit 0
//	exitStatus(n)              exit n, nothing printed (already said: --help, a flag error, a failed check)
//	usage(err) / usagef(...)   "<command>: <err>" on stderr, exit 2
//	any other error            "<command>: <err>" on stderr, exit 1
//
// named(name, err) replaces <command> (e.g. "agent add", "schema refresh").

// exitStatus is an error that carries only an exit code: what there was to
// say has been said.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usage marks err as a command-line mistake; nil stays nil.
func usage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// usagef is usage(fmt.Errorf(format, a...)).
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// namedError names the (sub)command an error's message is prefixed with.
type namedError struct {
	name string
	err  error
}

func (e namedError) Error() string { return e.err.Error() }
func (e namedError) Unwrap() error { return e.err }

// named prefixes err's message with name instead of the command's; nil
// stays nil.
func named(name string, err error) error {
	if err == nil {
		return nil
	}
	return namedError{name, err}
}

// exitCode reports err of command name on w and returns the exit code.
func exitCode(w io.Writer, name string, err error) int {
	if err == nil {
		return exitOK
	}
	var st exitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	var ne namedError
	if errors.As(err, &ne) {
		name = ne.name
	}
	fmt.Fprintf(w, "%s: %v\n", name, err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}
