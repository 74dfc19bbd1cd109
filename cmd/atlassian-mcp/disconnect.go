package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/atlassian-mcp/atlassian-mcp/hub"
	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

func runDisconnect(ctx context.Context, s streams, args []string) error {
	fs := newFlags(s, "disconnect", "[flags]", `Delete a connection's tokens and cached data, after a best-effort call to the
authorization server's revocation endpoint. Atlassian does not document
app-side revocation for OAuth 2.0 (3LO) apps: to be sure access is gone,
remove the app under Connected apps in your Atlassian account settings.`)
	sf := addStoreFlags(fs)
	timeout := fs.Duration("timeout", hub.RevokeTimeout, "time limit for the revocation call")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := sf.openStore()
	if err != nil {
		return err
	}
	name := sf.connection
	rctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	res, err := hub.Disconnect(rctx, store, snapshotsOf(store), name)
	if errors.Is(err, tokenstore.ErrNotFound) {
		return fmt.Errorf("there is no connection %q in %s; nothing to do", name, storeWhere(store))
	}
	if err != nil {
		return err
	}
	if res.AlreadyGone {
		fmt.Fprintf(s.err, "disconnect: connection %q was already deleted (by another process)\n", name)
	}
	fmt.Fprintf(s.out, "Deleted connection %q (%s) and its tokens from %s.\n", name, res.Connection.Site.URL, storeWhere(store))
	if res.SchemaErr != "" {
		fmt.Fprintf(s.out, "The cached schema could not be deleted: %s\n", res.SchemaErr)
	} else {
		fmt.Fprintln(s.out, "Deleted the connection's cached schema.")
	}
	fmt.Fprintln(s.out, res.Revocation)
	fmt.Fprintln(s.out, hub.RevocationCaveat)
	return nil
}
