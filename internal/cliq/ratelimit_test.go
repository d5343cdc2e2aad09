package cliq

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestConcurrentRequestsStayUnderTheLimit drives three times an operation's threshold through one
// client at once, with the fake enforcing the documented limits over a scaled minute.
func TestConcurrentRequestsStayUnderTheLimit(t *testing.T) {
	window := 400 * time.Millisecond
	e := newTestEnv(t, fakecliq.Options{RateWindow: window, LockPeriod: 10 * window})
	ctx := testCtx(t)
	id := e.fake.CreateFolderOOB("F", "", nil)
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	threshold := Threshold(OpPinChat)
	n := 3 * threshold
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			folder := id
			if i%2 == 0 {
				folder = DefaultFolderID
			}
			errs <- e.client.PinChat(ctx, fmt.Sprint(7000+i), folder)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	if thr := e.fake.ThrottledCount(fakecliq.OpPinChat); thr != 0 {
		t.Fatalf("the fake throttled %d requests", thr)
	}
	if got := e.fake.RequestCount(fakecliq.OpPinChat); got != n {
		t.Fatalf("pin requests = %d, want %d", got, n)
	}
}

// TestBudgetsAreSharedBetweenProcesses runs two clients (as two provider processes for the same
// account would) over one budget directory: together they stay under the limit.
func TestBudgetsAreSharedBetweenProcesses(t *testing.T) {
	window := 500 * time.Millisecond
	dir := t.TempDir()
	e := newTestEnv(t, fakecliq.Options{RateWindow: window, LockPeriod: 20 * window}, func(c *Config) { c.RateStateDir = dir })
	other, err := New(Config{APIURL: e.url, AccessToken: e.fake.AccessToken(), RateWindow: window, LockPeriod: 20 * window, RateStateDir: dir})
	must(t, err)
	ctx := testCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := 0; i < 15; i++ {
		for _, c := range []*Client{e.client, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.do(ctx, call{op: OpListFolders, path: "/pin-categories"}) // unshared reads
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	if thr := e.fake.ThrottledCount(fakecliq.OpListFolders); thr != 0 {
		t.Fatalf("two clients sharing a budget were throttled %d times", thr)
	}
	if n := e.count(OpListFolders); n != 30 {
		t.Fatalf("list requests = %d, want 30", n)
	}
}

func TestWaitingRespectsTheContext(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{LockPeriod: time.Hour})
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultThrottle})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := e.client.ListFolders(ctx)
	if err == nil || ctx.Err() == nil {
		t.Fatalf("err = %v, want the deadline to end the wait", err)
	}
}
