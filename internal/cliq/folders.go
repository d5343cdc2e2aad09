package cliq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// createReadAge is the oldest a read may be for a create to be compared with it: a folder that
// fits a create whose answer was lost is adopted only if that read lacks it. A person making a
// folder of the same title, symbol and chats within these seconds before such a create is the
// risk left; older reads are refreshed first (at most one read per create, shared by a wave).
const createReadAge = 10 * time.Second

// settleReadTimeout bounds the read that settles a create whose caller left before its answer.
const settleReadTimeout = 10 * time.Second

// CreateFolder creates a chat folder holding chatIDs in that order (operation 1). A create is never
// sent twice blindly: when its outcome is unknown, the client reads the list and adopts the folder
// if a read taken after the create was sent proves it new (a read taken just before lacks it), and
// never guesses between two that fit. A create whose caller left before its answer arrived is
// settled by such a read before returning (a read sends no change); where it cannot be, the error
// names what may exist and how to import it.
func (c *Client) CreateFolder(ctx context.Context, title, symbol string, chatIDs []string) (Folder, error) {
	// Know which folders exist just before, so that a folder made by an ambiguous create can be
	// told apart from the account's others.
	if err := c.ensureSnapshot(ctx, func(s *snapshot) bool { return time.Since(s.readAt) <= c.createReadAge }); err != nil {
		return Folder{}, err
	}
	c.mu.Lock()
	before := map[string]bool{}
	for _, f := range c.snap.folders {
		before[f.ID] = true
	}
	c.mu.Unlock()

	var adopted *Folder
	var unsure error
	created := func(s *snapshot) bool { // runs with c.mu held, which guards claimed
		var fits []Folder
		for _, f := range s.folders {
			if before[f.ID] || c.claimed[f.ID] || f.IsDefault() || f.Title != title || f.Symbol != symbol {
				continue
			}
			if len(chatIDs) > 0 && !slices.Equal(f.ChatIDs(), chatIDs) {
				continue
			}
			fits = append(fits, f)
		}
		switch len(fits) {
		case 0:
			return false
		case 1:
			c.claimed[fits[0].ID] = true
			adopted = &fits[0]
		default: // never guess
			unsure = fmt.Errorf("the answer to the create of chat folder %q (symbol %q) was lost, and %d folders that fit it appeared meanwhile (%s): "+
				"the provider does not guess which one it made. Import the one to manage with terraform import cliq_pin_folder.<name> <id>, "+
				"and delete the other in Cliq if it is a duplicate", title, symbol, len(fits), strings.Join(folderIDs(fits), ", "))
		}
		return true
	}
	// Under one reading of the vendor's documents, pinning chats here moves them out of others.
	touches := []string{""}
	for _, id := range chatIDs {
		touches = append(touches, c.foldersHolding(id)...)
	}
	var made Folder
	req := createFolderRequest{Title: title, Symbol: symbol, ChatIDs: chatIDs}
	ans, err := c.unchecked(ctx, call{op: OpCreateFolder, path: foldersPath, body: req}, touches, created,
		func(s *snapshot, ans *answer) {
			var cr createFolderResponse
			if ans.decode(OpCreateFolder, &cr) != nil || cr.Data.ID == "" {
				s.stale = true // the answer's check (transport.go) makes this unreachable
				return
			}
			made = cr.Data
			if made.Title == "" {
				made.Title = title
			}
			if made.Symbol == "" {
				made.Symbol = symbol
			}
			if made.State == "" {
				made.State = "expanded"
			}
			made.Chats, made.chatsUnlisted = s.chatsFor(chatIDs), false // the chats it was made with
			c.claimed[made.ID] = true
			c.noteAnswer(made.ID, ans)
			if _, existing := s.find(made.ID); existing == nil {
				nf := made
				nf.Chats = slices.Clone(made.Chats)
				s.folders = append(s.folders, nf)
			} else if existing.State == "" {
				existing.State = made.State
			}
			s.orderUncertain = true // the vendor does not say where a new folder goes
			for _, id := range chatIDs {
				if len(s.foldersOf(id)) > 1 {
					s.stale = true // pinning here may have moved it out of another folder
				}
			}
		})
	var lost *AmbiguousError
	if err != nil && ctx.Err() != nil && errors.As(err, &lost) {
		// The caller left before the answer: settle it by a read, which changes nothing.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleReadTimeout)
		defer cancel()
		ok := false
		if rerr := c.Refresh(rctx); rerr == nil {
			c.mu.Lock()
			ok = created(c.snap)
			c.mu.Unlock()
		}
		if !ok {
			return Folder{}, fmt.Errorf("%w. Cliq may have created chat folder %q (symbol %q) all the same, or may still: look for it in Cliq, "+
				"and if it is there, import it with terraform import cliq_pin_folder.<name> <its id> (the cliq_pin_folders data source lists ids) "+
				"instead of applying again, which would create a second one", err, title, symbol)
		}
		ans, err = nil, nil
	}
	switch {
	case err != nil:
		return Folder{}, err
	case unsure != nil:
		return Folder{}, unsure
	case ans == nil:
		return *adopted, nil
	case made.ID == "":
		return Folder{}, fmt.Errorf("cliq %s: the answer carries no category_id", OpCreateFolder)
	}
	return made, nil
}

// ModifyFolder changes a folder's title, symbol and state (operation 4); nil leaves one as it is.
func (c *Client) ModifyFolder(ctx context.Context, id string, title, symbol, state *string) error {
	if title == nil && symbol == nil && state == nil {
		return nil
	}
	if id == DefaultFolderID {
		return fmt.Errorf("the default folder (My Pins) has no title, symbol or state to change")
	}
	req := modifyFolderRequest{Title: title, Symbol: symbol, State: state}
	_, err := c.unchecked(ctx, call{op: OpModifyFolder, path: folderPath(id), body: req}, []string{id},
		func(s *snapshot) bool {
			_, f := s.find(id)
			return f != nil && (title == nil || f.Title == *title) && (symbol == nil || f.Symbol == *symbol) && (state == nil || f.State == *state)
		},
		func(s *snapshot, _ *answer) {
			if _, f := s.find(id); f != nil {
				if title != nil {
					f.Title = *title
				}
				if symbol != nil {
					f.Symbol = *symbol
				}
				if state != nil {
					f.State = *state
				}
			}
		})
	if err != nil {
		return c.folderError(ctx, id, err)
	}
	return nil
}

// DeleteFolder deletes a folder (operation 5). Its chats move to My Pins; with unpinAll they are
// unpinned from this folder instead: the client first empties it with a replace that Cliq checks
// (doc.go, rule 3), because whether the delete's own unpin_all reaches other folders is not
// documented. A chat pinned into it by hand after that replace moves to My Pins. Deleting a folder
// that is already gone is not an error.
func (c *Client) DeleteFolder(ctx context.Context, id string, unpinAll bool) error {
	if id == DefaultFolderID {
		return fmt.Errorf("the default folder (My Pins) cannot be deleted")
	}
	f, ok, err := c.folder(ctx, id, false)
	if err != nil {
		return err
	} else if !ok {
		return nil
	}
	if unpinAll && len(f.Chats) > 0 {
		if err := c.ReplaceChats(ctx, id, []string{}); errors.Is(err, ErrFolderNotFound) {
			return nil
		} else if err != nil {
			return err
		}
	}
	gone := func(s *snapshot) bool { _, f := s.find(id); return f == nil }
	_, err = c.unchecked(ctx, call{op: OpDeleteFolder, path: folderPath(id), rawQuery: "unpin_all=false"},
		[]string{id, DefaultFolderID, ""}, gone,
		func(s *snapshot, _ *answer) {
			i, f := s.find(id)
			if f == nil {
				return
			}
			moved := f.Chats
			s.folders = slices.Delete(s.folders, i, i+1)
			_, def := s.find(DefaultFolderID)
			for _, ch := range moved {
				if !def.HasChat(ch.ChatID) {
					def.Chats = append(def.Chats, ch)
					s.chatOrderUncertain[DefaultFolderID] = true
				}
			}
		})
	if err != nil {
		// Cliq answers a delete of a folder that is gone with a 400: the list decides.
		if rerr := c.Refresh(ctx); rerr == nil {
			c.mu.Lock()
			ok := gone(c.snap)
			c.mu.Unlock()
			if ok {
				return nil
			}
		}
		return err
	}
	return nil
}

// ReorderChat moves chatID directly above pinAbove in its folder, or to the end when pinAbove is ""
// (operation 6).
func (c *Client) ReorderChat(ctx context.Context, folderID, chatID, pinAbove string) error {
	err := c.checked(ctx, folderID,
		func(s *snapshot, lastSync string) (call, bool) {
			_, f := s.find(folderID)
			if f != nil && isAbove(f.ChatIDs(), chatID, pinAbove) {
				return call{}, false
			}
			return call{op: OpReorderChat, path: folderPath(folderID),
				body: reorderChatRequest{ChatID: chatID, PinAbove: pinAbove, LastSyncTime: lastSync}}, true
		},
		func(s *snapshot, _ *answer) {
			if _, f := s.find(folderID); f != nil {
				f.Chats = s.chatsFor(applyMove(f.ChatIDs(), chatID, pinAbove))
			}
		})
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	return nil
}

// isAbove reports whether item sits directly above "above" in ids (or last, when above is "").
func isAbove(ids []string, item, above string) bool {
	i := slices.Index(ids, item)
	if i < 0 {
		return false
	}
	if above == "" {
		return i == len(ids)-1
	}
	return i+1 < len(ids) && ids[i+1] == above
}

// ReorderFolder moves a folder directly above pinAbove, or to the end when pinAbove is ""
// (operation 7).
func (c *Client) ReorderFolder(ctx context.Context, folderID, pinAbove string) error {
	err := c.checked(ctx, "",
		func(s *snapshot, lastSync string) (call, bool) {
			if isAbove(folderIDs(s.folders), folderID, pinAbove) {
				return call{}, false
			}
			return call{op: OpReorderFolder, path: folderPath(folderID),
				body: reorderFolderRequest{PinAbove: pinAbove, LastSyncTime: lastSync}}, true
		},
		func(s *snapshot, _ *answer) { s.moveFolder(folderID, pinAbove) })
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	return nil
}

// moveFolder applies an answered folder move to the snapshot.
func (s *snapshot) moveFolder(folderID, pinAbove string) {
	byID := map[string]Folder{}
	for _, f := range s.folders {
		byID[f.ID] = f
	}
	ids := applyMove(folderIDs(s.folders), folderID, pinAbove)
	s.folders = s.folders[:0]
	for _, id := range ids {
		s.folders = append(s.folders, byID[id])
	}
}

func folderIDs(folders []Folder) []string {
	ids := make([]string, 0, len(folders))
	for _, f := range folders {
		ids = append(ids, f.ID)
	}
	return ids
}

// ReplaceChats makes chatIDs, in that order, the folder's whole content (operation 8), whatever
// it holds now.
func (c *Client) ReplaceChats(ctx context.Context, folderID string, chatIDs []string) error {
	return c.replaceChats(ctx, folderID, func([]string) []string { return chatIDs })
}

// replaceChats is operation 8 with the list computed by want from the folder's chats as a read
// proves them (doc.go, rule 1), again on every attempt.
func (c *Client) replaceChats(ctx context.Context, folderID string, want func(current []string) []string) error {
	var sent []string
	err := c.checked(ctx, folderID,
		func(s *snapshot, lastSync string) (call, bool) {
			_, f := s.find(folderID)
			if f == nil {
				return call{}, false
			}
			// Never nil: "chat_ids": null would make the request another operation (a folder move).
			sent = append([]string{}, want(f.ChatIDs())...)
			if slices.Equal(sent, f.ChatIDs()) {
				return call{}, false
			}
			return call{op: OpReplaceChats, path: folderPath(folderID),
				body: replaceChatsRequest{ChatIDs: sent, LastSyncTime: lastSync}}, true
		},
		func(s *snapshot, _ *answer) {
			if _, f := s.find(folderID); f != nil {
				s.replaced(f, sent)
			}
		})
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	return nil
}

// replaced applies an answered replace of f's chats by ids to the snapshot.
func (s *snapshot) replaced(f *Folder, ids []string) {
	for _, id := range ids {
		if !f.HasChat(id) && len(s.foldersOf(id)) > 0 {
			s.stale = true // pinning here may have moved it out of another folder
		}
	}
	f.Chats = s.chatsFor(ids)
	s.chatOrderUncertain[f.ID] = false
}

// SetFolderChats changes the folder's chats from prior (what the plan saw) to want, and nothing
// else: chats pinned into the folder by hand since the plan stay, at their place, and chats that
// both lists keep but that were unpinned by hand since stay unpinned (doc.go, rule 3). It sends
// one move (operation 6) when a single chat is out of place, else one replace (operation 8).
func (c *Client) SetFolderChats(ctx context.Context, folderID string, prior, want []string) error {
	return c.replaceOrMove(ctx, folderID, func(current []string) []string { return MergeChats(current, prior, want) })
}

// replaceOrMove makes the folder hold what target computes from its chats: by one move when that
// suffices, else by a replace. Both are computed inside the build, from the snapshot whose sync
// time the request carries (doc.go, rule 1), again on every attempt.
func (c *Client) replaceOrMove(ctx context.Context, folderID string, target func(current []string) []string) error {
	f, ok, err := c.folder(ctx, folderID, true)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrFolderNotFound, folderID)
	}
	if f.chatsUnlisted {
		// Cliq listed it without chats (perhaps because it has none): pins add the plan's chats
		// without a list that could drop unseen ones; then the folder lists them.
		for _, id := range target(f.ChatIDs()) {
			if err := c.PinChat(ctx, id, folderID); err != nil {
				return err
			}
		}
		if err := c.Refresh(ctx); err != nil {
			return err
		}
		if f, ok, err = c.folder(ctx, folderID, true); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: %s", ErrFolderNotFound, folderID)
		} else if f.chatsUnlisted {
			return fmt.Errorf("%w: folder %s", errUnlisted, folderID)
		}
	}
	var sent []string
	var moved *move
	err = c.checked(ctx, folderID,
		func(s *snapshot, lastSync string) (call, bool) {
			sent, moved = nil, nil
			_, f := s.find(folderID)
			if f == nil {
				return call{}, false
			}
			current := f.ChatIDs()
			// Never nil: "chat_ids": null would make the request another operation (a folder move).
			goal := append([]string{}, target(current)...)
			if slices.Equal(current, goal) {
				return call{}, false
			}
			if sameSet(current, goal) {
				if moves := planMoves(current, goal); len(moves) == 1 {
					moved = &moves[0]
					return call{op: OpReorderChat, path: folderPath(folderID),
						body: reorderChatRequest{ChatID: moved.Item, PinAbove: moved.Above, LastSyncTime: lastSync}}, true
				}
			}
			sent = goal
			return call{op: OpReplaceChats, path: folderPath(folderID),
				body: replaceChatsRequest{ChatIDs: sent, LastSyncTime: lastSync}}, true
		},
		func(s *snapshot, _ *answer) {
			_, f := s.find(folderID)
			if f == nil {
				return
			}
			if moved != nil {
				f.Chats = s.chatsFor(applyMove(f.ChatIDs(), moved.Item, moved.Above))
				return
			}
			s.replaced(f, sent)
		})
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	return nil
}

// MergeChats is the folder content that applies the plan's change from prior (the state) to want
// (the configuration) onto current, the folder's chats as a read shows them, and changes nothing
// else (doc.go, rule 3): see mergeOrder. Chats the plan removes go; chats it adds come; chats both
// keep stay only if they are still there; chats pinned by hand since the plan stay.
func MergeChats(current, prior, want []string) []string {
	return mergeOrder(current, prior, want, true, nil)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	as, bs := slices.Clone(a), slices.Clone(b)
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs)
}

// FolderOrder returns the ids of the user's folders in display order (without the default folder).
func (c *Client) FolderOrder(ctx context.Context) ([]string, error) {
	folders, err := c.ListFolders(ctx)
	if err != nil {
		return nil, err
	}
	ids := folderIDs(folders)
	return slices.DeleteFunc(ids, func(id string) bool { return id == DefaultFolderID }), nil
}

// SetFolderOrder puts the folders ids, in that order, at the top of the folder list, leaving the
// others in their relative order below, with the fewest moves (operation 7): what a new
// cliq_pin_folder_order asks.
func (c *Client) SetFolderOrder(ctx context.Context, ids []string) error {
	return c.orderFolders(ctx, ids, func(current []string) []string { return DesiredFolderOrder(current, ids) })
}

// UpdateFolderOrder changes the order of the folders ids from prior (the state) to ids (the
// configuration), and nothing else (doc.go, rule 3): only the pairs of folders whose relative order
// the plan changes, or that a newly listed folder forms with the listed ones, move (mergeOrder);
// every other pair, listed or not, stays as the person left it.
func (c *Client) UpdateFolderOrder(ctx context.Context, prior, ids []string) error {
	// Runs in the build, with c.mu held: a folder this client made is placed where the plan says.
	made := func(id string) bool { return c.claimed[id] }
	return c.orderFolders(ctx, ids, func(current []string) []string { return mergeOrder(current, prior, ids, false, made) })
}

// orderFolders moves folders, one move at a time, until the folder order is what target computes
// from it. Each move is computed inside the build, from the snapshot whose sync time it carries
// (doc.go, rule 1), never planned from an earlier read.
func (c *Client) orderFolders(ctx context.Context, ids []string, target func(current []string) []string) error {
	current, err := c.FolderOrder(ctx)
	if err != nil {
		return err
	}
	if err := missingFolders(current, ids); err != nil {
		return err
	}
	// Each step moves one folder to its final place; a person's changes meanwhile may call for
	// more, but not without end. The goal is computed again only when the order is not the one the
	// client's own moves left.
	var goal, expected []string
	for step := 0; step <= 2*len(current)+maxRetries; step++ {
		var moved *move
		var missing error
		err := c.checked(ctx, "",
			func(s *snapshot, lastSync string) (call, bool) {
				moved, missing = nil, nil
				current := slices.DeleteFunc(folderIDs(s.folders), func(id string) bool { return id == DefaultFolderID })
				if missing = missingFolders(current, ids); missing != nil {
					return call{}, false
				}
				if goal == nil || !slices.Equal(current, expected) {
					goal = target(current)
				}
				moves := planMoves(current, goal)
				if len(moves) == 0 {
					return call{}, false
				}
				moved = &moves[0]
				expected = applyMove(current, moved.Item, moved.Above)
				return call{op: OpReorderFolder, path: folderPath(moved.Item),
					body: reorderFolderRequest{PinAbove: moved.Above, LastSyncTime: lastSync}}, true
			},
			func(s *snapshot, _ *answer) { s.moveFolder(moved.Item, moved.Above) })
		switch {
		case err != nil && moved != nil:
			return c.folderError(ctx, moved.Item, err)
		case err != nil:
			return err
		case missing != nil:
			return missing
		case moved == nil:
			return nil // in order
		}
	}
	return fmt.Errorf("%w: the folder order kept changing while the provider ordered it", errNotConverged)
}

func missingFolders(current, ids []string) error {
	var missing []string
	for _, id := range ids {
		if !slices.Contains(current, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrFolderNotFound, strings.Join(missing, ", "))
	}
	return nil
}

// DesiredFolderOrder is the order SetFolderOrder makes: ids first, the rest of current below in
// their relative order.
func DesiredFolderOrder(current, ids []string) []string {
	target := slices.Clone(ids)
	for _, id := range current {
		if !slices.Contains(ids, id) {
			target = append(target, id)
		}
	}
	return target
}

// folderError turns a failed write on a folder that no longer exists into ErrFolderNotFound: Cliq
// answers such writes with a 400, so the list decides.
func (c *Client) folderError(ctx context.Context, id string, err error) error {
	if IsAmbiguous(err) || id == DefaultFolderID {
		return err
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 {
		return err
	}
	if rerr := c.Refresh(ctx); rerr != nil {
		return err
	}
	c.mu.Lock()
	_, f := c.snap.find(id)
	c.mu.Unlock()
	if f == nil {
		return fmt.Errorf("%w: %s (%v)", ErrFolderNotFound, id, err)
	}
	return err
}
