//go:build unix

package cliq

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockFile takes an exclusive advisory lock on f, shared with other provider processes. It tries
// without blocking and polls, so that the wait ends when ctx does (with ctx.Err()) or after limit.
func lockFile(ctx context.Context, f *os.File, limit time.Duration) (func(), error) {
	deadline := time.Now().Add(limit)
	pause := time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return nil, err
		}
		if !time.Now().Before(deadline) {
			return nil, fmt.Errorf("another process held the lock for over %s", limit)
		}
		t := time.NewTimer(min(pause, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// tokenFileSupported: the access-token file is used (tokenstore.go).
const tokenFileSupported = true

// openNoFollow makes opening a symbolic link fail instead of following it.
const openNoFollow = syscall.O_NOFOLLOW

// ownedByCurrentUser reports whether info (of a file or directory) belongs to this process's user.
func ownedByCurrentUser(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int64(st.Uid) == int64(os.Geteuid())
}
