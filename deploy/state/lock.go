package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// DefaultLease is how long a lock stays valid without renewal. The holder
// renews it every third of the lease, so a crashed holder blocks others for at
// most one lease (less on the same host, where a dead holder's pid is noticed).
const DefaultLease = 2 * time.Minute

// LockInfo is what a lock file says about its holder.
type LockInfo struct {
	ID        string    `json:"id"`
	Holder    string    `json:"holder"` // user@host
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Operation string    `json:"operation"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

// LockedError says who holds the lock.
type LockedError struct {
	Deployment string
	Info       LockInfo
	Path       string
}

func (e *LockedError) Error() string {
	left := time.Until(e.Info.Expires).Round(time.Second)
	return fmt.Sprintf("deployment %q is locked by %s (pid %d, %s since %s; lease expires in %s)\n"+
		"Wait for that run to finish, or if you are sure it is gone, remove %s",
		e.Deployment, e.Info.Holder, e.Info.PID, e.Info.Operation,
		e.Info.Created.Local().Format("15:04:05"), left, e.Path)
}

// Lock is a held state lock. Release it when done.
type Lock struct {
	path  string
	info  LockInfo
	lease time.Duration
	stop  chan struct{}
	done  sync.WaitGroup
	mu    sync.Mutex
	lost  error
}

// Lock takes the deployment's lock for operation, or fails with a
// *LockedError naming the holder. A lock whose lease has expired, or whose
// holder on this host is no longer running, is taken over.
func (s *Store) Lock(deployment, operation string, lease time.Duration) (*Lock, error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create state directory: %w", err)
	}
	path := filepath.Join(s.Dir, deployment+".lock")
	host, _ := os.Hostname()
	who := "unknown"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	now := time.Now()
	info := LockInfo{ID: randomHex(8), Holder: who + "@" + host, Host: host, PID: os.Getpid(),
		Operation: operation, Created: now.UTC(), Expires: now.Add(lease).UTC()}
	for attempt := 0; attempt < 3; attempt++ {
		err := createExclusive(path, info)
		if err == nil {
			l := &Lock{path: path, info: info, lease: lease, stop: make(chan struct{})}
			l.done.Add(1)
			go l.renew()
			return l, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock state: %w", err)
		}
		held, err := readLock(path)
		if err != nil {
			return nil, fmt.Errorf("lock state: %w", err)
		}
		if !stale(held, host) {
			return nil, &LockedError{Deployment: deployment, Info: held, Path: path}
		}
		// Move the stale lock aside; only one contender's rename succeeds.
		aside := path + ".stale-" + info.ID
		if err := os.Rename(path, aside); err == nil {
			os.Remove(aside)
		}
	}
	return nil, fmt.Errorf("lock state: could not take over the stale lock %s", path)
}

func stale(held LockInfo, host string) bool {
	if time.Now().After(held.Expires) {
		return true
	}
	if held.Host == host && held.PID > 0 && held.PID != os.Getpid() {
		return !processAlive(held.PID)
	}
	return false
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func createExclusive(path string, info LockInfo) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(info)
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

func readLock(path string) (LockInfo, error) {
	var info LockInfo
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return info, nil // released meanwhile: expired zero value, retried
		}
		return info, err
	}
	if err := json.Unmarshal(b, &info); err != nil {
		// A torn or foreign file: treat as expired rather than block forever.
		return LockInfo{}, nil
	}
	return info, nil
}

// renew extends the lease until Release.
func (l *Lock) renew() {
	defer l.done.Done()
	t := time.NewTicker(l.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			held, err := readLock(l.path)
			if err != nil || held.ID != l.info.ID {
				l.mu.Lock()
				l.lost = fmt.Errorf("state lock %s was taken by %s", l.path, held.Holder)
				l.mu.Unlock()
				return
			}
			l.info.Expires = time.Now().Add(l.lease).UTC()
			b, _ := json.Marshal(l.info)
			_ = writeAtomic(l.path, b)
		}
	}
}

// Err reports whether the lock was lost (taken over by someone else).
func (l *Lock) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost
}

// Release stops renewal and removes the lock if it is still ours.
func (l *Lock) Release() error {
	close(l.stop)
	l.done.Wait()
	held, err := readLock(l.path)
	if err == nil && held.ID == l.info.ID {
		return os.Remove(l.path)
	}
	return nil
}

// WaitLock retries Lock until ctx is done (for --lock-timeout).
func (s *Store) WaitLock(ctx context.Context, deployment, operation string, lease time.Duration) (*Lock, error) {
	for {
		l, err := s.Lock(deployment, operation, lease)
		var le *LockedError
		if err == nil || !errors.As(err, &le) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(500 * time.Millisecond):
		}
	}
}
