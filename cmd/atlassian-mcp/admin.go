package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/console"
)

func runAdmin(_ context.Context, s streams, args []string) error {
	const about = "Usage: atlassian-mcp admin token [--rotate] [--data-dir DIR]\n\n" +
		"The admin console (serve --http, at /admin) opens with the admin token: 'admin token' creates\n" +
		"one and prints it once, '--rotate' replaces it. See 'atlassian-mcp admin token --help'.\n"
	switch {
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help"):
		fmt.Fprint(s.err, about)
		return nil
	case len(args) == 0 || args[0] != "token":
		fmt.Fprint(s.err, about)
		return exitStatus(exitUsage)
	}
	fs := newFlags(s, "admin token", "[flags]", `Create the admin console's token and print it, once: only its hash is stored
(<data-dir>/admin-token.json). When one exists already, say so; --rotate
replaces it (every console session of the old one ends). Open the console at
http://HOST:PORT/admin of 'serve --http' and log in with the token.`)
	var sf storeFlags
	fs.StringVar(&sf.dataDir, "data-dir", "", "data directory (env "+envDataDir+"; default $XDG_DATA_HOME/atlassian-mcp or ~/.local/share/atlassian-mcp)")
	rotate := fs.Bool("rotate", false, "replace the existing admin token with a new one")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	dir, err := sf.dir()
	if err != nil {
		return err
	}
	tokens := console.NewAdminTokens(dir)
	created, err := tokens.Created()
	switch {
	case err == nil && !*rotate:
		return fmt.Errorf("an admin token exists (created %s); it is stored hashed, so it cannot be shown again: run 'atlassian-mcp admin token --rotate' for a new one (the old one stops working)", created.Local().Format(time.RFC1123))
	case err != nil && !errors.Is(err, console.ErrNoAdminToken) && !*rotate:
		return err
	}
	token, err := tokens.Rotate(time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(s.out, token)
	fmt.Fprintln(s.err, "This is the admin console's token: it is shown once and only its hash is stored. Log in at http://HOST:PORT/admin of 'atlassian-mcp serve --http'.")
	return nil
}
