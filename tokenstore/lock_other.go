//go:build !unix

package tokenstore

import "os"

// tryLock has no cross-process lock on this platform: refreshes are then
// serialised within the process only.
func tryLock(*os.File) (bool, error) { return true, nil }

// unlockFile is a no-op where tryLock is.
func unlockFile(*os.File) error { return nil }
