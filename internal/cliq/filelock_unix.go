//go:build unix

package cliq

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on f, shared with other provider processes.
func lockFile(f *os.File) (func(), error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}
