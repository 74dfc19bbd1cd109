//go:build !unix

package gateway

import "os"

// lockFile has no cross-process lock on this platform: config updates are
// then serialised within the process only.
func lockFile(*os.File) error { return nil }
