package cliq

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

func TestFolderLifecycle(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f, err := e.client.CreateFolder(ctx, "Launch", ":rocket:", []string{"101", "102", "103"})
	must(t, err)
	if f.ID == "" || f.Title != "Launch" || f.Symbol != ":rocket:" || f.State != "expanded" {
		t.Fatalf("created folder = %+v", f)
	}
	if got := e.chatIDs(t, f.ID); !slices.Equal(got, []string{"101", "102", "103"}) {
		t.Fatalf("server chats = %v", got)
	}

	title, symbol, state := "Launch 2", "", "collapsed"
	must(t, e.client.ModifyFolder(ctx, f.ID, &title, &symbol, &state))
	sf, _ := e.fake.Folder(f.ID)
	if sf.Title != title || sf.Symbol != "" || sf.State != state {
		t.Fatalf("server folder after modify = %+v", sf)
	}

	// One move (operation 6) for a single chat out of place, a replace (operation 8) otherwise.
	must(t, e.client.SetFolderChats(ctx, f.ID, e.chatIDs(t, f.ID), []string{"103", "101", "102"}))
	if e.count(OpReorderChat) != 1 || e.count(OpReplaceChats) != 0 {
		t.Fatalf("reorder=%d replace=%d, want one move", e.count(OpReorderChat), e.count(OpReplaceChats))
	}
	must(t, e.client.SetFolderChats(ctx, f.ID, e.chatIDs(t, f.ID), []string{"102", "104"}))
	if got := e.chatIDs(t, f.ID); !slices.Equal(got, []string{"102", "104"}) {
		t.Fatalf("server chats = %v", got)
	}
	must(t, e.client.ReorderChat(ctx, f.ID, "102", ""))
	if got := e.chatIDs(t, f.ID); !slices.Equal(got, []string{"104", "102"}) {
		t.Fatalf("after move to end: %v", got)
	}

	// The shared read saw every write: the client's view equals the server's without reading again.
	lists := e.count(OpListFolders)
	got, ok, err := e.client.GetFolder(ctx, f.ID)
	must(t, err)
	if !ok || got.Title != title || got.State != state || !slices.Equal(got.ChatIDs(), []string{"104", "102"}) {
		t.Fatalf("client view = %+v", got)
	}
	if e.count(OpListFolders) != lists {
		t.Fatalf("GetFolder read the list again after the client's own writes")
	}

	must(t, e.client.DeleteFolder(ctx, f.ID, false))
	if _, ok := e.fake.Folder(f.ID); ok {
		t.Fatal("folder still on the server")
	}
	def, _ := e.fake.Folder(DefaultFolderID)
	if !slices.Contains(def.ChatIDs, "104") || !slices.Contains(def.ChatIDs, "102") {
		t.Fatalf("chats did not move to My Pins: %v", def.ChatIDs)
	}
	// Deleting again is not an error.
	must(t, e.client.DeleteFolder(ctx, f.ID, false))
	if e.count(OpDeleteFolder) != 1 {
		t.Fatalf("delete requests = %d, want 1", e.count(OpDeleteFolder))
	}
}

func TestDeleteFolderUnpinAll(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f, err := e.client.CreateFolder(ctx, "Tmp", "", []string{"201"})
	must(t, err)
	must(t, e.client.DeleteFolder(ctx, f.ID, true))
	def, _ := e.fake.Folder(DefaultFolderID)
	if slices.Contains(def.ChatIDs, "201") {
		t.Fatal("unpin_all moved the chat to My Pins")
	}
	if err := e.client.DeleteFolder(ctx, DefaultFolderID, false); err == nil {
		t.Fatal("deleting the default folder must fail")
	}
}

func TestFolderOrderWithFewestMoves(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	a := e.fake.CreateFolderOOB("A", "", nil)
	b := e.fake.CreateFolderOOB("B", "", nil)
	c := e.fake.CreateFolderOOB("C", "", nil)
	d := e.fake.CreateFolderOOB("D", "", nil)
	e.tick()
	must(t, e.client.SetFolderOrder(ctx, []string{c, a}))
	want := []string{DefaultFolderID, c, a, b, d}
	if got := serverOrder(e); !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if n := e.count(OpReorderFolder); n != 1 {
		t.Fatalf("reorder requests = %d, want 1 (fewest moves)", n)
	}
	must(t, e.client.SetFolderOrder(ctx, []string{d, b, c}))
	want = []string{DefaultFolderID, d, b, c, a}
	if got := serverOrder(e); !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if got, _ := e.client.FolderOrder(ctx); !slices.Equal(got, want[1:]) {
		t.Fatalf("client order = %v", got)
	}
	err := e.client.SetFolderOrder(ctx, []string{"999", a})
	if !errors.Is(err, ErrFolderNotFound) || !strings.Contains(err.Error(), "999") {
		t.Fatalf("unknown folder: err = %v", err)
	}
}

func serverOrder(e *testEnv) []string {
	var ids []string
	for _, f := range e.fake.Folders() {
		ids = append(ids, f.ID)
	}
	return ids
}

func TestSharedReadServesConcurrentCallers(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	for i := 0; i < 5; i++ {
		e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	}
	e.fake.SetLatency(fakecliq.OpListFolders, 50*testWindow/1000)
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		go func() { _, err := e.client.ListFolders(ctx); errs <- err }()
	}
	for i := 0; i < 40; i++ {
		must(t, <-errs)
	}
	if n := e.count(OpListFolders); n != 1 {
		t.Fatalf("40 concurrent readers made %d list requests, want 1", n)
	}
	folders, _ := e.client.ListFolders(ctx)
	if len(folders) != 6 || !folders[0].IsDefault() || len(folders[1].Chats) != 2 || folders[1].Chats[0].Name == "" {
		t.Fatalf("folders = %+v", folders)
	}
}

func TestClientNotSyncedRereadsAndKeepsOthersChanges(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	id := e.fake.CreateFolderOOB("F", "", []string{"1", "2", "3"})
	must(t, e.fake.PinChatOOB("2", DefaultFolderID)) // chat 2 also sits in My Pins, so it leaves F alone
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	// Another client pins a chat into F after our read: our removal must not drop it.
	must(t, e.fake.PinChatOOB("9", id))
	must(t, e.client.RemovePin(ctx, id, "2"))
	if got := e.chatIDs(t, id); !slices.Equal(got, []string{"1", "3", "9"}) {
		t.Fatalf("folder chats = %v, want [1 3 9]", got)
	}
	def, _ := e.fake.Folder(DefaultFolderID)
	if !slices.Contains(def.ChatIDs, "2") {
		t.Fatal("chat 2 was unpinned from My Pins")
	}
	if e.count(OpListFolders) != 2 {
		t.Fatalf("list requests = %d, want 2 (the first read and one re-read)", e.count(OpListFolders))
	}
}

// The client's own write to a folder is never taken as proof of the folder (doc.go, rule 1): the
// next sync-checked write there waits for a read late enough to show it, and is never refused.
func TestOwnWritesAreProvenByAReadNotAssumed(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f, err := e.client.CreateFolder(ctx, "F", "", []string{"1", "2", "3", "4"})
	must(t, err)
	must(t, e.client.ReorderChat(ctx, f.ID, "4", "1"))
	must(t, e.client.ReplaceChats(ctx, f.ID, []string{"2", "1"}))
	if got := e.chatIDs(t, f.ID); !slices.Equal(got, []string{"2", "1"}) {
		t.Fatalf("chats = %v", got)
	}
	if n := e.count(OpListFolders); n != 3 {
		t.Fatalf("list requests = %d, want 3: the first read, and one after each write before the next", n)
	}
	for _, r := range e.fake.RequestLog() {
		if r.Code == CodeClientNotSynced {
			t.Fatalf("%s was refused as not synced: it was sent on knowledge that no read proved", r.Op)
		}
	}
}

func TestServerClockIsUsedForLastSyncTime(t *testing.T) {
	// A server clock an hour behind: a client using its own clock would send a last_sync_time in the
	// server's future and hide a concurrent change.
	for _, skew := range []int{-1, 1} {
		e := newTestEnv(t, fakecliq.Options{ClockSkew: time.Duration(skew) * time.Hour})
		ctx := testCtx(t)
		id := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
		e.tick()
		must(t, e.client.ReorderChat(ctx, id, "1", ""))
		e.tick()
		must(t, e.fake.PinChatOOB("7", id))
		must(t, e.client.ReorderChat(ctx, id, "2", ""))
		if got := e.chatIDs(t, id); !slices.Equal(got, []string{"7", "1", "2"}) && !slices.Equal(got, []string{"1", "7", "2"}) {
			t.Fatalf("skew %dh: chats = %v", skew, got)
		}
		for _, r := range e.fake.RequestLog() {
			if r.Op != fakecliq.OpReorderChat {
				continue
			}
			var body struct {
				LastSyncTime json.RawMessage `json:"last_sync_time"`
			}
			must(t, json.Unmarshal([]byte(r.Body), &body))
			sync, err := fakecliq.ParseSyncTime(body.LastSyncTime)
			must(t, err)
			if sync.After(r.Time) {
				t.Fatalf("skew %dh: last_sync_time %s is in the server's future (%s)", skew, sync, r.Time)
			}
		}
	}
}

// TestAPinMadeByHandBesideOurOwnPinSurvives: another client pins into a folder in the same second
// as the client's own pin there; the client's next replace of that folder must not drop it.
func TestAPinMadeByHandBesideOurOwnPinSurvives(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2", "5"})
	g := e.fake.CreateFolderOOB("G", "", []string{"5"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	e.fake.BeforeExecute(fakecliq.OpPinChat, func(fakecliq.LoggedRequest) { _ = e.fake.PinChatOOB("8", f) })
	must(t, e.client.PinChat(ctx, "3", f))
	e.fake.ClearHooks()
	// 5 also sits in G, so it leaves F with a replace built from the client's view of F.
	must(t, e.client.RemovePin(ctx, f, "5"))
	if got := e.chatIDs(t, f); !slices.Equal(got, []string{"1", "2", "3", "8"}) && !slices.Equal(got, []string{"1", "2", "8", "3"}) {
		t.Fatalf("F = %v, want 1, 2, 3 and 8: the pin made by hand beside ours was dropped", got)
	}
	if got := e.chatIDs(t, g); !slices.Equal(got, []string{"5"}) {
		t.Fatalf("G = %v", got)
	}
}

// Found by TestNoHandMadeChangeIsEverUndone: setting a folder's chats to none sent
// "chat_ids": null, which Cliq reads as a folder move, so the folder kept its chats.
func TestSettingAFolderToNoChatsEmptiesIt(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"102"})
	e.tick()
	must(t, e.client.SetFolderChats(ctx, f, []string{"102"}, nil))
	if got := e.chatIDs(t, f); len(got) != 0 {
		t.Fatalf("F = %v, want no chats", got)
	}
	if n := e.count(OpReplaceChats); n != 1 {
		t.Fatalf("replace_chats = %d, want 1", n)
	}
}
