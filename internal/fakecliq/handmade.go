package fakecliq

import (
	"fmt"
	"slices"
)

// HandChangeKind is a change a person makes in Cliq's app.
type HandChangeKind string

// The changes a person makes by hand (HandChange.Kind).
const (
	// HandPin pins Chat into Folder (at the end, or the top under Reading.NewOnTop), as pin_chat.
	HandPin HandChangeKind = "pin"
	// HandTakeOut takes Chat out of Folder alone (the app's "remove from this folder").
	HandTakeOut HandChangeKind = "take-out"
	// HandMoveChat moves Chat directly above Above in Folder, or to its end when Above is "", as
	// reorder_chat.
	HandMoveChat HandChangeKind = "move-chat"
	// HandMoveFolder moves Folder directly above the folder Above, or to the end when Above is "",
	// as reorder_folder.
	HandMoveFolder HandChangeKind = "move-folder"
	// HandCarry takes Chat out of Folder and pins it into To, in one step (dragging it across).
	HandCarry HandChangeKind = "carry"
)

// HandChange is one change a person makes by hand.
type HandChange struct {
	Kind             HandChangeKind
	Folder, Chat, To string
	Above            string
}

// ChangeByHand makes one change as a person in Cliq's app would, like the other out-of-band
// methods (no authentication, limits, faults, hooks or log; modification times as the matching
// operation), and returns every folder as it was just before and just after, read under the same
// lock: tests learn exactly what the person's change did, whatever requests run at the same time.
// A change with nothing to do (pinning a chat that is there, taking out one that is not, a move
// to where it is) changes nothing and returns before == after.
func (s *Server) ChangeByHand(c HandChange) (before, after []Folder, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := func() []Folder {
		out := make([]Folder, 0, len(s.st.folders))
		for _, f := range s.st.folders {
			out = append(out, f.snapshot())
		}
		return out
	}
	before = snap()
	now := s.now()
	f, _ := s.st.find(c.Folder)
	if f == nil {
		return before, before, fmt.Errorf("%w: %q", ErrFolderNotFound, c.Folder)
	}
	switch c.Kind {
	case HandPin:
		if !isChatID(c.Chat) {
			return before, before, fmt.Errorf("%w: %q", ErrInvalidChatID, c.Chat)
		}
		s.st.pin(f, c.Chat, now)
	case HandTakeOut:
		if f.has(c.Chat) {
			s.st.setChats(f, slices.DeleteFunc(slices.Clone(f.chats), func(id string) bool { return id == c.Chat }), now)
		}
	case HandMoveChat:
		if !f.has(c.Chat) || c.Above == c.Chat || c.Above != "" && !f.has(c.Above) {
			break
		}
		if moved := moved(f.chats, c.Chat, c.Above); !slices.Equal(moved, f.chats) {
			s.st.moveChat(f, c.Chat, c.Above, now)
		}
	case HandMoveFolder:
		if f.isDefault() || c.Above == c.Folder {
			break
		}
		var above *folder
		if c.Above != "" {
			if above, _ = s.st.find(c.Above); above == nil || above.isDefault() {
				break
			}
		}
		ids := make([]string, len(s.st.folders))
		for i, g := range s.st.folders {
			ids[i] = g.id
		}
		if !slices.Equal(moved(ids, c.Folder, c.Above), ids) {
			s.st.moveFolder(f, above, now)
		}
	case HandCarry:
		to, _ := s.st.find(c.To)
		if to == nil || to == f || !f.has(c.Chat) {
			break
		}
		s.st.setChats(f, slices.DeleteFunc(slices.Clone(f.chats), func(id string) bool { return id == c.Chat }), now)
		s.st.pin(to, c.Chat, now)
	default:
		return before, before, fmt.Errorf("fakecliq: unknown hand-made change %q", c.Kind)
	}
	return before, snap(), nil
}

// moved is ids with item moved directly above `above`, or to the end when above is "".
func moved(ids []string, item, above string) []string {
	out := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == item })
	if i := slices.Index(out, above); above != "" && i >= 0 {
		return slices.Insert(out, i, item)
	}
	return append(out, item)
}
