package cliq

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestReadOvertakenByWriteKeepsTheWrite: a list read and a create run concurrently (Terraform
// refreshes one resource while it creates another). The gate (doc.go, rule 2) orders them, through
// the read's install and the create's settle: either the read shows the folder, or the create is
// applied to the read after it. Either way the client knows the folder it created (a resource
// reading it back would otherwise report it deleted outside Terraform).
func TestReadOvertakenByWriteKeepsTheWrite(t *testing.T) {
	// A short window: the test makes many reads, and pacing is not what it is about.
	e := newTestEnv(t, fakecliq.Options{DisableRateLimits: true, MaxFolders: 1000, RateWindow: 10 * time.Millisecond})
	ctx := testCtx(t)
	must(t, e.client.Refresh(ctx))
	for i := 0; i < 150; i++ {
		var wg sync.WaitGroup
		var f Folder
		var cerr, rerr error
		wg.Add(2)
		go func() { defer wg.Done(); f, cerr = e.client.CreateFolder(ctx, fmt.Sprint("F", i), "", nil) }()
		go func() { defer wg.Done(); rerr = e.client.Refresh(ctx) }()
		wg.Wait()
		must(t, cerr)
		must(t, rerr)
		e.client.mu.Lock()
		_, got := e.client.snap.find(f.ID)
		stale := e.client.snap.stale
		e.client.mu.Unlock()
		if got == nil && !stale {
			t.Fatalf("round %d: the snapshot lost folder %s, created concurrently with a read", i, f.ID)
		}
	}
}
