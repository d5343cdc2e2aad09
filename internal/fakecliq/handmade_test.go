package fakecliq

import (
	"slices"
	"testing"
	"time"
)

// A hand-made change does what the matching operation does, reports the folders just before and
// after it, and dates the change like the operation, so that a later sync-checked write built on
// an older read is refused.
func TestChangeByHand(t *testing.T) {
	clock := newClock()
	h := newHarness(t, Options{Now: clock.Now})
	a := h.create("A", "1", "2", "3")
	b := h.create("B", "4")
	ids := func(fs []Folder, id string) []string {
		for _, f := range fs {
			if f.ID == id {
				return f.ChatIDs
			}
		}
		return nil
	}
	order := func(fs []Folder) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.ID)
		}
		return out
	}
	steps := []struct {
		change       HandChange
		wantA, wantB []string
		wantOrder    []string
	}{
		{HandChange{Kind: HandPin, Folder: a, Chat: "5"}, []string{"1", "2", "3", "5"}, []string{"4"}, nil},
		{HandChange{Kind: HandTakeOut, Folder: a, Chat: "2"}, []string{"1", "3", "5"}, []string{"4"}, nil},
		{HandChange{Kind: HandMoveChat, Folder: a, Chat: "5", Above: "1"}, []string{"5", "1", "3"}, []string{"4"}, nil},
		{HandChange{Kind: HandCarry, Folder: a, Chat: "3", To: b}, []string{"5", "1"}, []string{"4", "3"}, nil},
		{HandChange{Kind: HandMoveFolder, Folder: b, Above: a}, []string{"5", "1"}, []string{"4", "3"}, []string{DefaultFolderID, b, a}},
	}
	for _, step := range steps {
		clock.Advance(time.Second)
		before, after, err := h.s.ChangeByHand(step.change)
		h.ok(err)
		if got := h.chats(a); !slices.Equal(got, step.wantA) || !slices.Equal(ids(after, a), got) {
			t.Fatalf("%+v: A = %v (after: %v), want %v", step.change, got, ids(after, a), step.wantA)
		}
		if got := h.chats(b); !slices.Equal(got, step.wantB) || !slices.Equal(ids(after, b), got) {
			t.Fatalf("%+v: B = %v (after: %v), want %v", step.change, got, ids(after, b), step.wantB)
		}
		if step.wantOrder != nil && !slices.Equal(order(after), step.wantOrder) {
			t.Fatalf("%+v: order = %v, want %v", step.change, order(after), step.wantOrder)
		}
		if slices.Equal(order(before), order(after)) && slices.EqualFunc(before, after, func(x, y Folder) bool { return slices.Equal(x.ChatIDs, y.ChatIDs) }) {
			t.Fatalf("%+v: before and after are the same", step.change)
		}
	}
	// A change with nothing to do changes nothing, and dates nothing.
	stale := iso(clock.Now())
	clock.Advance(time.Second)
	before, after, err := h.s.ChangeByHand(HandChange{Kind: HandMoveChat, Folder: a, Chat: "5", Above: "1"})
	h.ok(err)
	if !slices.EqualFunc(before, after, func(x, y Folder) bool { return x.ID == y.ID && slices.Equal(x.ChatIDs, y.ChatIDs) }) {
		t.Fatalf("a move to where the chat is changed the folders: %v -> %v", before, after)
	}
	h.must(h.do("PUT", cats+"/"+a, map[string]any{"chat_ids": []string{"5", "1"}, "last_sync_time": stale}), 204, "")
	// A change is dated like the operation: a replace built on a read from before it is refused.
	clock.Advance(time.Second)
	read := iso(clock.Now())
	clock.Advance(time.Second)
	_, _, err = h.s.ChangeByHand(HandChange{Kind: HandPin, Folder: a, Chat: "9"})
	h.ok(err)
	h.must(h.do("PUT", cats+"/"+a, map[string]any{"chat_ids": []string{"5"}, "last_sync_time": read}), 400, "client_not_synced")
	if _, _, err := h.s.ChangeByHand(HandChange{Kind: HandPin, Folder: "404", Chat: "1"}); err == nil {
		t.Fatal("a change to a folder that is not there succeeded")
	}
}
