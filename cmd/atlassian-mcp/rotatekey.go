package main

import (
	"context"
	"fmt"
	"os"

	"github.com/atlassian-mcp/atlassian-mcp/tokenstore"
)

func runRotateKey(_ context.Context, s streams, args []string) error {
	fs := newFlags(s, "rotate-key", "[flags]", `Re-encrypt every connection's secrets with a new key version.

With the key file (the default), a new random key is added to it, every
connection is re-encrypted, and the old key is dropped. With `+tokenstore.KeyEnv+`,
list the new key first with a higher version, keeping the old one
("2:<new>,1:<old>"), run rotate-key, then set the variable to the new key only
("2:<new>"). Generate a key with: openssl rand -base64 32`)
	sf := addStoreFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, err := sf.openStore()
	if err != nil {
		return err
	}
	if os.Getenv(tokenstore.KeyEnv) == "" {
		ver, err := store.RotateKeyFile()
		if err != nil {
			return err
		}
		fmt.Fprintf(s.out, "Rotated the key file in %s to key version %d; every connection is re-encrypted with it.\n", store.Dir(), ver)
		return nil
	}
	n, err := store.Reencrypt()
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "Re-encrypted %d connection(s) with the highest key version in %s.\nYou can now remove the older versions from %s.\n", n, tokenstore.KeyEnv, tokenstore.KeyEnv)
	return nil
}
