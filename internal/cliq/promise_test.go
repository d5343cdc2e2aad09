package cliq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// The tests in this file reproduce, one each, the ways a hand-made change could be undone or a
// request could outlive its caller (issue 11). Each failed before the client followed
// docs/dev/design.md's rules; the randomized test in interleaving_test.go searches for more.

// writeOps are the operations that change the account.
var writeOps = []fakecliq.Op{fakecliq.OpCreateFolder, fakecliq.OpBulkUnpin, fakecliq.OpModifyFolder, fakecliq.OpDeleteFolder,
	fakecliq.OpReorderChat, fakecliq.OpReorderFolder, fakecliq.OpReplaceChats, fakecliq.OpPinChat, fakecliq.OpUnpinChat}

// A person pins chat X into folder B at the last moment before Terraform's removal of X from
// folder A lands: X stays in B. (A bulk unpin or an unpin takes X out of every folder.)
func TestARemovalNeverReachesAnotherFolder(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	a := e.fake.CreateFolderOOB("A", "", []string{"7", "1"})
	b := e.fake.CreateFolderOOB("B", "", []string{"2"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	var once sync.Once
	for _, op := range writeOps {
		e.fake.BeforeExecute(op, func(fakecliq.LoggedRequest) {
			once.Do(func() { must(t, e.fake.PinChatOOB("7", b)) })
		})
	}
	must(t, e.client.RemovePin(ctx, a, "7"))
	if got := e.chatIDs(t, a); !slices.Equal(got, []string{"1"}) {
		t.Errorf("A = %v, want [1]", got)
	}
	if got := e.chatIDs(t, b); !slices.Equal(got, []string{"2", "7"}) {
		t.Errorf("B = %v, want [2 7]: the removal from A took away the pin made by hand in B", got)
	}
}

// A list read that waits for its budget while the client's own replace is answered must not
// replay that replace over what it read: a pin made by hand after the replace, and before the
// read, must survive the client's next replace of that folder.
func TestAReadNeverReplaysAWriteItAlreadyContains(t *testing.T) {
	// One list read a window, so that the second read waits for its budget.
	e := newTestEnv(t, fakecliq.Options{}, func(c *Config) { c.RateMargin = Threshold(OpListFolders) - 1 })
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	g := e.fake.CreateFolderOOB("G", "", []string{"2"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	readSent := make(chan struct{})
	var sent sync.Once
	e.fake.BeforeExecute(fakecliq.OpListFolders, func(fakecliq.LoggedRequest) { sent.Do(func() { close(readSent) }) })
	refreshed := make(chan error, 1)
	go func() { refreshed <- e.client.Refresh(ctx) }() // waits for the list budget
	must(t, e.client.ReplaceChats(ctx, f, []string{"1", "2", "3"}))
	e.tick()
	must(t, e.fake.PinChatOOB("9", f)) // by hand, after the replace, before the read
	e.tick()
	select {
	case <-readSent:
		t.Fatal("the read left before the test was ready: the list budget did not hold it back")
	default:
	}
	must(t, <-refreshed)
	e.tick()
	must(t, e.client.RemovePin(ctx, f, "2")) // 2 stays in G: a replace of F
	if got := e.chatIDs(t, f); !slices.Equal(got, []string{"1", "3", "9"}) {
		t.Fatalf("F = %v, want [1 3 9]: the pin made by hand was lost", got)
	}
	if got := e.chatIDs(t, g); !slices.Equal(got, []string{"2"}) {
		t.Fatalf("G = %v, want [2]", got)
	}
}

// Taking a chat out of My Pins never leaves it unpinned from a folder it is also pinned in, even
// when Cliq refuses to replace My Pins' chats and every later request fails.
func TestRemovingFromMyPinsNeverUnpinsItElsewhere(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{Reading: fakecliq.Reading{MyPinsRefusesReplace: true}})
	ctx := testCtx(t)
	b := e.fake.CreateFolderOOB("B", "", []string{"5", "6"})
	must(t, e.fake.PinChatOOB("5", DefaultFolderID))
	e.tick()
	for _, op := range []fakecliq.Op{fakecliq.OpPinChat, fakecliq.OpReorderChat} {
		e.fake.InjectFault(fakecliq.Fault{Op: op, Kind: fakecliq.FaultStatus, Status: 400, Code: "operation_failed", Times: 10})
	}
	err := e.client.RemovePin(ctx, DefaultFolderID, "5")
	if err == nil {
		t.Fatal("removing 5 from My Pins succeeded, but Cliq refuses that without unpinning it from B too")
	}
	if got := e.chatIDs(t, b); !slices.Equal(got, []string{"5", "6"}) {
		t.Fatalf("B = %v, want [5 6]: the chat was unpinned from a folder the removal did not target (%v)", got, err)
	}
	if e.count(OpBulkUnpin)+e.count(OpUnpinChat) != 0 {
		t.Fatal("an unpin everywhere was sent for a chat known to be pinned in another folder")
	}
	// A chat pinned nowhere else leaves My Pins by an unpin.
	must(t, e.fake.PinChatOOB("8", DefaultFolderID))
	e.tick()
	must(t, e.client.RemovePin(ctx, DefaultFolderID, "8"))
	if def, _ := e.fake.Folder(DefaultFolderID); slices.Contains(def.ChatIDs, "8") {
		t.Fatalf("My Pins = %v, still holds 8", def.ChatIDs)
	}
}

// A removal or pin whose caller was cancelled is never sent afterwards, and a caller waiting for
// a batch, the gate or the shared read returns as soon as its own context ends.
func TestNothingIsSentAfterTheCallerIsCancelled(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{}, func(c *Config) { c.BatchDelay = 200 * time.Millisecond })
	f := e.fake.CreateFolderOOB("F", "", []string{"1"})
	e.tick()
	_, err := e.client.ListFolders(testCtx(t))
	must(t, err)
	var sentAfter atomic.Int32
	var returned atomic.Bool
	e.fake.AfterRequest(func(r fakecliq.LoggedRequest) {
		if returned.Load() && r.Op != fakecliq.OpListFolders {
			sentAfter.Add(1)
		}
	})
	cancelled := func(change func(context.Context) error, wait time.Duration) {
		t.Helper()
		returned.Store(false)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- change(ctx) }()
		time.Sleep(wait)
		cancel()
		select {
		case err := <-done:
			returned.Store(true)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled change returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a cancelled change kept waiting")
		}
	}

	// In a batch's gathering delay.
	cancelled(func(ctx context.Context) error { return e.client.RemovePin(ctx, f, "1") }, 20*time.Millisecond)
	time.Sleep(400 * time.Millisecond) // past the batch's delay

	// At the gate, held by a list read that the server keeps waiting.
	release := make(chan struct{})
	var hold sync.Once
	e.fake.BeforeExecute(fakecliq.OpListFolders, func(fakecliq.LoggedRequest) { hold.Do(func() { <-release }) })
	e.client.Invalidate()
	leader := make(chan error, 1)
	go func() { leader <- e.client.Refresh(testCtx(t)) }()
	time.Sleep(50 * time.Millisecond) // the read holds the gate
	cancelled(func(ctx context.Context) error { return e.client.ModifyFolder(ctx, f, ptr("G"), nil, nil) }, 20*time.Millisecond)
	// A follower of the held read returns when its own context ends.
	cancelled(func(ctx context.Context) error { _, err := e.client.ListFolders(ctx); return err }, 20*time.Millisecond)
	select {
	case err := <-leader:
		t.Fatalf("the shared read finished (%v) although the server held it", err)
	default:
	}
	close(release)
	must(t, <-leader)
	time.Sleep(100 * time.Millisecond)

	if n := sentAfter.Load(); n != 0 {
		t.Fatalf("%d requests were sent after their caller was cancelled and told so", n)
	}
	if sf, _ := e.fake.Folder(f); !slices.Equal(sf.ChatIDs, []string{"1"}) || sf.Title != "F" {
		t.Fatalf("F = %+v: a cancelled change was carried out", sf)
	}
}

func ptr[T any](v T) *T { return &v }

// Where Cliq lists a folder that holds chats without its chats key (the vendor does not say when it
// leaves the key out), the client never rewrites that folder's list, which would drop the chats it
// cannot see: it pins the plan's additions and stops with an error.
func TestAFolderListedWithoutItsChatsIsNeverRewritten(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	e.tick()
	body := `{"url":"/v3/pin-categories","type":"pin_categories","data":[{"category_id":"default","chats":[]},` +
		`{"category_id":"` + f + `","title":"F","symbol":"","state":"expanded"}]}`
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultHTMLBefore, Body: body,
		ContentType: "application/json;charset=UTF-8", Times: -1})
	err := e.client.SetFolderChats(ctx, f, []string{"1", "2"}, []string{"2", "3"})
	if !errors.Is(err, errUnlisted) {
		t.Fatalf("err = %v, want the folder's chats unlisted", err)
	}
	if got := e.chatIDs(t, f); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("F = %v, want [1 2 3]: chats the client could not see were dropped", got)
	}
	if n := e.count(OpReplaceChats); n != 0 {
		t.Fatalf("%d replace_chats sent for a folder listed without its chats", n)
	}
}

// A person pins a chat into a folder after Cliq read the list for the client, but before Cliq
// dated its answer, which falls in the next second: the client's replace of that folder, built
// from that read, must not take the chat out (this is what readMargin is for).
func TestAChangeBetweenCliqsReadAndItsDateIsNeverLost(t *testing.T) {
	// Also where Cliq compares last_sync_time at second precision (issue 18).
	for _, reading := range []fakecliq.Reading{{}, {WholeSecondSync: true}} {
		t.Run(fmt.Sprintf("%+v", reading), func(t *testing.T) {
			e := newTestEnv(t, fakecliq.Options{Reading: reading})
			ctx := testCtx(t)
			f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
			e.tick()
			var once sync.Once
			e.fake.AfterExecute(fakecliq.OpListFolders, func(fakecliq.LoggedRequest) {
				once.Do(func() {
					must(t, e.fake.PinChatOOB("9", f))
					now := e.fake.Now()
					time.Sleep(now.Truncate(time.Second).Add(time.Second).Sub(now) + 5*time.Millisecond)
				})
			})
			must(t, e.client.RemovePin(ctx, f, "1"))
			if got := e.chatIDs(t, f); !slices.Equal(got, []string{"2", "9"}) {
				t.Fatalf("F = %v, want [2 9]: the pin made between Cliq's read and its answer's Date was lost", got)
			}
		})
	}
}

// A read that the server holds up ends when its caller's context does: unlike a write, it changed
// nothing whose answer must be waited for, and it must not keep the gate from the writes of
// callers still running.
func TestACancelledReadLeavesTheGate(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	f := e.fake.CreateFolderOOB("F", "", nil)
	release := make(chan struct{})
	defer close(release)
	e.fake.BeforeExecute(fakecliq.OpListFolders, func(fakecliq.LoggedRequest) { <-release })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.client.Refresh(ctx) }()
	time.Sleep(50 * time.Millisecond) // the read is on the wire, holding the gate
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read returned %v", err)
	}
	write, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if err := e.client.ModifyFolder(write, f, ptr("G"), nil, nil); err != nil {
		t.Fatalf("a write after the cancelled read: %v (the read kept the gate)", err)
	}
}
