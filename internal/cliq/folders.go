package cliq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// CreateFolder creates a chat folder holding chatIDs in that order (operation 1). A create is never
// sent twice blindly: when its outcome is unknown, the client reads the list and adopts the folder
// if Cliq made it.
func (c *Client) CreateFolder(ctx context.Context, title, symbol string, chatIDs []string) (Folder, error) {
	// Know which folders exist before, so that a folder made by an ambiguous create can be told
	// apart from the account's others.
	if err := c.ensureSnapshot(ctx, nil); err != nil {
		return Folder{}, err
	}
	c.mu.Lock()
	before := map[string]bool{}
	for _, f := range c.snap.folders {
		before[f.ID] = true
	}
	c.mu.Unlock()

	var adopted *Folder
	created := func(s *snapshot) bool { // runs with c.mu held, which guards claimed
		for _, f := range s.folders {
			if before[f.ID] || c.claimed[f.ID] || f.IsDefault() || f.Title != title || f.Symbol != symbol {
				continue
			}
			if len(chatIDs) > 0 && !slices.Equal(f.ChatIDs(), chatIDs) {
				continue
			}
			c.claimed[f.ID] = true
			adopted = &f
			return true
		}
		return false
	}
	if len(chatIDs) > 0 {
		// Under one reading of the vendor's documents, pinning chats here moves them out of others.
		defer c.shareFolders(c.foldersHolding(chatIDs)...)()
	}
	req := createFolderRequest{Title: title, Symbol: symbol, ChatIDs: chatIDs}
	ans, err := c.write(ctx, func() (call, error) {
		return call{op: OpCreateFolder, path: "/pin-categories", body: req}, nil
	}, created)
	if err != nil {
		return Folder{}, err
	}
	if ans == nil {
		return *adopted, nil
	}
	var cr createFolderResponse
	if err := ans.decode(OpCreateFolder, &cr); err != nil {
		return Folder{}, err
	}
	f := cr.Data
	if f.ID == "" {
		return Folder{}, fmt.Errorf("cliq %s: the answer carries no category_id", OpCreateFolder)
	}
	if f.Title == "" {
		f.Title = title
	}
	if f.Symbol == "" {
		f.Symbol = symbol
	}
	if f.State == "" {
		f.State = "expanded"
	}
	c.update(func(s *snapshot) {
		// An effect may be applied again to a later read (see installSnapshot): it works on copies.
		c.claimed[f.ID] = true
		if _, existing := s.find(f.ID); existing == nil {
			nf := f
			nf.Chats = s.chatsFor(chatIDs)
			s.folders = append(s.folders, nf)
		}
		s.touch(f.ID, ans.date)
		s.touchOrder(ans.date)
		s.orderUncertain = true // the vendor does not say where a new folder goes
		for _, id := range chatIDs {
			if len(s.foldersOf(id)) > 1 {
				s.stale = true // pinning here may have moved it out of another folder
			}
		}
	})
	c.mu.Lock()
	s := c.snap
	if s == nil {
		s = &snapshot{}
	}
	f.Chats = s.chatsFor(chatIDs)
	c.mu.Unlock()
	return f, nil
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
	ans, err := c.write(ctx, func() (call, error) {
		return call{op: OpModifyFolder, path: "/pin-categories/" + id, body: req}, nil
	}, func(s *snapshot) bool {
		_, f := s.find(id)
		return f != nil && (title == nil || f.Title == *title) && (symbol == nil || f.Symbol == *symbol) && (state == nil || f.State == *state)
	})
	if err != nil {
		return c.folderError(ctx, id, err)
	}
	if ans != nil {
		c.update(func(s *snapshot) {
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
			s.touch(id, ans.date)
		})
	}
	return nil
}

// DeleteFolder deletes a folder (operation 5). Its chats move to My Pins, or are unpinned when
// unpinAll is set. Deleting a folder that is already gone is not an error.
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
	q := "unpin_all=false"
	if unpinAll {
		q = "unpin_all=true"
	}
	// The folder's chats move to My Pins, or are unpinned (perhaps, under one reading, everywhere).
	defer c.shareFolders(c.foldersHolding(f.ChatIDs(), id, DefaultFolderID)...)()
	gone := func(s *snapshot) bool { _, f := s.find(id); return f == nil }
	ans, err := c.write(ctx, func() (call, error) {
		return call{op: OpDeleteFolder, path: "/pin-categories/" + id, rawQuery: q}, nil
	}, gone)
	if err != nil {
		if err := c.Refresh(ctx); err == nil {
			c.mu.Lock()
			ok := gone(c.snap)
			c.mu.Unlock()
			if ok {
				return nil
			}
		}
		return err
	}
	if ans != nil {
		c.update(func(s *snapshot) {
			i, f := s.find(id)
			if f == nil {
				return
			}
			moved := f.Chats
			s.folders = slices.Delete(s.folders, i, i+1)
			delete(s.folderSync, id)
			s.touchOrder(ans.date)
			if unpinAll {
				for _, ch := range moved {
					if len(s.foldersOf(ch.ChatID)) > 0 {
						s.stale = true // whether unpin_all reaches other folders is not documented
					}
				}
				return
			}
			_, def := s.find(DefaultFolderID)
			for _, ch := range moved {
				if !def.HasChat(ch.ChatID) {
					def.Chats = append(def.Chats, ch)
					s.chatOrderUncertain[DefaultFolderID] = true
				}
			}
			s.touchUnchecked(DefaultFolderID, ans.date)
		})
	}
	return nil
}

// ReorderChat moves chatID directly above pinAbove in its folder, or to the end when pinAbove is ""
// (operation 6).
func (c *Client) ReorderChat(ctx context.Context, folderID, chatID, pinAbove string) error {
	ans, err := c.write(ctx, func() (call, error) {
		sync, err := c.lastSync(ctx, folderID)
		if err != nil {
			return call{}, err
		}
		return call{op: OpReorderChat, path: "/pin-categories/" + folderID,
			body: reorderChatRequest{ChatID: chatID, PinAbove: pinAbove, LastSyncTime: sync}}, nil
	}, func(s *snapshot) bool {
		_, f := s.find(folderID)
		return f != nil && isAbove(f.ChatIDs(), chatID, pinAbove)
	})
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	if ans != nil {
		c.update(func(s *snapshot) {
			if _, f := s.find(folderID); f != nil {
				f.Chats = s.chatsFor(applyMove(f.ChatIDs(), chatID, pinAbove))
			}
			s.touch(folderID, ans.date)
		})
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
	ans, err := c.write(ctx, func() (call, error) {
		sync, err := c.lastSync(ctx, "")
		if err != nil {
			return call{}, err
		}
		return call{op: OpReorderFolder, path: "/pin-categories/" + folderID,
			body: reorderFolderRequest{PinAbove: pinAbove, LastSyncTime: sync}}, nil
	}, func(s *snapshot) bool {
		return !s.orderUncertain && isAbove(folderIDs(s.folders), folderID, pinAbove)
	})
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	if ans != nil {
		c.update(func(s *snapshot) {
			byID := map[string]Folder{}
			for _, f := range s.folders {
				byID[f.ID] = f
			}
			ids := applyMove(folderIDs(s.folders), folderID, pinAbove)
			s.folders = s.folders[:0]
			for _, id := range ids {
				s.folders = append(s.folders, byID[id])
			}
			s.touchOrder(ans.date)
		})
	}
	return nil
}

func folderIDs(folders []Folder) []string {
	ids := make([]string, 0, len(folders))
	for _, f := range folders {
		ids = append(ids, f.ID)
	}
	return ids
}

// ReplaceChats makes chatIDs, in that order, the folder's whole content (operation 8).
func (c *Client) ReplaceChats(ctx context.Context, folderID string, chatIDs []string) error {
	return c.replaceChats(ctx, folderID, func(*snapshot) []string { return chatIDs })
}

// replaceChats is operation 8 with the list computed from the current snapshot on every attempt,
// so that a retry after client_not_synced builds on what the server holds now.
func (c *Client) replaceChats(ctx context.Context, folderID string, want func(*snapshot) []string) error {
	defer c.holdFolder(folderID)()
	var sent []string
	ans, err := c.write(ctx, func() (call, error) {
		sync, err := c.lastSync(ctx, folderID)
		if err != nil {
			return call{}, err
		}
		c.mu.Lock()
		sent = append([]string{}, want(c.snap)...)
		c.mu.Unlock()
		return call{op: OpReplaceChats, path: "/pin-categories/" + folderID,
			body: replaceChatsRequest{ChatIDs: sent, LastSyncTime: sync}}, nil
	}, func(s *snapshot) bool {
		_, f := s.find(folderID)
		return f != nil && slices.Equal(f.ChatIDs(), want(s))
	})
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	if ans != nil {
		c.update(func(s *snapshot) {
			_, f := s.find(folderID)
			if f == nil {
				return
			}
			for _, id := range sent {
				if !f.HasChat(id) && len(s.foldersOf(id)) > 0 {
					s.stale = true // pinning here may have moved it out of another folder
				}
			}
			f.Chats = s.chatsFor(sent)
			s.chatOrderUncertain[folderID] = false
			s.touch(folderID, ans.date)
		})
	}
	return nil
}

// SetFolderChats makes the folder hold exactly chatIDs in that order, with the fewest requests:
// one move (operation 6) when a single chat is out of place, else one replace (operation 8).
func (c *Client) SetFolderChats(ctx context.Context, folderID string, chatIDs []string) error {
	f, ok, err := c.GetFolder(ctx, folderID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrFolderNotFound, folderID)
	}
	current := f.ChatIDs()
	if slices.Equal(current, chatIDs) {
		return nil
	}
	if sameSet(current, chatIDs) {
		if moves := planMoves(current, chatIDs); len(moves) == 1 {
			return c.ReorderChat(ctx, folderID, moves[0].Item, moves[0].Above)
		}
	}
	return c.ReplaceChats(ctx, folderID, chatIDs)
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
// others in their relative order below, with the fewest moves (operation 7).
func (c *Client) SetFolderOrder(ctx context.Context, ids []string) error {
	current, err := c.FolderOrder(ctx)
	if err != nil {
		return err
	}
	var missing []string
	for _, id := range ids {
		if !slices.Contains(current, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrFolderNotFound, strings.Join(missing, ", "))
	}
	target := DesiredFolderOrder(current, ids)
	for _, m := range planMoves(current, target) {
		if err := c.ReorderFolder(ctx, m.Item, m.Above); err != nil {
			return err
		}
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
