//go:build !unix

package cliq

import "os"

// lockFile is a no-op where flock is missing: budgets are then shared within a process only.
func lockFile(*os.File) (func(), error) { return func() {}, nil }
