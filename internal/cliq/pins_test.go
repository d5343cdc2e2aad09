package cliq

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

func TestPinAndUnpin(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f, err := e.client.CreateFolder(ctx, "F", "", nil)
	must(t, err)
	must(t, e.client.PinChat(ctx, "11", ""))
	must(t, e.client.PinChat(ctx, "12", f.ID))
	must(t, e.client.PinChat(ctx, "12", f.ID)) // already there: no request
	if n := e.count(OpPinChat); n != 2 {
		t.Fatalf("pin requests = %d, want 2", n)
	}
	if def, _ := e.fake.Folder(DefaultFolderID); !slices.Equal(def.ChatIDs, []string{"11"}) {
		t.Fatalf("My Pins = %v", def.ChatIDs)
	}
	if got := e.chatIDs(t, f.ID); !slices.Equal(got, []string{"12"}) {
		t.Fatalf("folder = %v", got)
	}
	must(t, e.client.UnpinChat(ctx, "11"))
	must(t, e.client.UnpinChats(ctx, []string{"12"}))
	for _, sf := range e.fake.Folders() {
		if len(sf.ChatIDs) != 0 {
			t.Fatalf("folder %s still holds %v", sf.ID, sf.ChatIDs)
		}
	}
	// Chat details come from the shared read, reading again once for a chat not seen before.
	must(t, e.client.ReplaceChats(ctx, f.ID, []string{"31", "32"}))
	chats, err := e.client.ChatDetails(ctx, f.ID)
	must(t, err)
	if len(chats) != 2 || chats[0].Name == "" || chats[0].ChatType == "" {
		t.Fatalf("details = %+v", chats)
	}
}

func TestBulkUnpinSplitsIntoChunksOf25(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	var ids []string
	for i := 0; i < 60; i++ {
		ids = append(ids, fmt.Sprint(5000+i))
	}
	for chunk := range slices.Chunk(ids, 20) {
		e.fake.CreateFolderOOB("F", "", chunk)
	}
	e.tick()
	must(t, e.client.UnpinChats(ctx, ids))
	if n := e.count(OpBulkUnpin); n != 3 {
		t.Fatalf("bulk unpin requests = %d, want 3", n)
	}
	for _, sf := range e.fake.Folders() {
		if len(sf.ChatIDs) != 0 {
			t.Fatalf("folder %s still holds %v", sf.ID, sf.ChatIDs)
		}
	}
}

func TestRemovePinLeavesOtherFoldersAlone(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	a := e.fake.CreateFolderOOB("A", "", []string{"1", "2", "3"})
	b := e.fake.CreateFolderOOB("B", "", []string{"2", "4"})
	e.tick()
	// Concurrent removals from one folder share one replace of it, whether or not the chats sit
	// in other folders too.
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for _, chat := range []string{"1", "2", "3"} {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- e.client.RemovePin(ctx, a, chat) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	if got := e.chatIDs(t, a); len(got) != 0 {
		t.Fatalf("A = %v", got)
	}
	if got := e.chatIDs(t, b); !slices.Equal(got, []string{"2", "4"}) {
		t.Fatalf("B = %v, want [2 4]", got)
	}
	writes := e.count(OpBulkUnpin) + e.count(OpReplaceChats) + e.count(OpUnpinChat)
	if writes != 1 || e.count(OpReplaceChats) != 1 {
		t.Fatalf("removal requests = %d (%d replaces), want one replace", writes, e.count(OpReplaceChats))
	}
	// Removing a pin that is already gone costs nothing.
	must(t, e.client.RemovePin(ctx, a, "1"))
	if e.count(OpBulkUnpin)+e.count(OpReplaceChats)+e.count(OpUnpinChat) != 1 {
		t.Fatal("removing an absent pin sent a request")
	}
}

func TestRemovePinFromMyPinsKeepsTheChatElsewhere(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	a := e.fake.CreateFolderOOB("A", "", []string{"1", "2", "3"})
	must(t, e.fake.PinChatOOB("2", DefaultFolderID))
	must(t, e.fake.PinChatOOB("8", DefaultFolderID))
	e.tick()
	must(t, e.client.RemovePin(ctx, DefaultFolderID, "2"))
	if def, _ := e.fake.Folder(DefaultFolderID); !slices.Equal(def.ChatIDs, []string{"8"}) {
		t.Fatalf("My Pins = %v", def.ChatIDs)
	}
	if got := e.chatIDs(t, a); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Fatalf("A = %v: the chat lost its place in another folder", got)
	}
}

func TestPinIntoMissingFolder(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	err := e.client.PinChat(testCtx(t), "1", "4000000099999")
	if err == nil || !errorsIsNotFound(err) {
		t.Fatalf("err = %v, want ErrFolderNotFound", err)
	}
}

func errorsIsNotFound(err error) bool { return err != nil && errorsIs(err, ErrFolderNotFound) }

var _ = context.Background

// TestManyPinsIntoOneFolderCostOneRead: where Cliq puts a new pin is undocumented, but pinning needs
// only to know whether the chat is there, so a run of pins into one folder reads the list once.
func TestManyPinsIntoOneFolderCostOneRead(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	id := e.fake.CreateFolderOOB("F", "", nil)
	e.tick()
	for i := 0; i < 10; i++ {
		must(t, e.client.PinChat(ctx, fmt.Sprint(100+i), id))
		must(t, e.client.PinChat(ctx, fmt.Sprint(200+i), DefaultFolderID))
	}
	if n := e.count(OpListFolders); n != 1 {
		t.Fatalf("list requests = %d, want 1", n)
	}
	// Asking for the folder's exact order afterwards reads once more.
	f, _, err := e.client.GetFolder(ctx, id)
	must(t, err)
	if len(f.Chats) != 10 || e.count(OpListFolders) != 2 {
		t.Fatalf("chats = %d, list requests = %d", len(f.Chats), e.count(OpListFolders))
	}
}

// addTogether adds pins concurrently, as Terraform does, and returns each one's error.
func addTogether(e *testEnv, ctx context.Context, pins [][2]string) []error {
	errs := make([]error, len(pins))
	var wg sync.WaitGroup
	for i, p := range pins {
		wg.Go(func() { errs[i] = e.client.AddPin(ctx, p[0], p[1]) })
	}
	wg.Wait()
	return errs
}

// The client's own pin into a folder lands while its replace of that folder (a removal) is on
// the way: the replace, built before the pin, is refused and built again, and the pin stays.
func TestAPinIsNeverLostToAConcurrentReplace(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	e.fake.SetLatency(fakecliq.OpReplaceChats, 300*time.Millisecond)
	var wg sync.WaitGroup
	wg.Go(func() { must(t, e.client.RemovePin(ctx, f, "1")) }) // a replace, slow to land
	time.Sleep(150 * time.Millisecond)                         // the replace is on its way
	must(t, e.client.PinChat(ctx, "4", f))
	wg.Wait()
	if got := slices.Sorted(slices.Values(e.chatIDs(t, f))); !slices.Equal(got, []string{"2", "4"}) {
		t.Fatalf("folder = %v, want [2 4]", got)
	}
}
