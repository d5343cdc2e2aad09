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
	// Concurrent removals share requests: 1 and 3 are pinned only in A (one bulk unpin), 2 also in
	// B, so it leaves A with one replace.
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
	if writes != 2 {
		t.Fatalf("removal requests = %d, want 2", writes)
	}
	// Removing a pin that is already gone costs nothing.
	must(t, e.client.RemovePin(ctx, a, "1"))
	if e.count(OpBulkUnpin)+e.count(OpReplaceChats)+e.count(OpUnpinChat) != 2 {
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

func TestOneBadChatDoesNotSpoilABatchOfRemovals(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	id := e.fake.CreateFolderOOB("F", "", []string{"1", "2", "3"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpBulkUnpin, Kind: fakecliq.FaultStatus, Status: 400, Code: CodeChatAccessDenied})
	e.fake.DenyChat("2")
	errs := map[string]chan error{}
	for _, chat := range []string{"1", "2", "3"} {
		ch := make(chan error, 1)
		errs[chat] = ch
		go func() { ch <- e.client.RemovePin(ctx, id, chat) }()
	}
	for chat, ch := range errs {
		err := <-ch
		if (chat == "2") != HasCode(err, CodeChatAccessDenied) {
			t.Fatalf("chat %s: err = %v", chat, err)
		}
	}
	if got := e.chatIDs(t, id); !slices.Equal(got, []string{"2"}) {
		t.Fatalf("folder = %v, want [2]", got)
	}
}

// TestRemovalsUseOtherBudgetsWhenTheBulkBudgetIsSpent: once bulk unpin has no budget left, removals
// unpin chats one by one (unpin_chat, a budget of its own), then take them out of their folders with
// replace_chats (another budget), instead of waiting a window.
func TestRemovalsUseOtherBudgetsWhenTheBulkBudgetIsSpent(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{RateWindow: time.Hour, LockPeriod: time.Hour})
	ctx := testCtx(t)
	var folders []string
	for i := 0; i < 75; i++ {
		folders = append(folders, e.fake.CreateFolderOOB(fmt.Sprint("F", i), "", []string{fmt.Sprint(100 + i), fmt.Sprint(200 + i)}))
	}
	e.tick()
	for i, f := range folders {
		must(t, e.client.RemovePin(ctx, f, fmt.Sprint(100+i)))
	}
	if e.count(OpBulkUnpin) != 20 || e.count(OpUnpinChat) != 50 || e.count(OpReplaceChats) != 5 {
		t.Fatalf("bulk_unpin = %d, unpin_chat = %d, replace_chats = %d; want 20, 50 and 5 (an hour-long window: no waiting)",
			e.count(OpBulkUnpin), e.count(OpUnpinChat), e.count(OpReplaceChats))
	}
	for i, f := range folders {
		if got := e.chatIDs(t, f); !slices.Equal(got, []string{fmt.Sprint(200 + i)}) {
			t.Fatalf("folder %s = %v", f, got)
		}
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

// TestPinsIntoOneFolderShareAReplace: pins that arrive together into one folder cost one request,
// keep the chats already there in place, and leave the client knowing the folder's exact order.
func TestPinsIntoOneFolderShareAReplace(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	e.tick()
	var pins [][2]string
	for _, chat := range []string{"11", "12", "13", "14"} {
		pins = append(pins, [2]string{f, chat})
	}
	for _, err := range addTogether(e, ctx, pins) {
		must(t, err)
	}
	got := e.chatIDs(t, f)
	if len(got) != 6 || !slices.Equal(got[:2], []string{"1", "2"}) {
		t.Fatalf("folder = %v, want 1 and 2 first, then the four new chats", got)
	}
	if e.count(OpReplaceChats) != 1 || e.count(OpPinChat) != 0 {
		t.Fatalf("replace_chats = %d, pin_chat = %d; want 1 and 0", e.count(OpReplaceChats), e.count(OpPinChat))
	}
	lists := e.count(OpListFolders)
	mine, _, err := e.client.GetFolder(ctx, f)
	must(t, err)
	if !slices.Equal(mine.ChatIDs(), got) || e.count(OpListFolders) != lists {
		t.Fatalf("client sees %v after %d more reads, server holds %v", mine.ChatIDs(), e.count(OpListFolders)-lists, got)
	}
}

// TestPinsUsePinChatWhereAReplaceWouldBeWrongOrWasteful: a single pin, a pin into My Pins and a pin
// of a chat that is pinned elsewhere go through pin_chat.
func TestPinsUsePinChatWhereAReplaceWouldBeWrongOrWasteful(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	a := e.fake.CreateFolderOOB("A", "", []string{"1"})
	b := e.fake.CreateFolderOOB("B", "", nil)
	c := e.fake.CreateFolderOOB("C", "", nil)
	e.tick()
	errs := addTogether(e, ctx, [][2]string{{b, "1"}, {b, "2"}, {DefaultFolderID, "3"}, {DefaultFolderID, "4"}, {c, "5"}})
	for _, err := range errs {
		must(t, err)
	}
	if e.count(OpReplaceChats) != 0 || e.count(OpPinChat) != 5 {
		t.Fatalf("replace_chats = %d, pin_chat = %d; want 0 and 5", e.count(OpReplaceChats), e.count(OpPinChat))
	}
	for id, want := range map[string][]string{a: {"1"}, b: {"1", "2"}, c: {"5"}, DefaultFolderID: {"3", "4"}} {
		got := slices.Sorted(slices.Values(e.chatIDs(t, id)))
		if !slices.Equal(got, want) {
			t.Fatalf("folder %s = %v, want %v", id, got, want)
		}
	}
}

// TestPinsUseTheReplaceBudgetWhenThePinBudgetIsSpent: with pin_chat's budget spent, single pins go
// through replace_chats instead of waiting a window, but never into a folder the client pinned into
// since its last read (the sync check would refuse it).
func TestPinsUseTheReplaceBudgetWhenThePinBudgetIsSpent(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{RateWindow: time.Hour, LockPeriod: time.Hour})
	ctx := testCtx(t)
	var folders []string
	for i := 0; i < 55; i++ {
		folders = append(folders, e.fake.CreateFolderOOB(fmt.Sprint("F", i), "", nil))
	}
	e.tick()
	for i, f := range folders {
		must(t, e.client.AddPin(ctx, f, fmt.Sprint(100+i)))
	}
	if e.count(OpPinChat) != 50 || e.count(OpReplaceChats) != 5 {
		t.Fatalf("pin_chat = %d, replace_chats = %d; want 50 and 5 (an hour-long window: no waiting)", e.count(OpPinChat), e.count(OpReplaceChats))
	}
	for i, f := range folders {
		if got := e.chatIDs(t, f); !slices.Equal(got, []string{fmt.Sprint(100 + i)}) {
			t.Fatalf("folder %s = %v", f, got)
		}
	}
	for _, r := range e.fake.RequestLog() {
		if r.Status >= 400 {
			t.Fatalf("refused request: %+v", r)
		}
	}
}

// TestOneBadChatDoesNotSpoilAReplaceOfPins: a chat the user may not pin fails alone.
func TestOneBadChatDoesNotSpoilAReplaceOfPins(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", nil)
	e.tick()
	e.fake.DenyChat("2")
	errs := addTogether(e, ctx, [][2]string{{f, "1"}, {f, "2"}, {f, "3"}})
	if errs[0] != nil || errs[2] != nil || !HasCode(errs[1], CodeChatAccessDenied) {
		t.Fatalf("errs = %v", errs)
	}
	if got := slices.Sorted(slices.Values(e.chatIDs(t, f))); !slices.Equal(got, []string{"1", "3"}) {
		t.Fatalf("folder = %v, want [1 3]", got)
	}
}

// TestAPinIsNeverLostToAConcurrentReplace: a replace of a folder's chats is built from the client's
// knowledge; a pin into the same folder that lands while the replace is on its way must not be
// dropped by it, even when the client's knowledge of the folder reaches past the pin (its own
// sync-checked write in the same second).
func TestAPinIsNeverLostToAConcurrentReplace(t *testing.T) {
	frozen := time.Now().Truncate(time.Second).Add(100 * time.Millisecond)
	e := newTestEnv(t, fakecliq.Options{Now: func() time.Time { return frozen }})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1"})
	frozen = frozen.Add(time.Second)
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	frozen = frozen.Add(time.Second)
	must(t, e.client.ReplaceChats(ctx, f, []string{"1", "9"})) // knowledge: to the end of this second
	e.fake.SetLatency(fakecliq.OpReplaceChats, 300*time.Millisecond)
	var wg sync.WaitGroup
	for _, chat := range []string{"2", "3"} {
		wg.Go(func() { must(t, e.client.AddPin(ctx, f, chat)) }) // together: one replace, slow to land
	}
	time.Sleep(150 * time.Millisecond) // the replace is on its way
	must(t, e.client.PinChat(ctx, "4", f))
	wg.Wait()
	if got := slices.Sorted(slices.Values(e.chatIDs(t, f))); !slices.Equal(got, []string{"1", "2", "3", "4", "9"}) {
		t.Fatalf("folder = %v, want [1 2 3 4 9]", got)
	}
}

// TestASpentBudgetIsWorthAReadNotAWindow: with pin_chat's budget spent in folders the client itself
// pinned into (a replace there would be refused as stale), the client reads the list once and
// replaces, rather than wait a window; removals likewise once bulk_unpin and unpin_chat are spent.
func TestASpentBudgetIsWorthAReadNotAWindow(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{RateWindow: time.Hour, LockPeriod: time.Hour})
	ctx, cancel := context.WithTimeout(testCtx(t), 30*time.Second) // waiting a window would time out
	defer cancel()
	var folders []string
	for i := 0; i < 10; i++ {
		folders = append(folders, e.fake.CreateFolderOOB(fmt.Sprint("F", i), "", nil))
	}
	e.tick()
	chat := func(f, n int) string { return fmt.Sprint(1000 + 10*f + n) }
	const perFolder = 8 // 80 pins: more than pin_chat's 50, and than bulk_unpin's 20 plus unpin_chat's 50
	for n := 0; n < perFolder; n++ {
		for i, f := range folders {
			if n == 5 && i == 0 {
				e.tick() // pin_chat's budget is spent: the read must fall in a later second than the pins
			}
			must(t, e.client.AddPin(ctx, f, chat(i, n)))
		}
	}
	if e.count(OpPinChat) != 50 || e.count(OpReplaceChats) != 30 || e.count(OpListFolders) != 2 {
		t.Fatalf("pin_chat = %d, replace_chats = %d, list_folders = %d; want 50, 30 and 2",
			e.count(OpPinChat), e.count(OpReplaceChats), e.count(OpListFolders))
	}
	for i, f := range folders {
		if got := slices.Sorted(slices.Values(e.chatIDs(t, f))); len(got) != perFolder || got[0] != chat(i, 0) || got[perFolder-1] != chat(i, perFolder-1) {
			t.Fatalf("folder %s = %v", f, got)
		}
	}

	// Removals: 20 bulk unpins and 50 single unpins spend those budgets (taking the client's
	// knowledge of every folder past its last read), then the last 10 go by replace after a read.
	lists := e.count(OpListFolders)
	for n := 0; n < perFolder; n++ {
		for i, f := range folders {
			if n == perFolder-1 && i == 0 {
				e.tick() // the read must fall in a later second than the unpins
			}
			must(t, e.client.RemovePin(ctx, f, chat(i, n)))
		}
	}
	if e.count(OpBulkUnpin) != 20 || e.count(OpUnpinChat) != 50 || e.count(OpReplaceChats) != 40 || e.count(OpListFolders)-lists != 1 {
		t.Fatalf("bulk_unpin = %d, unpin_chat = %d, replace_chats = %d (30 of them pins), list_folders +%d; want 20, 50, 40, +1",
			e.count(OpBulkUnpin), e.count(OpUnpinChat), e.count(OpReplaceChats), e.count(OpListFolders)-lists)
	}
	for _, r := range e.fake.RequestLog() {
		if r.Status >= 400 {
			t.Fatalf("refused request: %+v", r)
		}
	}
}

// TestPinsSharingAReplaceSurviveALostAnswer: the replace that carries several pins commits, but its
// answer is lost (or it fails before committing); the client settles it by reading, and every pin
// is there exactly once.
func TestPinsSharingAReplaceSurviveALostAnswer(t *testing.T) {
	for _, kind := range []fakecliq.FaultKind{fakecliq.FaultDropAfter, fakecliq.FaultDropBefore} {
		e := newTestEnv(t, fakecliq.Options{})
		ctx := testCtx(t)
		f := e.fake.CreateFolderOOB("F", "", []string{"1"})
		e.tick()
		e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpReplaceChats, Kind: kind})
		for _, err := range addTogether(e, ctx, [][2]string{{f, "2"}, {f, "3"}, {f, "4"}}) {
			must(t, err)
		}
		if got := slices.Sorted(slices.Values(e.chatIDs(t, f))); !slices.Equal(got, []string{"1", "2", "3", "4"}) {
			t.Fatalf("fault %v: folder = %v, want [1 2 3 4]", kind, got)
		}
		if len(e.fake.PendingFaults()) != 0 {
			t.Fatalf("fault %v was never used: the pins did not share a replace", kind)
		}
	}
}
