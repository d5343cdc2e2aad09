package cliq

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// changeTogether makes pin changes concurrently, as Terraform does, and returns each one's error.
// A change is {folder, chat, "add"|"remove"}.
func changeTogether(ctx context.Context, c *Client, changes [][3]string) []error {
	errs := make([]error, len(changes))
	var wg sync.WaitGroup
	for i, ch := range changes {
		wg.Go(func() {
			if ch[2] == "add" {
				errs[i] = c.AddPin(ctx, ch[0], ch[1])
			} else {
				errs[i] = c.RemovePin(ctx, ch[0], ch[1])
			}
		})
	}
	wg.Wait()
	return errs
}

func mustAll(t *testing.T, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
}

func sortedIDs(ids []string) []string { return slices.Sorted(slices.Values(ids)) }

// Adds into a folder that a read proves leave in one replace: the folder's chats as the read showed
// them, then the adds. No pin_chat is sent.
func TestAddsIntoAProvenFolderLeaveInOneReplace(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	mustAll(t, changeTogether(ctx, e.client, [][3]string{{f, "3", "add"}, {f, "4", "add"}, {f, "5", "add"}, {f, "6", "add"}}))
	if p, r := e.count(OpPinChat), e.count(OpReplaceChats); p != 0 || r != 1 {
		t.Fatalf("pin_chat = %d, replace_chats = %d; want 0 and 1", p, r)
	}
	got := e.chatIDs(t, f)
	if !slices.Equal(got[:2], []string{"1", "2"}) || !slices.Equal(sortedIDs(got), []string{"1", "2", "3", "4", "5", "6"}) {
		t.Fatalf("folder = %v, want 1 2 then 3 4 5 6", got)
	}
	if n := e.count(OpListFolders); n != 1 {
		t.Fatalf("list reads = %d, want 1 (the replace is proven by the read the client had)", n)
	}
}

// A single add into a proven folder stays a pin_chat (it costs the same one request, and leaves
// the folder PUT budget to what only it can carry).
func TestASingleAddStaysAPin(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1"})
	e.tick()
	must(t, e.client.AddPin(ctx, f, "2"))
	if p, r := e.count(OpPinChat), e.count(OpReplaceChats); p != 1 || r != 0 {
		t.Fatalf("pin_chat = %d, replace_chats = %d; want 1 and 0", p, r)
	}
}

// Adds and removals of one folder in the same wave leave in one replace.
func TestAddsAndRemovalsOfOneFolderShareOneReplace(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2", "3"})
	e.tick()
	mustAll(t, changeTogether(ctx, e.client, [][3]string{{f, "1", "remove"}, {f, "4", "add"}, {f, "2", "remove"}, {f, "5", "add"}}))
	if p, r := e.count(OpPinChat), e.count(OpReplaceChats); p != 0 || r != 1 {
		t.Fatalf("pin_chat = %d, replace_chats = %d; want 0 and 1", p, r)
	}
	if got := e.chatIDs(t, f); got[0] != "3" || !slices.Equal(sortedIDs(got), []string{"3", "4", "5"}) {
		t.Fatalf("folder = %v, want 3 then 4 5", got)
	}
}

// A replace holds at most 100 chats: the adds beyond leave as pins, which Cliq refuses with its
// own error when the folder is full (a folder holds 100 chats at most).
func TestAddsBeyondAHundredChatsArePinned(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	var have []string
	for i := range MaxReplaceChats - 2 {
		have = append(have, fmt.Sprint(1000+i))
	}
	f := e.fake.CreateFolderOOB("F", "", have)
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	var adds [][3]string
	for i := range 5 {
		adds = append(adds, [3]string{f, fmt.Sprint(2000 + i), "add"})
	}
	failed := 0
	for _, err := range changeTogether(ctx, e.client, adds) {
		if err != nil {
			if !strings.Contains(err.Error(), "maximum number of pinned chats") {
				t.Fatalf("add failed with %v, want Cliq's max_pins_error", err)
			}
			failed++
		}
	}
	if p, r := e.count(OpPinChat), e.count(OpReplaceChats); p != 3 || r != 1 || failed != 3 {
		t.Fatalf("pin_chat = %d, replace_chats = %d, failed adds = %d; want 3, 1 and 3", p, r, failed)
	}
	if got := e.chatIDs(t, f); len(got) != MaxReplaceChats || !slices.Equal(got[:len(have)], have) {
		t.Fatalf("folder holds %d chats (want %d), or lost its order", len(got), MaxReplaceChats)
	}
	for _, r := range e.fake.RequestLog() {
		if r.Op == fakecliq.OpReplaceChats && r.Status >= 300 {
			t.Fatalf("replace answered %d %s", r.Status, r.Code)
		}
	}
}

// The request budget of a mid-size first apply with gathered adds (counts, not times): 12 new
// folders with 8 pins each, and 10 pins into My Pins, all handed over at once, in a vendor minute
// that lasts a real minute. 106 adds cannot all be pin_chats within one minute (50): the adds of a
// folder that pin_chat has no room for wait together for one read and leave in one replace, so
// the whole apply needs no window waited out (the test's 30 s context would end first) and far
// fewer requests than one per pin. A regression to one request per pin fails here.
func TestMidSizeApplyGathersAdds(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{RateWindow: time.Minute})
	e.tick()
	ctx := testCtx(t)
	const folders, perFolder, myPins = 12, 8, 10
	var ids []string
	for i := range folders {
		f, err := e.client.CreateFolder(ctx, fmt.Sprintf("F%d", i), "", nil)
		must(t, err)
		ids = append(ids, f.ID)
	}
	var adds [][3]string
	for i := range myPins {
		adds = append(adds, [3]string{DefaultFolderID, fmt.Sprint(9000 + i), "add"})
	}
	for i, id := range ids {
		for j := range perFolder {
			adds = append(adds, [3]string{id, fmt.Sprint(1000*(i+1) + j), "add"})
		}
	}
	mustAll(t, changeTogether(ctx, e.client, adds))
	for i, id := range ids {
		if got := e.chatIDs(t, id); len(got) != perFolder {
			t.Fatalf("folder %d holds %v", i, got)
		}
	}
	if def, _ := e.fake.Folder(DefaultFolderID); len(def.ChatIDs) != myPins {
		t.Fatalf("My Pins holds %v", def.ChatIDs)
	}
	pins, replaces, reads := e.count(OpPinChat), e.count(OpReplaceChats), e.count(OpListFolders)
	t.Logf("%d adds: %d pin_chat, %d replace_chats, %d list reads", len(adds), pins, replaces, reads)
	if pins > Threshold(OpPinChat) {
		t.Errorf("pin_chat = %d: more than one minute's budget (%d)", pins, Threshold(OpPinChat))
	}
	// The adds that pin_chat has room for are pins; every other folder's adds leave in one
	// replace, My Pins' too (the client's read proves it), two where a wave splits.
	if most := Threshold(OpPinChat) + folders + 2; pins+replaces > most {
		t.Errorf("%d pin_chat + replace_chats for %d adds: want at most %d", pins+replaces, len(adds), most)
	}
	if reads > 4 {
		t.Errorf("list reads = %d, want at most 4 (one read serves every folder waiting)", reads)
	}
	for _, op := range []Operation{OpPinChat, OpReplaceChats, OpListFolders, OpCreateFolder} {
		if n := e.fake.ThrottledCount(fakecliq.Op(op)); n > 0 {
			t.Errorf("%s throttled %d times", op, n)
		}
	}
	must(t, checkNoStaleRefusals(e.fake))
}

func checkNoStaleRefusals(fake *fakecliq.Server) error {
	for _, r := range fake.RequestLog() {
		if r.Code == "client_not_synced" {
			return fmt.Errorf("%s %s was refused as not synced", r.Op, r.Path)
		}
	}
	return nil
}

// With pin_chat's budget spoken for, adds into a folder the client just created (no proof at hand)
// wait for a read; a person pins a chat into the folder right after that read: the replace built
// on it is refused, built again from a new read, and the person's pin stays.
func TestAHandMadePinAfterTheProvingReadSurvivesGatheredAdds(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{RateWindow: time.Minute})
	ctx := testCtx(t)
	f, err := e.client.CreateFolder(ctx, "F", "", nil)
	must(t, err)
	e.client.claims.mu.Lock()
	e.client.claims.n = Threshold(OpPinChat) // as if other folders' pins had taken every slot
	e.client.claims.mu.Unlock()
	var once sync.Once
	e.fake.AfterRequest(func(r fakecliq.LoggedRequest) {
		if r.Op == fakecliq.OpListFolders && e.count(OpListFolders) == 2 {
			once.Do(func() { must(t, e.fake.PinChatOOB("77", f.ID)) })
		}
	})
	mustAll(t, changeTogether(ctx, e.client, [][3]string{{f.ID, "1", "add"}, {f.ID, "2", "add"}, {f.ID, "3", "add"}}))
	if got := sortedIDs(e.chatIDs(t, f.ID)); !slices.Equal(got, []string{"1", "2", "3", "77"}) {
		t.Fatalf("folder = %v, want 1 2 3 and the person's 77", got)
	}
	if p := e.count(OpPinChat); p != 0 {
		t.Fatalf("pin_chat = %d, want 0 (the adds wait together for a replace)", p)
	}
}
