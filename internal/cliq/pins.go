package cliq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// MaxBulkUnpin is the most chat ids one bulk unpin request (operation 3) may carry.
const MaxBulkUnpin = 25

// PinChat pins chatID into folderID, or into My Pins when folderID is "" or "default" (operation 9).
// Pinning a chat that is already there is not an error.
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
	ans, err := c.write(ctx, func() (call, error) {
		return call{op: OpPinChat, path: "/chats/" + chatID + "/pins", body: req}, nil
	}, func(s *snapshot) bool {
		_, f := s.find(folderID)
		return f != nil && f.HasChat(chatID)
	})
	if err != nil {
		return c.folderError(ctx, folderID, err)
	}
	if ans != nil {
		c.update(func(s *snapshot) {
			_, f := s.find(folderID)
			if f == nil || f.HasChat(chatID) {
				return
			}
			if len(s.foldersOf(chatID)) > 0 {
				s.stale = true // pinning here may have moved it out of another folder
			}
			f.Chats = append(f.Chats, s.chatsFor([]string{chatID})...)
			s.chatOrderUncertain[folderID] = true // the vendor does not say where a new pin goes
			s.touchUnchecked(folderID, ans.date)
		})
	}
	return nil
}

// UnpinChat unpins chatID from My Pins and from every folder (operation 10).
func (c *Client) UnpinChat(ctx context.Context, chatID string) error {
	unpinned := func(s *snapshot) bool { return len(s.foldersOf(chatID)) == 0 }
	ans, err := c.write(ctx, func() (call, error) {
		return call{op: OpUnpinChat, path: "/chats/" + chatID + "/pins"}, nil
	}, unpinned)
	if err != nil {
		return err
	}
	if ans != nil {
		c.update(func(s *snapshot) { s.removeChats([]string{chatID}, ans.date) })
	}
	return nil
}

// UnpinChats unpins chatIDs from every folder, MaxBulkUnpin ids a request (operation 3).
func (c *Client) UnpinChats(ctx context.Context, chatIDs []string) error {
	for chunk := range slices.Chunk(chatIDs, MaxBulkUnpin) {
		ids := slices.Clone(chunk)
		unpinned := func(s *snapshot) bool {
			for _, id := range ids {
				if len(s.foldersOf(id)) > 0 {
					return false
				}
			}
			return true
		}
		ans, err := c.write(ctx, func() (call, error) {
			return call{op: OpBulkUnpin, path: "/pin-categories", rawQuery: "chat_ids=" + strings.Join(ids, ",")}, nil
		}, unpinned)
		if err != nil {
			return err
		}
		if ans != nil {
			c.update(func(s *snapshot) { s.removeChats(ids, ans.date) })
		}
	}
	return nil
}

func (s *snapshot) removeChats(ids []string, date time.Time) {
	for i := range s.folders {
		f := &s.folders[i]
		n := len(f.Chats)
		f.Chats = slices.DeleteFunc(f.Chats, func(ch Chat) bool { return slices.Contains(ids, ch.ChatID) })
		if len(f.Chats) != n {
			s.touchUnchecked(f.ID, date)
		}
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

// RemovePin takes chatID out of folderID alone, never out of another folder. Removals that arrive
// together (Terraform destroys many pins in parallel) share requests: chats pinned nowhere else are
// unpinned in bulk (operation 3, 25 a request), the rest leave their folder with one replace
// (operation 8) per folder.
func (c *Client) RemovePin(ctx context.Context, folderID, chatID string) error {
	if folderID == "" {
		folderID = DefaultFolderID
	}
	return c.removals.submit(ctx, folderID, chatID)
}

type removal struct {
	ctx              context.Context
	folderID, chatID string
	done             chan error
}

type removalBatcher struct {
	c       *Client
	mu      sync.Mutex
	pending []*removal
	timer   *time.Timer
	last    int // size of the previous batch: Terraform tends to hand removals over in waves alike
}

func newRemovalBatcher(c *Client) *removalBatcher { return &removalBatcher{c: c} }

func (b *removalBatcher) submit(ctx context.Context, folderID, chatID string) error {
	r := &removal{ctx: ctx, folderID: folderID, chatID: chatID, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, r)
	switch {
	case b.last > 1 && len(b.pending) >= b.last || len(b.pending) >= MaxBulkUnpin:
		// As many as last time (or a full request): waiting longer is unlikely to gain more.
		if b.timer != nil {
			b.timer.Stop()
		}
		b.timer = nil
		go b.flushPending(b.takeLocked())
	case b.timer == nil:
		b.timer = time.AfterFunc(b.c.cfg.BatchDelay, b.flush)
	}
	b.mu.Unlock()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *removalBatcher) flush() {
	b.mu.Lock()
	batch := b.takeLocked()
	b.timer = nil
	b.mu.Unlock()
	b.flushPending(batch)
}

// takeLocked takes the pending removals as one batch; b.mu is held.
func (b *removalBatcher) takeLocked() []*removal {
	batch := b.pending
	b.pending = nil
	if len(batch) > 0 {
		b.last = len(batch)
	}
	return batch
}

func (b *removalBatcher) flushPending(batch []*removal) {
	if len(batch) == 0 {
		return
	}
	// The batch outlives no caller's logger, but must not die with the first caller's cancellation.
	ctx := context.WithoutCancel(batch[0].ctx)
	errs := b.c.removeBatch(ctx, batch)
	for _, r := range batch {
		r.done <- errs[r]
	}
}

// removeBatch carries out a batch of removals and reports each one's outcome.
func (c *Client) removeBatch(ctx context.Context, batch []*removal) map[*removal]error {
	errs := map[*removal]error{}
	if err := c.ensureSnapshot(ctx, nil); err != nil {
		for _, r := range batch {
			errs[r] = err
		}
		return errs
	}
	removing := map[string][]string{} // chat -> folders it leaves
	for _, r := range batch {
		if !slices.Contains(removing[r.chatID], r.folderID) {
			removing[r.chatID] = append(removing[r.chatID], r.folderID)
		}
	}
	var bulk []string
	perFolder := map[string][]string{}
	c.mu.Lock()
	for chat, leaving := range removing {
		pinnedIn := c.snap.foldersOf(chat)
		rest := slices.DeleteFunc(slices.Clone(pinnedIn), func(f string) bool { return slices.Contains(leaving, f) })
		switch {
		case len(pinnedIn) == 0:
			// already gone
		case len(rest) == 0:
			bulk = append(bulk, chat)
		default:
			for _, f := range leaving {
				if slices.Contains(pinnedIn, f) {
					perFolder[f] = append(perFolder[f], chat)
				}
			}
		}
	}
	c.mu.Unlock()
	slices.Sort(bulk)
	if len(bulk) > 0 && !c.budgets.hasFree(operations[OpBulkUnpin].class) {
		// The bulk unpin budget (20 a minute) is spent: taking each chat out of its folders with a
		// replace has the same effect, and a budget (50 a minute) of its own.
		c.mu.Lock()
		for _, chat := range bulk {
			for _, f := range c.snap.foldersOf(chat) {
				perFolder[f] = append(perFolder[f], chat)
			}
		}
		c.mu.Unlock()
		bulk = nil
	}

	groupErr := map[string]error{} // chat -> error
	folders := make([]string, 0, len(perFolder))
	for f := range perFolder {
		folders = append(folders, f)
	}
	slices.Sort(folders)
	for _, f := range folders {
		chats := perFolder[f]
		err := c.replaceChats(ctx, f, func(s *snapshot) []string {
			_, folder := s.find(f)
			if folder == nil {
				return nil
			}
			return slices.DeleteFunc(folder.ChatIDs(), func(id string) bool { return slices.Contains(chats, id) })
		})
		if err != nil && f == DefaultFolderID && !IsAmbiguous(err) && !isThrottle(err) {
			// Operation 8 on My Pins is undocumented: unpin the chats everywhere, then pin them back
			// where they were, at their positions.
			err = c.unpinAndRestore(ctx, chats, f)
		}
		if errors.Is(err, ErrFolderNotFound) {
			err = nil // the folder and so the pin are gone
		}
		for _, chat := range chats {
			if err != nil {
				groupErr[chat] = err
			}
		}
	}
	// Bulk unpins last: they change folders without a sync check, which would make a replace of the
	// same folder in this batch look stale and cost a re-read.
	if len(bulk) > 0 {
		if err := c.UnpinChats(ctx, bulk); err != nil {
			var apiErr *APIError
			if len(bulk) > 1 && errors.As(err, &apiErr) && apiErr.Status == 400 && !apiErr.IsThrottled() {
				// One chat may spoil a bulk request (say, one the user has left): unpin them one by
				// one so that each removal gets its own outcome.
				for _, chat := range bulk {
					groupErr[chat] = c.UnpinChat(ctx, chat)
				}
			} else {
				for _, chat := range bulk {
					groupErr[chat] = err
				}
			}
		}
	}
	for _, r := range batch {
		errs[r] = groupErr[r.chatID]
	}
	return errs
}

func isThrottle(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.IsThrottled()
}

// unpinAndRestore removes chats from folder leave only: it unpins them everywhere, then pins each
// back into its other folders, directly above the chat that followed it there.
func (c *Client) unpinAndRestore(ctx context.Context, chats []string, leave string) error {
	type place struct{ folder, above string }
	restore := map[string][]place{}
	c.mu.Lock()
	for _, chat := range chats {
		for _, f := range c.snap.folders {
			if f.ID == leave || !f.HasChat(chat) {
				continue
			}
			ids := f.ChatIDs()
			i := slices.Index(ids, chat)
			above := ""
			if i+1 < len(ids) {
				above = ids[i+1]
			}
			restore[chat] = append(restore[chat], place{f.ID, above})
		}
	}
	c.mu.Unlock()
	if err := c.UnpinChats(ctx, chats); err != nil {
		return err
	}
	for _, chat := range chats {
		for _, p := range restore[chat] {
			if err := c.PinChat(ctx, chat, p.folder); err != nil {
				return err
			}
			if err := c.ReorderChat(ctx, p.folder, chat, p.above); err != nil {
				return err
			}
		}
	}
	return nil
}
