package cliq

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// The tests in this file reproduce, one each, the ways issue 18 found a hand-made change could
// still be undone, or a create be lost or doubled. Each failed before the fix it names.

// Item 1: a merge keeps every pair of chats whose order the plan does not change as the person
// left it; only the plan's changed pairs, its additions and its removals move anything.
func TestMergeChatsKeepsHandMadeOrder(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		current, prior, want []string
		out                  []string
	}{
		{"title-only update: a hand-made reorder stays", []string{"b", "a"}, []string{"a", "b"}, []string{"a", "b"}, []string{"b", "a"}},
		{"add-only update: a hand-made reorder stays, the new chat goes after its predecessors", []string{"b", "a"}, []string{"a", "b"}, []string{"a", "b", "c"}, []string{"b", "a", "c"}},
		{"add at the top", []string{"b", "a"}, []string{"a", "b"}, []string{"c", "a", "b"}, []string{"c", "b", "a"}},
		{"remove-only update", []string{"c", "b", "a"}, []string{"a", "b", "c"}, []string{"a", "c"}, []string{"c", "a"}},
		{"the plan swaps two, the person moved a third", []string{"1", "2", "4", "3"}, []string{"1", "2", "3", "4"}, []string{"2", "1", "3", "4"}, []string{"2", "1", "4", "3"}},
		{"the plan's swap is already done by hand", []string{"2", "1"}, []string{"1", "2"}, []string{"2", "1"}, []string{"2", "1"}},
		{"the plan moves one to the top, a hand pin keeps its place", []string{"1", "9", "2", "3"}, []string{"1", "2", "3"}, []string{"3", "1", "2"}, []string{"3", "1", "9", "2"}},
		{"the plan reverses, a hand pin between", []string{"a", "9", "b", "c"}, []string{"a", "b", "c"}, []string{"c", "b", "a"}, []string{"c", "b", "a", "9"}},
		// Schedule seed 16810133592472618946: the person pinned 4, then 2 (on top); the plan adds 5
		// and 2 below 1. The addition 2 moves below 1, not 1 above 2 and the hand-pinned 4.
		{"the plan adds a chat the person pinned above a kept one", []string{"2", "4", "1", "3"}, []string{"1", "3"}, []string{"5", "1", "2"}, []string{"5", "4", "1", "2"}},
	} {
		got := MergeChats(tc.current, tc.prior, tc.want)
		if !slices.Equal(got, tc.out) {
			t.Errorf("%s: MergeChats(%v, %v, %v) = %v, want %v", tc.name, tc.current, tc.prior, tc.want, got, tc.out)
			continue
		}
		// Applied again to its own result, the merge changes nothing (each step of a move plan
		// recomputes it from the latest read).
		if again := MergeChats(got, tc.prior, tc.want); !slices.Equal(again, got) {
			t.Errorf("%s: MergeChats on its own result = %v, want %v", tc.name, again, got)
		}
	}
}

// Item 1, against the fake: a title-only update and an add-only update of a folder whose chats a
// person reordered by hand leave the hand-made order alone.
func TestAnUpdateKeepsAHandMadeChatOrder(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	must(t, e.fake.SetFolderChatsOOB(f, []string{"2", "1"})) // by hand, after the plan's read
	e.tick()
	must(t, e.client.Refresh(ctx)) // the apply reads what the person did
	must(t, e.client.SetFolderChats(ctx, f, []string{"1", "2"}, []string{"1", "2"}))
	if got := e.chatIDs(t, f); !slices.Equal(got, []string{"2", "1"}) {
		t.Fatalf("title-only update: F = %v, want [2 1] as the person left it", got)
	}
	e.tick()
	must(t, e.client.SetFolderChats(ctx, f, []string{"1", "2"}, []string{"1", "2", "3"}))
	if got := e.chatIDs(t, f); !slices.Equal(got, []string{"2", "1", "3"}) {
		t.Fatalf("add-only update: F = %v, want [2 1 3]", got)
	}
}

// Item 1, for cliq_pin_folder_order: an apply that changes only some pairs of listed folders
// leaves every other pair, listed or not, as the person left it.
func TestTheOrderResourceKeepsHandMadeFolderOrder(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	a := e.fake.CreateFolderOOB("A", "", nil)
	b := e.fake.CreateFolderOOB("B", "", nil)
	c := e.fake.CreateFolderOOB("C", "", nil)
	x := e.fake.CreateFolderOOB("X", "", nil)
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	// By hand, after the plan: B above A, and the unlisted X on top.
	must(t, e.fake.MoveFolderOOB(b, a))
	must(t, e.fake.MoveFolderOOB(x, b))
	e.tick()
	must(t, e.client.Refresh(ctx)) // the apply reads what the person did
	// The plan only adds C to the list, below A and B.
	must(t, e.client.UpdateFolderOrder(ctx, []string{a, b}, []string{a, b, c}))
	if got := serverOrder(e); !slices.Equal(got, []string{DefaultFolderID, x, b, a, c}) {
		t.Fatalf("order = %v, want [default X B A C]: the hand-made order was undone", got)
	}
}

// Item 2: SetFolderOrder computes each move from the read whose sync time it carries. A person
// swaps two unlisted folders after the client's read; the move planned from that read would
// swap them back once a later read proved the folder order.
func TestFolderMovesAreComputedFromTheProvenRead(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	c := e.fake.CreateFolderOOB("C", "", nil)
	d := e.fake.CreateFolderOOB("D", "", nil)
	a := e.fake.CreateFolderOOB("A", "", nil)
	b := e.fake.CreateFolderOOB("B", "", nil)
	x := e.fake.CreateFolderOOB("E", "", nil)
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	must(t, e.fake.MoveFolderOOB(d, c)) // by hand: D above C
	e.tick()
	must(t, e.client.SetFolderOrder(ctx, []string{a, b, x}))
	if got := serverOrder(e); !slices.Equal(got, []string{DefaultFolderID, a, b, x, d, c}) {
		t.Fatalf("order = %v, want [default A B E D C]: a move planned from an older read undid D above C", got)
	}
}

// Item 2: a single chat move is computed from the read whose sync time it carries.
func TestASingleChatMoveIsComputedFromTheProvenRead(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2", "3", "4"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	must(t, e.fake.SetFolderChatsOOB(f, []string{"1", "2", "4", "3"})) // by hand: 4 above 3
	e.tick()
	must(t, e.client.SetFolderChats(ctx, f, []string{"1", "2", "3", "4"}, []string{"2", "1", "3", "4"}))
	if got := e.chatIDs(t, f); !slices.Equal(got, []string{"2", "1", "4", "3"}) {
		t.Fatalf("F = %v, want [2 1 4 3]: a move planned from an older read undid 4 above 3", got)
	}
}

// Item 4: the unpin from My Pins (where Cliq refuses replaces there) is read again after the
// throttle lock it waited out: a person pinning the chat into B meanwhile keeps that pin.
func TestTheMyPinsUnpinIsReadAgainAfterAWait(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{Reading: fakecliq.Reading{MyPinsRefusesReplace: true}, LockPeriod: 300 * time.Millisecond})
	ctx := testCtx(t)
	b := e.fake.CreateFolderOOB("B", "", []string{"6"})
	must(t, e.fake.PinChatOOB("5", DefaultFolderID))
	e.tick()
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpUnpinChat, Kind: fakecliq.FaultThrottle})
	var once sync.Once
	e.fake.AfterRequest(func(r fakecliq.LoggedRequest) {
		if r.Op == fakecliq.OpUnpinChat {
			once.Do(func() { must(t, e.fake.PinChatOOB("5", b)) }) // during the lock
		}
	})
	err := e.client.RemovePin(ctx, DefaultFolderID, "5")
	if got := e.chatIDs(t, b); !slices.Equal(got, []string{"6", "5"}) {
		t.Fatalf("B = %v, want [6 5]: the unpin resent after the lock took the chat out of B (err %v)", got, err)
	}
	if !errors.Is(err, ErrPinnedElsewhere) {
		t.Fatalf("err = %v, want ErrPinnedElsewhere", err)
	}
}

// Item 5a: a create whose answer does not arrive within the grace after its caller is cancelled
// is settled by a read before CreateFolder returns: the folder it made is returned, so that its id
// reaches the state and the next apply does not create a second one.
func TestACreateWhoseAnswerNeverArrivesIsSettled(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	e.client.inFlightGrace = 100 * time.Millisecond
	e.tick()
	answered := make(chan struct{})
	e.fake.AfterExecute(fakecliq.OpCreateFolder, func(fakecliq.LoggedRequest) { <-answered }) // made, answer held
	defer close(answered)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	got, err := e.client.CreateFolder(ctx, "Lost", "x", nil)
	var made []string
	for _, f := range e.fake.Folders() {
		if f.Title == "Lost" {
			made = append(made, f.ID)
		}
	}
	if err != nil || len(made) != 1 || got.ID != made[0] {
		t.Fatalf("CreateFolder = %+v, %v; the server holds %v: the folder made was not settled", got, err, made)
	}
}

// Item 5a: where the read cannot settle it (Cliq has not made the folder yet), the error names
// what may exist and how to import it.
func TestAnUnsettledCreateNamesWhatMayExist(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	e.client.inFlightGrace = 100 * time.Millisecond
	e.tick()
	release := make(chan struct{})
	e.fake.BeforeExecute(fakecliq.OpCreateFolder, func(fakecliq.LoggedRequest) { <-release }) // not made yet
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := e.client.CreateFolder(ctx, "Lost", "x", nil)
	if err == nil {
		t.Fatal("CreateFolder succeeded although its outcome is unknown")
	}
	for _, want := range []string{`"Lost"`, "terraform import cliq_pin_folder.", "may"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

// Item 5b: an ambiguous create adopts only a folder that a read taken just before it was sent
// lacks: a folder a person made with the same title after an older read is never adopted.
func TestAdoptionNeverTakesAFolderMadeByHand(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	e.client.createReadAge = 50 * time.Millisecond
	ctx := testCtx(t)
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	time.Sleep(100 * time.Millisecond)              // the snapshot is older than a create may rely on
	mine := e.fake.CreateFolderOOB("Same", "", nil) // by hand, after that read
	e.tick()
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpCreateFolder, Kind: fakecliq.FaultDropBefore}) // never made
	got, err := e.client.CreateFolder(ctx, "Same", "", nil)
	if err == nil && got.ID == mine {
		t.Fatalf("the ambiguous create adopted %s, the folder made by hand", mine)
	}
	// Two candidates: never guess.
	e.fake.CreateFolderOOB("Twin", "", nil)
	e.tick()
	_, err = e.client.ListFolders(ctx)
	must(t, err)
	e.fake.BeforeExecute(fakecliq.OpCreateFolder, func(fakecliq.LoggedRequest) { e.fake.CreateFolderOOB("Twin", "", nil) })
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpCreateFolder, Kind: fakecliq.FaultDropAfter}) // made, answer lost
	if got, err := e.client.CreateFolder(ctx, "Twin", "", nil); err == nil {
		t.Fatalf("adopted %s out of two folders that fit", got.ID)
	} else if !strings.Contains(err.Error(), "terraform import cliq_pin_folder.") {
		t.Fatalf("err = %v, want it to name the import command", err)
	}
}

// Item 6: moving a pin out of My Pins, where Cliq refuses to replace My Pins' chats and a chat
// may sit in several folders, completes.
func TestMovingAPinOutOfMyPinsCompletes(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{Reading: fakecliq.Reading{MyPinsRefusesReplace: true}})
	ctx := testCtx(t)
	b := e.fake.CreateFolderOOB("B", "", []string{"6"})
	must(t, e.fake.PinChatOOB("5", DefaultFolderID))
	e.tick()
	must(t, e.client.MovePin(ctx, "5", DefaultFolderID, b))
	if got := e.chatIDs(t, b); !slices.Equal(got, []string{"6", "5"}) {
		t.Fatalf("B = %v, want [6 5]", got)
	}
	if got := e.chatIDs(t, DefaultFolderID); slices.Contains(got, "5") {
		t.Fatalf("My Pins = %v, still holds 5", got)
	}
}

// Item 6: RemovePin on a folder that Cliq lists without its chats neither reports success having
// removed nothing, nor rewrites the folder: it fails.
func TestRemovePinFromAFolderListedWithoutItsChatsFails(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	e.tick()
	body := `{"url":"/v3/pin-categories","type":"pin_categories","data":[{"category_id":"default","chats":[]},` +
		`{"category_id":"` + f + `","title":"F","symbol":"","state":"expanded"}]}`
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultHTMLBefore, Body: body,
		ContentType: "application/json;charset=UTF-8", Times: -1})
	err := e.client.RemovePin(ctx, f, "1")
	if !errors.Is(err, errUnlisted) {
		t.Fatalf("err = %v, want the folder's chats unlisted; F = %v", err, e.chatIDs(t, f))
	}
	if got := e.chatIDs(t, f); !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("F = %v", got)
	}
}

// Item 6: an error answer without a Date header is not taken for Cliq's clock: on a local clock an
// hour ahead of Cliq's, the retry after client_not_synced does not wait for that hour.
func TestAnUndatedErrorAnswerDoesNotDelayTheRetry(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{ClockSkew: -time.Hour}, func(c *Config) {
		c.HTTPClient = &http.Client{Transport: undatedErrors{http.DefaultTransport}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	e.tick()
	_, err := e.client.ListFolders(ctx)
	must(t, err)
	must(t, e.fake.PinChatOOB("9", f)) // by hand: the client's replace is refused
	e.tick()
	must(t, e.client.RemovePin(ctx, f, "1"))
	if got := e.chatIDs(t, f); !slices.Equal(got, []string{"2", "9"}) {
		t.Fatalf("F = %v, want [2 9]", got)
	}
}

// undatedErrors removes the Date header from error answers, as some proxies do.
type undatedErrors struct{ next http.RoundTripper }

func (u undatedErrors) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := u.next.RoundTrip(req)
	if err == nil && resp.StatusCode >= 400 {
		resp.Header.Del("Date")
	}
	return resp, err
}

// Item 6: the budget's release waits for the budget file a bounded time, not forever, even though
// it must run after its caller was cancelled.
func TestABudgetReleaseWaitsABoundedTime(t *testing.T) {
	b := newBudgets(&resolvedConfig{Config: Config{RateWindow: time.Second, LockPeriod: time.Second, RateStateDir: t.TempDir()}}, "acct")
	b.releaseWait = 100 * time.Millisecond
	class := operations[OpPinChat].class
	release, err := b.acquire(testCtx(t), OpPinChat, class)
	must(t, err)
	b.shared.file.turn <- struct{}{} // another update of this process never ends
	done := make(chan struct{})
	go func() { release(true, false); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("release still waits for the budget file after 3 s")
	}
	<-b.shared.file.turn
}

// Item 1: where nobody changed anything by hand, the merge is exactly the configuration; where
// the plan changes nothing, it is exactly what the read shows; and a merge applied to its own
// result changes nothing.
func TestMergeChatsProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 1))
	perm := func(n int) []string {
		ids := make([]string, 0, n)
		for _, i := range rng.Perm(n) {
			ids = append(ids, strconv.Itoa(i+1))
		}
		return ids
	}
	for range 2000 {
		prior := perm(rng.IntN(7))
		want := slices.DeleteFunc(perm(rng.IntN(9)), func(string) bool { return rng.IntN(4) == 0 })
		if got := MergeChats(prior, prior, want); !slices.Equal(got, want) {
			t.Fatalf("MergeChats(%v, %v, %v) = %v, want the configuration", prior, prior, want, got)
		}
		current := slices.DeleteFunc(perm(rng.IntN(9)), func(string) bool { return rng.IntN(4) == 0 })
		if got := MergeChats(current, prior, prior); !slices.Equal(got, current) {
			t.Fatalf("MergeChats(%v, %v, %v) = %v, want the read", current, prior, prior, got)
		}
		got := MergeChats(current, prior, want)
		if again := MergeChats(got, prior, want); !slices.Equal(again, got) {
			t.Fatalf("MergeChats(%v, %v, %v) = %v, but applied to that %v", current, prior, want, got, again)
		}
		// A chat the plan neither adds, removes nor orders unlike prior against another keeps
		// its place: every pair of two such chats stands as the read shows it.
		free := func(id string) bool {
			ip, iw := slices.Index(prior, id), slices.Index(want, id)
			if ip < 0 || iw < 0 {
				return ip < 0 && iw < 0 // pinned by hand: the plan's only if it adds or removes it
			}
			for _, other := range want {
				jp, jw := slices.Index(prior, other), slices.Index(want, other)
				if jp >= 0 && (ip < jp) != (iw < jw) {
					return false
				}
			}
			return true
		}
		for i, x := range got {
			for _, y := range got[i+1:] {
				if free(x) && free(y) && relation(current, x, y) == ">" {
					t.Fatalf("MergeChats(%v, %v, %v) = %v: turns %s and %s around, which the plan does not order", current, prior, want, got, x, y)
				}
			}
		}
	}
}

// Item 3, what it costs: after a write answered within Cliq's second W, a read proves the folder
// again only if its Date is W+3s or later (W+2s with the former one-second margin), so a second
// checked write to that folder waits for a read sent about three seconds after the first.
func TestASecondWriteToAFolderWaitsForAReadThreeSecondsLater(t *testing.T) {
	c := &Client{changes: map[string]change{}}
	w := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	c.noteChange("f", w.Add(700*time.Millisecond))
	if got := c.changes["f"].readAfter.Sub(w); got != 3*time.Second {
		t.Fatalf("a read is late enough from W%+v, want W+3s", got)
	}
	for _, tc := range []struct {
		date   time.Duration
		proves bool
	}{{2 * time.Second, false}, {3 * time.Second, true}} {
		s := &snapshot{sync: map[string]time.Time{"f": w.Add(tc.date).Add(-readMargin)}}
		if got := c.proves(s, "f"); got != tc.proves {
			t.Errorf("a read dated W+%v proves the folder: %v, want %v", tc.date, got, tc.proves)
		}
	}
}
