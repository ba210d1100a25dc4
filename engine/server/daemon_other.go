//go:build !unix

package server

import "errors"

// Daemonize is not supported on this platform.
func Daemonize([]string) error { return errors.New("daemonize yes is not supported on this platform") }

// staleOwner cannot tell whether another process lives here: temp files
// are kept.
func staleOwner(int) bool { return false }
