package cliq

import (
	"fmt"
	"math/bits"
	"slices"
	"testing"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestCorrectUnderEveryReading runs the client through what the vendor's documents leave open —
// whether a chat sits in several folders, where new folders and pins go, how far unpin_all reaches,
// whether My Pins' chats can be replaced, whether an empty folder lists its chats, whether Cliq
// compares last_sync_time at whole seconds — against a fake
// that takes each reading in turn. After every step, the client's view must be
// the server's, and the outcome must be what was asked for.
func TestCorrectUnderEveryReading(t *testing.T) {
	for n := range 1 << 5 {
		bit := func(i int) bool { return n&(1<<i) != 0 }
		// Whole-second sync checks on half the combinations (those with an odd number of the other
		// readings), so that it meets each other reading both ways without doubling the run.
		reading := fakecliq.Reading{OneFolderPerChat: bit(0), NewOnTop: bit(1), UnpinAllEverywhere: bit(2),
			MyPinsRefusesReplace: bit(3), EmptyFolderOmitsChats: bit(4), WholeSecondSync: bits.OnesCount(uint(n))%2 == 1}
		t.Run(fmt.Sprintf("%+v", reading), func(t *testing.T) {
			t.Parallel()
			checkReading(t, reading)
		})
	}
}

func checkReading(t *testing.T, reading fakecliq.Reading) {
	e := newTestEnv(t, fakecliq.Options{Reading: reading})
	ctx := testCtx(t)
	agree := func(step string) {
		t.Helper()
		mine, err := e.client.ListFolders(ctx)
		must(t, err)
		theirs := e.fake.Folders()
		if len(mine) != len(theirs) {
			t.Fatalf("%s: client sees %d folders, server holds %d", step, len(mine), len(theirs))
		}
		for i := range theirs {
			if mine[i].ID != theirs[i].ID || !slices.Equal(mine[i].ChatIDs(), theirs[i].ChatIDs) {
				t.Fatalf("%s: folder %d: client %s %v, server %s %v", step, i, mine[i].ID, mine[i].ChatIDs(), theirs[i].ID, theirs[i].ChatIDs)
			}
		}
	}

	a, err := e.client.CreateFolder(ctx, "A", "", []string{"1", "2"})
	must(t, err)
	b, err := e.client.CreateFolder(ctx, "B", "", nil)
	must(t, err)
	agree("create")

	// Order: A above B whatever the server did with new folders.
	must(t, e.client.SetFolderOrder(ctx, []string{a.ID, b.ID}))
	if got := serverOrder(e); !slices.Equal(got, []string{DefaultFolderID, a.ID, b.ID}) {
		t.Fatalf("order = %v", got)
	}
	agree("order")

	// Pin 1 into B too, and 3 into B; then B holds exactly [3 1] in that order.
	must(t, e.client.PinChat(ctx, "1", b.ID))
	must(t, e.client.PinChat(ctx, "3", b.ID))
	// A itself was not written to, but under one reading it lost chat 1.
	if fa, _, err := e.client.GetFolder(ctx, a.ID); err != nil || !slices.Equal(fa.ChatIDs(), e.chatIDs(t, a.ID)) {
		t.Fatalf("pin: client sees A as %v (%v), server holds %v", fa.ChatIDs(), err, e.chatIDs(t, a.ID))
	}
	agree("pin")

	// Pins that arrive together into one folder: each is a pin of its own (a pin changes nothing
	// but its chat); C then holds all three, wherever the server put them.
	c, err := e.client.CreateFolder(ctx, "C", "", nil)
	must(t, err)
	replaces, pins := e.count(OpReplaceChats), e.count(OpPinChat)
	for _, err := range addTogether(e, ctx, [][2]string{{c.ID, "6"}, {c.ID, "1"}, {c.ID, "7"}}) {
		must(t, err)
	}
	if e.count(OpReplaceChats)-replaces != 0 || e.count(OpPinChat)-pins != 3 {
		t.Fatalf("replace_chats +%d, pin_chat +%d; want +0 and +3", e.count(OpReplaceChats)-replaces, e.count(OpPinChat)-pins)
	}
	if got := slices.Sorted(slices.Values(e.chatIDs(t, c.ID))); !slices.Equal(got, []string{"1", "6", "7"}) {
		t.Fatalf("C = %v", got)
	}
	agree("add pins together")
	must(t, e.client.SetFolderChats(ctx, b.ID, e.chatIDs(t, b.ID), []string{"3", "1"}))
	if got := e.chatIDs(t, b.ID); !slices.Equal(got, []string{"3", "1"}) {
		t.Fatalf("B = %v", got)
	}
	agree("set chats")

	// Take 1 out of B alone: wherever else it sits, it stays.
	before := e.chatIDs(t, a.ID)
	must(t, e.client.RemovePin(ctx, b.ID, "1"))
	if got := e.chatIDs(t, b.ID); !slices.Equal(got, []string{"3"}) {
		t.Fatalf("B = %v", got)
	}
	if got := e.chatIDs(t, a.ID); !slices.Equal(got, before) {
		t.Fatalf("A = %v, was %v: removing a pin from B touched A", got, before)
	}
	agree("remove pin")

	// Delete B, unpinning its chats, while 3 also sits in My Pins.
	must(t, e.client.PinChat(ctx, "3", DefaultFolderID))
	must(t, e.client.DeleteFolder(ctx, b.ID, true))
	agree("delete with unpin_all")
}
