package cliq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxBulkUnpin is the most chat ids one bulk unpin request (operation 3) may carry.
const MaxBulkUnpin = 25

// MaxReplaceChats is the most chat ids one replace request (operation 8) may carry.
const MaxReplaceChats = 100

// PinChat pins chatID into folderID, or into My Pins when folderID is "" or "default" (operation 9).
// Pinning a chat that is already there is not an error. A pin changes nothing but that folder's
// chats (under one reading of the vendor's documents it also takes the chat out of other folders,
// which the plan then targets too).
func (c *Client) PinChat(ctx context.Context, chatID, folderID string) error {
	if folderID == "" {
		folderID = DefaultFolderID
	}
	// Only membership matters here, not order: GetFolder would re-read the list after every pin
	// into the folder (a new pin's position is uncertain), one list read per pin.
	if f, ok, err := c.folder(ctx, folderID, false); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%w: %s", ErrFolderNotFound, folderID)
	} else if f.HasChat(chatID) {
		return nil
	}
	req := pinChatRequest{}
	if folderID != DefaultFolderID {
		// My Pins is reached by sending no folder: whether Cliq accepts "default" here is undocumented.
		req.CategoryID = folderID
	}
	// One pin or unpin of a chat at a time: an unpin from My Pins must not land after this pin
	// unseen (see unpinFromMyPins).
	release, err := c.chatTurns.take(ctx, chatID)
	if err != nil {
		return err
	}
	defer release()
	// Under one reading, the pin takes the chat out of the folders that hold it now.
	touches := append([]string{folderID}, c.foldersHolding(chatID)...)
	_, err = c.unchecked(ctx, call{op: OpPinChat, path: chatPinsPath(chatID), body: req}, touches,
		func(s *snapshot) bool {
			_, f := s.find(folderID)
			return f != nil && f.HasChat(chatID)
		},
		func(s *snapshot, _ *answer) {
			_, f := s.find(folderID)
			if f == nil || f.HasChat(chatID) {
				return
			}
			if len(s.foldersOf(chatID)) > 0 {
				s.stale = true // pinning here may have moved it out of another folder
			}
			f.Chats = append(f.Chats, s.chatsFor([]string{chatID})...)
			s.chatOrderUncertain[folderID] = true // the vendor does not say where a new pin goes
		})
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	return nil
}

// AddPin pins chatID into folderID, or into My Pins when folderID is "" or "default". Adds (and
// removals) of one folder that arrive together may leave in one replace of its chats, built from a
// read that proves the folder (gather.go); an add alone, or while pin_chat has room for it and no
// proof is at hand, is a PinChat. Pinning a chat that is already there is not an error.
func (c *Client) AddPin(ctx context.Context, folderID, chatID string) error {
	if folderID == "" {
		folderID = DefaultFolderID
	}
	return c.gathered.submit(ctx, folderID, chatID, true)
}

// foldersHolding returns the folders the snapshot shows holding chatID.
func (c *Client) foldersHolding(chatID string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap == nil {
		return nil
	}
	return c.snap.foldersOf(chatID)
}

// UnpinChat unpins chatID from My Pins and from every folder (operation 10). The provider sends
// it only where no request scoped to one folder exists (see RemovePin).
func (c *Client) UnpinChat(ctx context.Context, chatID string) error {
	_, err := c.unchecked(ctx, call{op: OpUnpinChat, path: chatPinsPath(chatID)}, c.foldersHolding(chatID),
		func(s *snapshot) bool { return len(s.foldersOf(chatID)) == 0 },
		func(s *snapshot, _ *answer) { s.removeChats([]string{chatID}) })
	return err
}

// UnpinChats unpins chatIDs from every folder, MaxBulkUnpin ids a request (operation 3). The
// provider never sends it: it cannot take a chat out of one folder alone.
func (c *Client) UnpinChats(ctx context.Context, chatIDs []string) error {
	for chunk := range slices.Chunk(chatIDs, MaxBulkUnpin) {
		ids := slices.Clone(chunk)
		var touches []string
		for _, id := range ids {
			touches = append(touches, c.foldersHolding(id)...)
		}
		_, err := c.unchecked(ctx, call{op: OpBulkUnpin, path: foldersPath, rawQuery: bulkUnpinQuery(ids)}, touches,
			func(s *snapshot) bool {
				return !slices.ContainsFunc(ids, func(id string) bool { return len(s.foldersOf(id)) > 0 })
			},
			func(s *snapshot, _ *answer) { s.removeChats(ids) })
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *snapshot) removeChats(ids []string) {
	for i := range s.folders {
		f := &s.folders[i]
		f.Chats = slices.DeleteFunc(f.Chats, func(ch Chat) bool { return slices.Contains(ids, ch.ChatID) })
	}
}

// ChatDetails returns what Cliq shows of each chat (type, name, participants). Details come from the
// shared read; a chat it has not seen yet (just pinned) costs one more read, shared by all callers.
func (c *Client) ChatDetails(ctx context.Context, folderID string) ([]Chat, error) {
	f, ok, err := c.folder(ctx, folderID, false) // details, not order
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrFolderNotFound, folderID)
	}
	for _, ch := range f.Chats {
		if ch.ChatType == "" && ch.Name == "" {
			if err := c.Refresh(ctx); err != nil {
				return nil, err
			}
			if f, ok, err = c.folder(ctx, folderID, false); err != nil {
				return nil, err
			} else if !ok {
				return nil, fmt.Errorf("%w: %s", ErrFolderNotFound, folderID)
			}
			break
		}
	}
	return f.Chats, nil
}

// RemovePin takes chatID out of folderID alone, never out of another folder (doc.go, rule 3): by
// a replace of that folder's chats (operation 8), built from a read that proves the folder and
// checked by Cliq against it. Removals from one folder that arrive together (Terraform destroys
// many pins in parallel) share one replace. Removing a pin that is not there is not an error.
func (c *Client) RemovePin(ctx context.Context, folderID, chatID string) error {
	if folderID == "" {
		folderID = DefaultFolderID
	}
	return c.gathered.submit(ctx, folderID, chatID, false)
}

// takeOut takes chats out of folderID alone.
func (c *Client) takeOut(ctx context.Context, folderID string, chats []string) error {
	if folderID == DefaultFolderID && c.myPinsRefusesReplace.Load() {
		return c.unpinFromMyPins(ctx, chats)
	}
	f, ok, err := c.folder(ctx, folderID, false)
	if err == nil && ok && f.chatsUnlisted {
		// Listed without its chats: read again, and if it still is, the client cannot see whether
		// they are there (doc.go, rule 3), so it says so rather than report a removal it did not make.
		if err = c.Refresh(ctx); err == nil {
			f, ok, err = c.folder(ctx, folderID, false)
		}
		if err == nil && ok && f.chatsUnlisted {
			return fmt.Errorf("%w: folder %s (it may be empty). Check in Cliq whether chat(s) %s are pinned there: if so, unpin them in Cliq; "+
				"then remove the pin from Terraform's state (terraform state rm)", errUnlisted, folderID, strings.Join(chats, ", "))
		}
	}
	if err != nil {
		return err
	}
	if !ok || !slices.ContainsFunc(chats, f.HasChat) {
		return nil // none of them is there
	}
	err = c.checked(ctx, folderID,
		func(s *snapshot, lastSync string) (call, bool) {
			_, f := s.find(folderID)
			if f == nil {
				return call{}, false
			}
			keep := slices.DeleteFunc(f.ChatIDs(), func(id string) bool { return slices.Contains(chats, id) })
			if len(keep) == len(f.Chats) {
				return call{}, false // none of them is there
			}
			return call{op: OpReplaceChats, path: folderPath(folderID),
				body: replaceChatsRequest{ChatIDs: keep, LastSyncTime: lastSync}}, true
		},
		func(s *snapshot, _ *answer) {
			if _, f := s.find(folderID); f != nil {
				f.Chats = slices.DeleteFunc(f.Chats, func(ch Chat) bool { return slices.Contains(chats, ch.ChatID) })
			}
		})
	var apiErr *APIError
	if folderID == DefaultFolderID && errors.As(err, &apiErr) && apiErr.Status == 400 && apiErr.Code == CodeOperationNotAllowed {
		// Operation 8 on My Pins is undocumented, and Cliq may refuse it.
		c.myPinsRefusesReplace.Store(true)
		return c.unpinFromMyPins(ctx, chats)
	}
	if errors.Is(err, ErrFolderNotFound) {
		return nil // the folder and so the pin are gone
	}
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	return nil
}

// ErrPinnedElsewhere means a chat could not be taken out of My Pins alone: Cliq refuses to replace
// My Pins' chats, and the one request left, an unpin, would take it out of other folders too.
var ErrPinnedElsewhere = errors.New("the chat is also pinned in another folder")

// unpinFromMyPins takes chats out of My Pins where Cliq refuses operation 8 there: by an unpin
// (operation 10), which reaches every folder, and so only for chats that a fresh read shows in no
// other folder, and that the client itself does not pin meanwhile (the chat's turn). An unpin whose
// outcome is unknown is sent again only while a read shows the chat in My Pins alone. A chat pinned
// by hand into another folder between the read and the unpin would lose that pin too (the
// resource's documentation says so).
func (c *Client) unpinFromMyPins(ctx context.Context, chats []string) error {
	var errs []error
	for _, chat := range chats {
		if err := c.unpinFromMyPinsAlone(ctx, chat); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c *Client) unpinFromMyPinsAlone(ctx context.Context, chat string) error {
	release, err := c.chatTurns.take(ctx, chat)
	if err != nil {
		return err
	}
	defer release()
	if err := c.Refresh(ctx); err != nil {
		return err
	}
	where := func(s *snapshot) (inMyPins bool, elsewhere []string) {
		for _, f := range s.foldersOf(chat) {
			if f == DefaultFolderID {
				inMyPins = true
			} else {
				elsewhere = append(elsewhere, f)
			}
		}
		return inMyPins, elsewhere
	}
	pinnedElsewhere := func(elsewhere []string) error {
		return fmt.Errorf("%w: Cliq does not let the provider take chat %s out of My Pins alone, and unpinning it would also take it out of folder(s) %s: "+
			"unpin it from My Pins in Cliq, then run the apply again", ErrPinnedElsewhere, chat, strings.Join(elsewhere, ", "))
	}
	c.mu.Lock()
	inMyPins, elsewhere := where(c.snap)
	c.mu.Unlock()
	switch {
	case !inMyPins:
		return nil // already gone
	case len(elsewhere) > 0:
		return pinnedElsewhere(elsewhere)
	}
	// The read above is the unpin's reason to be sent: after any wait (its budget, a throttle lock)
	// a person may have pinned the chat elsewhere meanwhile, so it is read again first.
	errGone := errors.New("the chat left My Pins meanwhile")
	readAgain := func(ctx context.Context) error {
		if err := c.Refresh(ctx); err != nil {
			return err
		}
		c.mu.Lock()
		inMyPins, elsewhere := where(c.snap)
		c.mu.Unlock()
		switch {
		case !inMyPins:
			return errGone
		case len(elsewhere) > 0:
			return pinnedElsewhere(elsewhere)
		}
		return nil
	}
	_, err = c.unchecked(ctx, call{op: OpUnpinChat, path: chatPinsPath(chat), afterWait: readAgain}, []string{DefaultFolderID},
		func(s *snapshot) bool {
			in, others := where(s)
			return !in || len(others) > 0 // gone, or never again: it sits elsewhere now
		},
		func(s *snapshot, _ *answer) { s.removeChats([]string{chat}) })
	if errors.Is(err, errGone) {
		return nil
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	inMyPins, elsewhere = where(c.snap)
	c.mu.Unlock()
	if inMyPins && len(elsewhere) > 0 {
		return pinnedElsewhere(elsewhere)
	}
	return nil
}

// MovePin moves chatID from folder from to folder to ("" or "default" for My Pins). The pin goes
// into to first, so that the chat is never unpinned in between; out of My Pins it leaves My Pins
// first: where Cliq refuses to replace My Pins' chats, the only way out is an unpin, which reaches
// every folder and so would find (and take) the chat in to as well (doc.go, rule 3).
func (c *Client) MovePin(ctx context.Context, chatID, from, to string) error {
	if from == "" {
		from = DefaultFolderID
	}
	if to == "" {
		to = DefaultFolderID
	}
	if from == to {
		return c.AddPin(ctx, to, chatID)
	}
	if from == DefaultFolderID {
		if err := c.RemovePin(ctx, from, chatID); err != nil {
			return err
		}
		if err := c.AddPin(ctx, to, chatID); err != nil {
			return fmt.Errorf("took chat %s out of My Pins but could not pin it into folder %s: %w", chatID, to, err)
		}
		return nil
	}
	if err := c.AddPin(ctx, to, chatID); err != nil {
		return err
	}
	if err := c.RemovePin(ctx, from, chatID); err != nil {
		return fmt.Errorf("pinned chat %s into folder %s but could not take it out of folder %s: %w", chatID, to, from, err)
	}
	return nil
}
