package cliq

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

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

// TestGatheredChangesKeepEveryHandMadeChange searches random schedules of the paths gathered adds
// opened: adds into one folder that wait together (into folders a read proves, into one the client
// just created, into My Pins), the choice between pins and a replace (pin_chat's budget drawn as
// free, nearly spoken for or spoken for), and adds and removals of one folder in the same wave,
// some callers cancelled, while a person pins and unpins chats at chosen moments (after a read,
// within a read's second, before and after a write). Then:
//   - every (folder, chat) pair no operation targets is as the person left it;
//   - every operation that succeeded is on the server, unless the person changed the same pair or
//     another operation of the wave changed it the other way;
//   - no request adding a cancelled add's chat left after the add returned;
//   - nothing was throttled.
//
// GATHERED_SCHEDULES sets the number of schedules (default 8).
func TestGatheredChangesKeepEveryHandMadeChange(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		n := "8"
		if v := os.Getenv("GATHERED_SCHEDULES"); v != "" {
			n = v
		}
		must(t, flag.Set("rapid.checks", n))
		defer func() { _ = flag.Set("rapid.checks", f.DefValue) }()
	}
	var tally gatheredTally
	rapid.Check(t, func(rt *rapid.T) { runGatheredSchedule(t, rt, &tally) })
	t.Logf("%d schedules: %d changes (%d succeeded, %d cancelled), %d replaces carrying adds, %d pins, %d hand-made changes",
		tally.schedules.Load(), tally.ops.Load(), tally.succeeded.Load(), tally.cancelled.Load(), tally.addReplaces.Load(), tally.pins.Load(), tally.person.Load())
	if tally.succeeded.Load() == 0 || tally.addReplaces.Load() == 0 || tally.pins.Load() == 0 || tally.person.Load() == 0 {
		t.Fatal("the schedules missed a path: no change succeeded, no replace carried an add, no pin was sent, or the person never acted")
	}
}

type gatheredTally struct {
	schedules, ops, succeeded, cancelled, addReplaces, pins, person atomic.Int64
}

type gatheredOp struct {
	add          bool
	folder, chat string
	cancelAfter  int // > 0: the caller is cancelled right after the fake answered this many requests
	err          error
	cancelled    bool
	returned     time.Time // server clock
}

func (o *gatheredOp) String() string {
	verb := "remove"
	if o.add {
		verb = "add"
	}
	s := fmt.Sprintf("%s(%s, %s)", verb, o.folder, o.chat)
	if o.cancelAfter > 0 {
		s += fmt.Sprintf(" cancelled after request %d", o.cancelAfter)
	}
	return s
}

func runGatheredSchedule(t *testing.T, rt *rapid.T, tally *gatheredTally) {
	reading := fakecliq.Reading{
		MyPinsRefusesReplace: rapid.Bool().Draw(rt, "My Pins refuses replace_chats"),
		OneFolderPerChat:     rapid.Bool().Draw(rt, "a chat in one folder at a time"),
		NewOnTop:             rapid.Bool().Draw(rt, "new pins on top"),
		WholeSecondSync:      rapid.Bool().Draw(rt, "whole-second sync check"),
	}
	fake, client, advance := gatheredEnv(t, rt, reading)
	ctx, cancelAll := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancelAll()

	chats := func(label string) []string {
		return rapid.SliceOfNDistinct(rapid.SampledFrom(scheduleChats), 0, 3, rapid.ID[string]).Draw(rt, "chats in "+label)
	}
	a := fake.CreateFolderOOB("A", "", chats("A"))
	b := fake.CreateFolderOOB("B", "", chats("B"))
	own := fake.CreateFolderOOB("P", "", chats("P"))
	for _, c := range chats("My Pins") {
		must(t, fake.PinChatOOB(c, DefaultFolderID))
	}
	time.Sleep(10 * time.Millisecond)
	advance(3 * time.Second) // the client's first read comes later than the set-up
	managed := []string{a, b, DefaultFolderID}
	if rapid.Bool().Draw(rt, "a folder the client just created") {
		n, err := client.CreateFolder(ctx, "N", "", nil) // no read proves it yet
		must(t, err)
		managed = append(managed, n.ID)
	} else if rapid.Bool().Draw(rt, "the client has read the list") {
		_, err := client.ListFolders(ctx)
		must(t, err)
	}
	initial := map[string][]string{}
	for _, f := range fake.Folders() {
		initial[f.ID] = f.ChatIDs
	}
	claimed := rapid.SampledFrom([]int{0, Threshold(OpPinChat) - 2, Threshold(OpPinChat)}).Draw(rt, "pin_chat slots spoken for")
	client.claims.mu.Lock()
	client.claims.n = claimed
	client.claims.mu.Unlock()

	// The wave: changes into few folders, so that they gather; one change per (folder, chat), as
	// Terraform plans, with adds and removals of one folder side by side.
	var ops []*gatheredOp
	taken := map[pair]bool{}
	for i := range rapid.IntRange(2, 8).Draw(rt, "changes") {
		o := &gatheredOp{
			add:    rapid.IntRange(0, 2).Draw(rt, fmt.Sprintf("change %d is a removal", i)) > 0,
			folder: rapid.SampledFrom(managed).Draw(rt, fmt.Sprintf("change %d folder", i)),
			chat:   rapid.SampledFrom(scheduleChats).Draw(rt, fmt.Sprintf("change %d chat", i)),
		}
		if !o.add && len(initial[o.folder]) > 0 {
			o.chat = rapid.SampledFrom(initial[o.folder]).Draw(rt, fmt.Sprintf("change %d pinned chat", i))
		}
		if taken[pair{o.folder, o.chat}] {
			continue
		}
		taken[pair{o.folder, o.chat}] = true
		if rapid.IntRange(0, 4).Draw(rt, fmt.Sprintf("change %d cancelled", i)) == 0 {
			o.cancelAfter = rapid.IntRange(1, 6).Draw(rt, fmt.Sprintf("change %d cancelled after request", i))
		}
		ops = append(ops, o)
	}
	// The person acts where the wave does: in its folders, on any chat.
	actions := make([]*gatheredPerson, rapid.IntRange(1, 4).Draw(rt, "hand-made changes"))
	folders := slices.Compact(slices.Sorted(func(yield func(string) bool) {
		for _, o := range ops {
			if !yield(o.folder) {
				return
			}
		}
		yield(own)
	}))
	for i := range actions {
		actions[i] = &gatheredPerson{
			trigger: rapid.SampledFrom([]string{"after-read", "read-undated", "before-write", "after-write"}).Draw(rt, fmt.Sprintf("person %d when", i)),
			n:       rapid.IntRange(1, 3).Draw(rt, fmt.Sprintf("person %d at request", i)),
			pin:     rapid.Bool().Draw(rt, fmt.Sprintf("person %d pins", i)),
			folder:  rapid.SampledFrom(folders).Draw(rt, fmt.Sprintf("person %d folder", i)),
			chat:    rapid.SampledFrom(scheduleChats).Draw(rt, fmt.Sprintf("person %d chat", i)),
		}
	}
	for _, o := range ops {
		rt.Logf("%v", o)
	}
	for _, a := range actions {
		rt.Logf("%v", a)
	}
	hookGatheredPerson(fake, actions)
	var answered atomic.Int32
	cancels := map[int][]context.CancelFunc{}
	var cancelMu sync.Mutex
	fake.AfterRequest(func(r fakecliq.LoggedRequest) {
		if r.Op == fakecliq.OpToken || r.Op == "" {
			return
		}
		n := int(answered.Add(1))
		cancelMu.Lock()
		fns := cancels[n]
		cancelMu.Unlock()
		for _, cancel := range fns {
			cancel()
		}
	})

	var wg sync.WaitGroup
	for _, o := range ops {
		opCtx, cancel := context.WithCancel(ctx)
		if o.cancelAfter > 0 {
			cancelMu.Lock()
			cancels[o.cancelAfter] = append(cancels[o.cancelAfter], cancel)
			cancelMu.Unlock()
		}
		wg.Go(func() {
			defer cancel()
			if o.add {
				o.err = client.AddPin(opCtx, o.folder, o.chat)
			} else {
				o.err = client.RemovePin(opCtx, o.folder, o.chat)
			}
			o.cancelled = opCtx.Err() != nil && o.err != nil
			o.returned = fake.Now()
		})
	}
	wg.Wait()
	time.Sleep(50 * time.Millisecond) // let the last hooks finish
	fake.ClearHooks()

	tally.schedules.Add(1)
	for _, o := range ops {
		tally.ops.Add(1)
		if o.err == nil {
			tally.succeeded.Add(1)
		} else {
			rt.Logf("%v: %v", o, o.err)
		}
		if o.cancelled {
			tally.cancelled.Add(1)
		}
	}
	for _, act := range actions {
		if act.done.Load() {
			tally.person.Add(1)
		}
	}
	log := fake.RequestLog()
	for _, r := range log {
		switch r.Op {
		case fakecliq.OpPinChat:
			tally.pins.Add(1)
		case fakecliq.OpReplaceChats:
			if slices.ContainsFunc(ops, func(o *gatheredOp) bool { return o.add && strings.HasSuffix(r.Path, "/"+o.folder) }) {
				tally.addReplaces.Add(1)
			}
		}
	}

	final := map[string][]string{}
	for _, f := range fake.Folders() {
		final[f.ID] = f.ChatIDs
	}
	personLast := func(p pair) (pinned, touched bool) {
		last := 0
		for _, act := range actions {
			if act.done.Load() && act.folder == p.folder && act.chat == p.chat && act.seq > last {
				pinned, touched, last = act.pin, true, act.seq
			}
		}
		return pinned, touched
	}
	// Under OneFolderPerChat, pinning a chat anywhere takes it out of every other folder: a pair of
	// a chat that some change or the person pinned elsewhere is the vendor's doing, not checked.
	movedByReading := func(p pair) bool {
		if !reading.OneFolderPerChat {
			return false
		}
		return slices.ContainsFunc(ops, func(o *gatheredOp) bool { return o.add && o.chat == p.chat && o.folder != p.folder }) ||
			slices.ContainsFunc(actions, func(act *gatheredPerson) bool {
				return act.done.Load() && act.pin && act.chat == p.chat && act.folder != p.folder
			})
	}
	// 1. Pairs no change targets are as the person left them.
	for _, f := range append(slices.Clone(managed), own) {
		for _, c := range scheduleChats {
			p := pair{f, c}
			if taken[p] || movedByReading(p) {
				continue
			}
			want := slices.Contains(initial[f], c)
			if pinned, touched := personLast(p); touched {
				want = pinned
			}
			if got := slices.Contains(final[f], c); got != want {
				if want && reading.MyPinsRefusesReplace && f != DefaultFolderID && slices.ContainsFunc(ops, func(o *gatheredOp) bool {
					return !o.add && o.folder == DefaultFolderID && o.chat == c
				}) {
					continue // the window cliq_chat_pin's docs describe
				}
				rt.Fatalf("chat %s in folder %s: pinned=%v, want %v (the person's, and no change targets it)\nfinal: %v", c, f, got, want, final)
			}
		}
	}
	// 2. Changes that succeeded are on the server.
	for _, o := range ops {
		p := pair{o.folder, o.chat}
		if _, touched := personLast(p); o.err != nil || touched || movedByReading(p) {
			continue
		}
		if got := slices.Contains(final[o.folder], o.chat); got != o.add {
			rt.Fatalf("%v succeeded, but chat %s in folder %s is pinned=%v\nfinal: %v", o, o.chat, o.folder, got, final)
		}
	}
	// 3. No request adding a cancelled add's chat left after it returned.
	for _, o := range ops {
		if !o.cancelled || !o.add || slices.Contains(initial[o.folder], o.chat) {
			continue
		}
		if _, touched := personLast(pair{o.folder, o.chat}); touched {
			continue
		}
		for _, r := range log {
			if !r.Time.After(o.returned) {
				continue
			}
			pins := r.Op == fakecliq.OpPinChat && r.Path == fakecliq.APIPrefix+"/chats/"+o.chat+"/pins" &&
				(strings.Contains(r.Body, `"`+o.folder+`"`) || o.folder == DefaultFolderID && !strings.Contains(r.Body, "category_id"))
			replaces := r.Op == fakecliq.OpReplaceChats && strings.HasSuffix(r.Path, "/"+o.folder) && strings.Contains(r.Body, `"`+o.chat+`"`)
			if pins || replaces {
				rt.Fatalf("%v returned at %s, cancelled, but %s %s %s arrived at %s", o, o.returned.Format("15:04:05.000"), r.Op, r.Path, r.Body, r.Time.Format("15:04:05.000"))
			}
		}
	}
	// 4. Nothing was throttled.
	for _, op := range fakecliq.AllOps() {
		if n := fake.ThrottledCount(op); n > 0 {
			rt.Fatalf("%d %s requests were throttled", n, op)
		}
	}
}

// gatheredEnv is a fake account and a client at the vendor's limits, with a one-second minute, and
// a function that moves the fake's clock on.
func gatheredEnv(t *testing.T, rt *rapid.T, reading fakecliq.Reading) (*fakecliq.Server, *Client, func(time.Duration)) {
	var extra atomic.Int64
	fake := fakecliq.New(fakecliq.Options{
		RateWindow: time.Second, LockPeriod: 5 * time.Second, Reading: reading,
		Now: func() time.Time { return time.Now().Add(time.Duration(extra.Load())) },
	})
	srv := httptest.NewServer(fake)
	rt.Cleanup(srv.Close)
	c, err := New(Config{APIURL: srv.URL, AccessToken: fake.AccessToken(), RateWindow: time.Second, LockPeriod: 5 * time.Second,
		RetryBaseDelay: 5 * time.Millisecond, BatchDelay: time.Duration(rapid.IntRange(0, 60).Draw(rt, "batch delay ms")) * time.Millisecond})
	must(t, err)
	return fake, c, func(d time.Duration) { extra.Add(int64(d)) }
}

// gatheredPerson is one hand-made change, at the n-th request of a kind.
type gatheredPerson struct {
	trigger string // after-read, read-undated, before-write, after-write
	n       int
	pin     bool // pin, or take the chat out of that one folder
	folder  string
	chat    string
	done    atomic.Bool
	seq     int // the order in which the person made the changes
}

func (a *gatheredPerson) String() string {
	verb := "unpin"
	if a.pin {
		verb = "pin"
	}
	return fmt.Sprintf("person %s %s in %s, %s #%d", verb, a.chat, a.folder, a.trigger, a.n)
}

var gatheredPersonMu sync.Mutex // the person makes one change at a time; guards seq numbering
var gatheredPersonSeq int

// act makes the change by hand, as Cliq's app would: a pin, or taking the chat out of one folder.
func (a *gatheredPerson) act(fake *fakecliq.Server) {
	gatheredPersonMu.Lock()
	defer gatheredPersonMu.Unlock()
	if a.done.Load() {
		return
	}
	f, ok := fake.Folder(a.folder)
	if !ok {
		return
	}
	if a.pin {
		_ = fake.PinChatOOB(a.chat, a.folder)
	} else {
		_ = fake.SetFolderChatsOOB(a.folder, slices.DeleteFunc(f.ChatIDs, func(c string) bool { return c == a.chat }))
	}
	gatheredPersonSeq++
	a.seq = gatheredPersonSeq
	a.done.Store(true)
}

// hookGatheredPerson makes each change at its moment: after the n-th read's answer; after Cliq
// read the list for the n-th read but before it dated the answer (which then falls in the next
// second); just before the n-th write; right after the n-th write was answered.
func hookGatheredPerson(fake *fakecliq.Server, actions []*gatheredPerson) {
	var reads, readsExecuted, writesBefore, writesAfter atomic.Int32
	fire := func(trigger string, n int32) (fired bool) {
		for _, a := range actions {
			if a.trigger == trigger && int32(a.n) == n {
				a.act(fake)
				fired = true
			}
		}
		return fired
	}
	fake.AfterExecute(fakecliq.OpListFolders, func(fakecliq.LoggedRequest) {
		if fire("read-undated", readsExecuted.Add(1)) {
			now := fake.Now()
			time.Sleep(now.Truncate(time.Second).Add(time.Second).Sub(now) + 5*time.Millisecond)
		}
	})
	fake.BeforeExecute("", func(r fakecliq.LoggedRequest) {
		if r.Op != fakecliq.OpListFolders && r.Op != fakecliq.OpToken {
			fire("before-write", writesBefore.Add(1))
		}
	})
	fake.AfterRequest(func(r fakecliq.LoggedRequest) {
		switch {
		case r.Op == fakecliq.OpListFolders:
			fire("after-read", reads.Add(1))
		case r.Op != fakecliq.OpToken && r.Op != "":
			fire("after-write", writesAfter.Add(1))
		}
	})
}

// A caller whose add leaves as a pin_chat and who is cancelled while that pin is on the wire
// returns only once it is answered (doc.go, rule 5), as when it sent the pin itself. The
// randomized test found this: the add returned while its pin, sent by the folder's worker, was
// still on its way.
func TestACancelledAddReturnsAfterItsPinLanded(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", nil)
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	addCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var answered atomic.Int64
	e.fake.AfterExecute(fakecliq.OpPinChat, func(fakecliq.LoggedRequest) {
		cancel() // the pin is made; its answer is still to come
		time.Sleep(300 * time.Millisecond)
	})
	e.fake.AfterRequest(func(r fakecliq.LoggedRequest) {
		if r.Op == fakecliq.OpPinChat {
			answered.Store(time.Now().UnixNano())
		}
	})
	_ = e.client.AddPin(addCtx, f, "5")
	returned := time.Now().UnixNano()
	time.Sleep(400 * time.Millisecond)
	if e.count(OpPinChat) != 1 {
		t.Fatalf("pin_chat = %d, want 1", e.count(OpPinChat))
	}
	if a := answered.Load(); a == 0 || a > returned {
		t.Fatalf("AddPin returned %v before its pin_chat was answered", time.Duration(a-returned))
	}
}

// Where Cliq refuses to replace My Pins, a removal from My Pins is an unpin, which reaches every
// folder, sent after a read shows the chat in My Pins alone. Adds of that chat into another
// folder, gathered into a replace, wait for the chat's turn as a pin does: the replace never lands
// between that read and the unpin, where the unpin would take the chat out of the folder too.
func TestAGatheredAddWaitsForAnUnpinOfTheSameChat(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{Reading: fakecliq.Reading{MyPinsRefusesReplace: true}})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1"})
	must(t, e.fake.PinChatOOB("5", DefaultFolderID))
	e.tick()
	var adds sync.WaitGroup
	var once sync.Once
	e.fake.BeforeExecute(fakecliq.OpUnpinChat, func(fakecliq.LoggedRequest) {
		once.Do(func() {
			adds.Go(func() {
				mustAll(t, changeTogether(ctx, e.client, [][3]string{{f, "5", "add"}, {f, "6", "add"}}))
			})
			time.Sleep(500 * time.Millisecond) // the adds' replace would land now, before the unpin
		})
	})
	must(t, e.client.RemovePin(ctx, DefaultFolderID, "5"))
	adds.Wait()
	if got := sortedIDs(e.chatIDs(t, f)); !slices.Equal(got, []string{"1", "5", "6"}) {
		t.Fatalf("folder = %v, want 1 5 6: the unpin from My Pins took the gathered add out again", got)
	}
	if r := e.count(OpReplaceChats); r < 2 {
		t.Fatalf("replace_chats = %d: the adds did not leave in a replace (the test tests nothing)", r)
	}
}

// A destroy where everything arrives at once: every pin of 60 folders is removed together, then
// the folders are deleted. Each folder is emptied by exactly one replace (more folders than one
// window's 50 replaces: the last wait for their slot with all their removals), then deleted.
func TestRemovalsArrivingTogetherSendOneReplacePerFolder(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	const folders, perFolder = 60, 5
	var ids []string
	var removals [][3]string
	for i := range folders {
		var chats []string
		for j := range perFolder {
			chats = append(chats, fmt.Sprint(1000*(i+1)+j))
		}
		id := e.fake.CreateFolderOOB(fmt.Sprintf("F%d", i), "", chats)
		ids = append(ids, id)
		for _, c := range chats {
			removals = append(removals, [3]string{id, c, "remove"})
		}
	}
	e.tick()
	mustAll(t, changeTogether(ctx, e.client, removals))
	if r := e.count(OpReplaceChats); r != folders {
		t.Fatalf("replace_chats = %d for %d folders whose pins were all removed at once, want one each", r, folders)
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() { must(t, e.client.DeleteFolder(ctx, id, false)) })
	}
	wg.Wait()
	if got := len(e.fake.Folders()); got != 1 {
		t.Fatalf("%d folders left, want My Pins alone", got)
	}
	if def, _ := e.fake.Folder(DefaultFolderID); len(def.ChatIDs) != 0 {
		t.Fatalf("My Pins holds %v: a folder was deleted with chats still in it", def.ChatIDs)
	}
	if n := e.count(OpUnpinChat) + e.count(OpBulkUnpin); n != 0 {
		t.Fatalf("%d unpins: removals must stay in their folder", n)
	}
}

// Where a chat sits in one folder at a time, a replace that adds a chat takes it out of the folder
// that held it: as for a pin, the client counts that as its own change of that folder, so that its
// next replace there waits for a read that shows it instead of being refused.
func TestAGatheredAddNotesTheFolderItTakesTheChatOutOf(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{Reading: fakecliq.Reading{OneFolderPerChat: true}})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", nil)
	g := e.fake.CreateFolderOOB("G", "", []string{"1", "2"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	mustAll(t, changeTogether(ctx, e.client, [][3]string{{f, "1", "add"}, {f, "3", "add"}})) // one replace; takes 1 out of G
	if r := e.count(OpReplaceChats); r != 1 {
		t.Fatalf("replace_chats = %d, want the adds in one", r)
	}
	must(t, e.client.RemovePin(ctx, g, "2"))
	if got := e.chatIDs(t, g); len(got) != 0 {
		t.Fatalf("G = %v, want []", got)
	}
	for _, r := range e.fake.RequestLog() {
		if r.Code == CodeClientNotSynced {
			t.Fatalf("%s %s was refused as client_not_synced: the client sent it before a read could show its own replace's effect on G", r.Op, r.Path)
		}
	}
}
