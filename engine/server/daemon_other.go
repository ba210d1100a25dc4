//go:build !unix

package server

import "errors"

// Daemonize is not supported on this platform.
func Daemonize([]string) error { return errors.New("daemonize yes is not supported on this platform") }
