//go:build !unix

package cliq

import (
	"context"
	"os"
	"time"
)

// lockFile is a no-op where flock is missing: budgets are then shared within a process only.
func lockFile(context.Context, *os.File, time.Duration) (func(), error) { return func() {}, nil }
