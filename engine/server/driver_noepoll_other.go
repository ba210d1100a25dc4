//go:build !linux

package server

import "errors"

// epollDefault makes the epoll driver the default on Linux once it exists.
const epollDefault = false

func newEpollDriver(*Server) (driver, error) {
	return nil, errors.New("the epoll network driver is not available")
}
