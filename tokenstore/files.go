package tokenstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrPermissions means the data directory or a file in it is open to other
// users (or owned by someone else). The store refuses to use it rather than
// keep secrets where others can read them.
var ErrPermissions = errors.New("insecure permissions")

// ensureDir creates dir with mode 0700 when it is missing and checks that an
// existing one is private to the current user.
func ensureDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
		// MkdirAll honours the umask; make the mode exact.
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data directory %s is not a directory", dir)
	}
	return checkPrivate(dir, fi, 0o700, "data directory")
}

// checkPrivate refuses a path that other users can reach: group or other
// permission bits set, or owned by another user.
func checkPrivate(path string, fi fs.FileInfo, want fs.FileMode, what string) error {
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s %s has mode %04o, which lets other users read it; run `chmod %o %s` (and rotate the key if it may have leaked)",
			ErrPermissions, what, path, perm, want, path)
	}
	if uid, ok := fileOwner(fi); ok && uid != os.Getuid() {
		return fmt.Errorf("%w: %s %s belongs to user id %d, not to you (user id %d); use your own data directory (--data-dir)",
			ErrPermissions, what, path, uid, os.Getuid())
	}
	return nil
}

// readPrivateFile reads a file after checking it is private (0600 or
// stricter, owned by the current user).
func readPrivateFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkPrivate(path, fi, 0o600, "file"); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

// statPrivate checks an existing file's permissions; a missing file is
// reported as fs.ErrNotExist.
func statPrivate(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return checkPrivate(path, fi, 0o600, "file")
}

// writeFileAtomic writes data to path with mode 0600 through a synced
// temporary file. With exclusive, it fails with fs.ErrExist when path
// already exists (first-use creation racing another process); otherwise it
// replaces path atomically.
func writeFileAtomic(path string, data []byte, exclusive bool) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if exclusive {
		if err := os.Link(name, path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fs.ErrExist
			}
			return err
		}
	} else if err := os.Rename(name, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a directory entry change durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
