package cliq

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// The tests in this file kill mutations of the client that survived every other test when issue
// 18 measured the suite (scripts/mutants.sh reruns that measurement): each fails on the mutated
// client and passes on the real one.

// A removal whose caller is cancelled while the batch waits for the list read it needs (the
// client has no snapshot yet) is never sent: the batch's requests leave only for callers still
// waiting (doc.go, rule 5).
func TestARemovalCancelledWhileItsBatchWaitsForAReadIsNeverSent(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	e.tick()
	held, release := make(chan struct{}), make(chan struct{})
	var hold sync.Once
	e.fake.BeforeExecute(fakecliq.OpListFolders, func(fakecliq.LoggedRequest) {
		hold.Do(func() { close(held); <-release })
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.client.RemovePin(ctx, f, "1") }()
	select {
	case <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("the removal never read the list")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the cancelled removal returned %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled removal kept waiting for the held read")
	}
	close(release)
	// Whatever the batch's worker still does, it does within a few round trips of the fake.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if n := e.count(OpReplaceChats) + e.count(OpUnpinChat) + e.count(OpBulkUnpin); n != 0 {
			t.Fatalf("%d removals were sent after their caller was cancelled and told so", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := e.chatIDs(t, f); !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("F = %v, want [1 2]: the cancelled removal was carried out", got)
	}
}

// Where Cliq refuses to replace My Pins' chats, a removal from My Pins is an unpin, which reaches
// every folder. A pin of the same chat into folder B that the client starts just before that
// unpin lands waits for the chat's turn (doc.go, rule 3), so B still holds the chat afterwards.
func TestAPinWaitsForAnUnpinOfTheSameChat(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{Reading: fakecliq.Reading{MyPinsRefusesReplace: true}})
	ctx := testCtx(t)
	b := e.fake.CreateFolderOOB("B", "", []string{"6"})
	must(t, e.fake.PinChatOOB("5", DefaultFolderID))
	e.tick()
	pinSent := make(chan struct{})
	var sent sync.Once
	e.fake.BeforeExecute(fakecliq.OpPinChat, func(fakecliq.LoggedRequest) { sent.Do(func() { close(pinSent) }) })
	pinned := make(chan error, 1)
	var start sync.Once
	e.fake.BeforeExecute(fakecliq.OpUnpinChat, func(r fakecliq.LoggedRequest) {
		if r.Path != APIPathPrefix+"/chats/5/pins" {
			return
		}
		start.Do(func() {
			go func() { pinned <- e.client.PinChat(ctx, "5", b) }()
			// Give the pin every chance to overtake the unpin: it may not.
			select {
			case <-pinSent:
			case <-time.After(300 * time.Millisecond):
			}
		})
	})
	must(t, e.client.RemovePin(ctx, DefaultFolderID, "5"))
	select {
	case err := <-pinned:
		must(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the pin never returned (was the unpin of chat 5 sent?)")
	}
	if got := e.chatIDs(t, b); !slices.Contains(got, "5") {
		t.Fatalf("B = %v, want 5 in it: the pin went out before the unpin of the same chat, which took it away again", got)
	}
	if def, _ := e.fake.Folder(DefaultFolderID); slices.Contains(def.ChatIDs, "5") {
		t.Fatalf("My Pins = %v, still holds 5", def.ChatIDs)
	}
}

// Deleting a folder with unpin_all never reaches another folder: where Cliq's unpin_all=true
// unpins the folder's chats everywhere, a chat a person keeps in their own folder stays there.
// The assertion is on the server, not on the client's view (which a re-read would make agree).
func TestADeleteWithUnpinAllLeavesOtherFoldersAlone(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{Reading: fakecliq.Reading{UnpinAllEverywhere: true}})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"3", "4"})
	own := e.fake.CreateFolderOOB("Own", "", []string{"3"})
	must(t, e.fake.PinChatOOB("4", DefaultFolderID))
	e.tick()
	must(t, e.client.DeleteFolder(ctx, f, true))
	if _, ok := e.fake.Folder(f); ok {
		t.Fatal("F is still there")
	}
	if got := e.chatIDs(t, own); !slices.Equal(got, []string{"3"}) {
		t.Errorf("the person's folder = %v, want [3]: deleting F with unpin_all took the chat out of it too", got)
	}
	if got := e.chatIDs(t, DefaultFolderID); !slices.Equal(got, []string{"4"}) {
		t.Errorf("My Pins = %v, want [4]: deleting F with unpin_all took the chat out of it too", got)
	}
}

// A write the client makes while one of its list reads is on the wire (Cliq has read the list and
// not yet answered) never goes missing from the client's view: the write waits for the read to be
// installed (doc.go, rule 2), rather than landing unseen by it and being overwritten by it.
func TestAWriteNeverGoesMissingUnderAReadOnTheWire(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	read, release := make(chan struct{}), make(chan struct{})
	var hold sync.Once
	e.fake.AfterExecute(fakecliq.OpListFolders, func(fakecliq.LoggedRequest) { hold.Do(func() { close(read); <-release }) })
	refreshed := make(chan error, 1)
	go func() { refreshed <- e.client.Refresh(ctx) }()
	select {
	case <-read: // Cliq read the list, without the pin below, and holds its answer
	case <-time.After(10 * time.Second):
		t.Fatal("the read never reached the server")
	}
	pinned := make(chan error, 1)
	go func() { pinned <- e.client.PinChat(ctx, "2", f) }()
	time.Sleep(200 * time.Millisecond) // time for the pin to go out, if it may
	close(release)
	must(t, <-refreshed)
	must(t, <-pinned)
	got, ok, err := e.client.GetFolder(ctx, f)
	must(t, err)
	if !ok || !slices.Contains(got.ChatIDs(), "2") {
		t.Fatalf("the client sees F as %v after its own pin of 2 (the server holds %v): a read that did not show the pin replaced the view after it", got.ChatIDs(), e.chatIDs(t, f))
	}
}

// Where a chat sits in one folder at a time, a pin takes it out of the folder that held it: the
// client counts that as its own change of that folder too (doc.go, rule 1), so that its next
// replace there is built on a read that shows the pin, instead of being sent too early and refused.
func TestAPinNotesTheFolderItTakesTheChatOutOf(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{Reading: fakecliq.Reading{OneFolderPerChat: true}})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", nil)
	g := e.fake.CreateFolderOOB("G", "", []string{"1", "2"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	must(t, e.client.PinChat(ctx, "1", f)) // takes 1 out of G
	must(t, e.client.RemovePin(ctx, g, "2"))
	if got := e.chatIDs(t, g); len(got) != 0 {
		t.Fatalf("G = %v, want []", got)
	}
	for _, r := range e.fake.RequestLog() {
		if r.Code == CodeClientNotSynced {
			t.Fatalf("%s %s was refused as client_not_synced: the client sent it before a read could show its own pin's effect on G", r.Op, r.Path)
		}
	}
}
