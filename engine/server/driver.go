package server

import (
	"fmt"
	"net"
	"runtime"
)

// driver moves bytes between sockets and clients: it reads, calls
// Client.feed, writes Client.out with one write per batch, delivers async
// output and closes connections.
type driver interface {
	start(ls []net.Listener) error
	stop() // closes every connection and waits for the driver's goroutines
}

func newDriver(s *Server, name string) (driver, error) {
	switch name {
	case "", "default":
		if runtime.GOOS == "linux" && epollDefault {
			return newEpollDriver(s)
		}
		return newStdDriver(s), nil
	case "std":
		return newStdDriver(s), nil
	case "epoll":
		return newEpollDriver(s)
	}
	return nil, fmt.Errorf("unknown network driver %q", name)
}

func listenTCP(network, addr string) (net.Listener, error) {
	return net.Listen(network, addr)
}
