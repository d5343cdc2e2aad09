//go:build !unix

package cliq

import (
	"context"
	"os"
	"time"
)

// lockFile is a no-op where flock is missing: budgets are then shared within a process only.
func lockFile(context.Context, *os.File, time.Duration) (func(), error) { return func() {}, nil }

// tokenFileSupported: the access-token file is not used here. Without flock two processes could
// both refresh, and the owner-only checks (modes, O_NOFOLLOW, owners) have no equivalent: each
// process refreshes on its own, as before the file existed, without a warning.
const tokenFileSupported = false

const openNoFollow = 0

func ownedByCurrentUser(os.FileInfo) bool { return false }
