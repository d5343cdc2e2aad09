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
	defer c.shareFolders(c.foldersHolding([]string{chatID}, folderID)...)()
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
	defer c.shareFolders(c.foldersHolding([]string{chatID})...)()
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
		unlock := c.shareFolders(c.foldersHolding(ids)...)
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
		if err == nil && ans != nil {
			c.update(func(s *snapshot) { s.removeChats(ids, ans.date) })
		}
		unlock()
		if err != nil {
			return err
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

// MaxReplaceChats is the most chat ids one replace request (operation 8) may carry.
const MaxReplaceChats = 100

// AddPin pins chatID into folderID, or into My Pins when folderID is "" or "default", like PinChat.
// Pins that arrive together (Terraform creates many in parallel) share requests: several pins into
// one folder become one replace of its chats (operation 8), and when the pin budget (operation 9) is
// spent, pins go through the replace budget rather than wait, so that both budgets work at once.
func (c *Client) AddPin(ctx context.Context, folderID, chatID string) error {
	if folderID == "" {
		folderID = DefaultFolderID
	}
	return c.additions.submit(ctx, folderID, chatID)
}

// addBatch carries out a batch of pins and reports each one's outcome.
func (c *Client) addBatch(ctx context.Context, batch []*pinChange) map[*pinChange]error {
	errs := map[*pinChange]error{}
	if err := c.ensureSnapshot(ctx, nil); err != nil {
		for _, p := range batch {
			errs[p] = err
		}
		return errs
	}
	adding := map[string][]string{} // folder -> chats to pin there, in arrival order
	var folders []string
	var moving [][2]string // folder, chat: chats pinned elsewhere, through pin_chat
	c.mu.Lock()
	for _, p := range batch {
		_, f := c.snap.find(p.folderID)
		switch {
		case f == nil:
			errs[p] = fmt.Errorf("%w: %s", ErrFolderNotFound, p.folderID)
		case f.HasChat(p.chatID) || slices.Contains(adding[p.folderID], p.chatID) || slices.Contains(moving, [2]string{p.folderID, p.chatID}):
		case len(c.snap.foldersOf(p.chatID)) > 0:
			// Whether pinning a chat that is pinned elsewhere moves it is open: pin_chat's effect is
			// then read back, a replace's would be guessed.
			moving = append(moving, [2]string{p.folderID, p.chatID})
		default:
			if adding[p.folderID] == nil {
				folders = append(folders, p.folderID)
			}
			adding[p.folderID] = append(adding[p.folderID], p.chatID)
		}
	}
	c.mu.Unlock()
	slices.SortStableFunc(folders, func(a, b string) int { return len(adding[b]) - len(adding[a]) })

	// Several pins into one folder: one replace. Then single pins while their budget lasts, then
	// replaces, and what is left waits for the pin budget. blocked lists the folders that only the
	// client's own unchecked writes keep from a replace.
	plan := func() (replaces []string, pins [][2]string, blocked []string) {
		pins = slices.Clone(moving)
		c.mu.Lock()
		replaceable := map[string]bool{}
		for _, id := range folders {
			_, f := c.snap.find(id)
			fits := f != nil && id != DefaultFolderID && // operation 8 on My Pins is undocumented
				len(f.Chats)+len(adding[id]) <= MaxReplaceChats
			replaceable[id] = fits && !c.snap.syncCheckFails(id) // else a refused request and a read
			if fits && !replaceable[id] {
				blocked = append(blocked, id)
			}
		}
		c.mu.Unlock()
		pinFree, replaceFree := c.budgets.free(OpPinChat)-len(pins), c.budgets.free(OpReplaceChats)
		for _, id := range folders {
			chats := adding[id]
			switch {
			case replaceable[id] && len(chats) > 1 && replaceFree > 0:
				replaces = append(replaces, id)
				replaceFree--
			case len(chats) <= pinFree || !replaceable[id] || replaceFree == 0:
				for _, chat := range chats {
					pins = append(pins, [2]string{id, chat})
				}
				pinFree -= len(chats)
			default:
				replaces = append(replaces, id)
				replaceFree--
			}
		}
		if pinFree >= 0 || replaceFree == 0 {
			blocked = nil // nothing waits, or a replace could not take it anyway
		}
		return replaces, pins, blocked
	}
	replaces, pins, blocked := plan()
	if len(blocked) > 0 && c.readPastOwnUncheckedWrites(ctx, blocked) {
		replaces, pins, _ = plan()
	}

	var mu sync.Mutex
	chatErr := map[[2]string]error{}
	var wg sync.WaitGroup
	for _, id := range replaces {
		wg.Go(func() {
			chats := adding[id]
			err := c.replaceChats(ctx, id, func(s *snapshot) []string {
				_, f := s.find(id)
				if f == nil {
					return nil
				}
				ids := f.ChatIDs()
				for _, chat := range chats {
					if !slices.Contains(ids, chat) {
						ids = append(ids, chat)
					}
				}
				return ids
			})
			var apiErr *APIError
			if err != nil && errors.As(err, &apiErr) && apiErr.Status == 400 && !apiErr.IsThrottled() {
				// One chat may spoil the request (say, one the user is not in): pin them one by one
				// so that each gets its own outcome.
				for _, chat := range chats {
					e := c.PinChat(ctx, chat, id)
					mu.Lock()
					chatErr[[2]string{id, chat}] = e
					mu.Unlock()
				}
				return
			}
			mu.Lock()
			for _, chat := range chats {
				chatErr[[2]string{id, chat}] = err
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	// Pins after the replaces: a pin is not sync-checked, and would make a replace of the same
	// folder in this batch look stale.
	for _, p := range pins {
		wg.Go(func() {
			err := c.PinChat(ctx, p[1], p[0])
			mu.Lock()
			chatErr[p] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, p := range batch {
		if _, failed := errs[p]; !failed {
			errs[p] = chatErr[[2]string{p.folderID, p.chatID}]
		}
	}
	return errs
}

// RemovePin takes chatID out of folderID alone, never out of another folder. Removals that arrive
// together (Terraform destroys many pins in parallel) share requests: chats pinned nowhere else are
// unpinned in bulk (operation 3, 25 a request), the rest leave their folder with one replace
// (operation 8) per folder. When the bulk budget is spent, chats are unpinned one by one (operation
// 10) or by replaces, as those budgets allow, rather than wait.
func (c *Client) RemovePin(ctx context.Context, folderID, chatID string) error {
	if folderID == "" {
		folderID = DefaultFolderID
	}
	return c.removals.submit(ctx, folderID, chatID)
}

// removeBatch carries out a batch of removals and reports each one's outcome.
func (c *Client) removeBatch(ctx context.Context, batch []*pinChange) map[*pinChange]error {
	errs := map[*pinChange]error{}
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
	var bulk, single []string
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
	if len(bulk) > 0 && c.budgets.free(OpBulkUnpin) == 0 {
		// The bulk budget (20 a minute) is spent: unpinning each chat alone (operation 10), or
		// taking it out of its folders with a replace, has the same effect, each with a budget (50
		// a minute) of its own. What neither can take now waits for the bulk budget.
		n := min(len(bulk), c.budgets.free(OpUnpinChat))
		single, bulk = bulk[:n], bulk[n:]
		spread := func() (blocked []string) {
			replaceFree := c.budgets.free(OpReplaceChats) - len(perFolder)
			c.mu.Lock()
			defer c.mu.Unlock()
			bulk = slices.DeleteFunc(bulk, func(chat string) bool {
				in := c.snap.foldersOf(chat)
				var extra int
				for _, f := range in {
					if f == DefaultFolderID {
						return false
					}
					if c.snap.syncCheckFails(f) {
						blocked = append(blocked, f)
						return false
					}
					if _, ok := perFolder[f]; !ok {
						extra++
					}
				}
				if extra > replaceFree {
					return false
				}
				replaceFree -= extra
				for _, f := range in {
					perFolder[f] = append(perFolder[f], chat)
				}
				return true
			})
			if replaceFree <= 0 {
				return nil
			}
			return blocked
		}
		if blocked := spread(); len(blocked) > 0 && c.readPastOwnUncheckedWrites(ctx, blocked) {
			spread()
		}
	}

	var mu sync.Mutex
	groupErr := map[string]error{} // chat -> error
	setErr := func(chat string, err error) {
		if err == nil {
			return
		}
		mu.Lock()
		groupErr[chat] = err
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for f, chats := range perFolder {
		wg.Go(func() {
			err := c.replaceChats(ctx, f, func(s *snapshot) []string {
				_, folder := s.find(f)
				if folder == nil {
					return nil
				}
				return slices.DeleteFunc(folder.ChatIDs(), func(id string) bool { return slices.Contains(chats, id) })
			})
			if err != nil && f == DefaultFolderID && !IsAmbiguous(err) && !isThrottle(err) {
				// Operation 8 on My Pins is undocumented: unpin the chats everywhere, then pin them
				// back where they were, at their positions.
				err = c.unpinAndRestore(ctx, chats, f)
			}
			if errors.Is(err, ErrFolderNotFound) {
				err = nil // the folder and so the pin are gone
			}
			for _, chat := range chats {
				setErr(chat, err)
			}
		})
	}
	wg.Wait()
	// Unpins last: they change folders without a sync check, which would make a replace of the
	// same folder in this batch look stale and cost a re-read.
	for _, chat := range single {
		wg.Go(func() { setErr(chat, c.UnpinChat(ctx, chat)) })
	}
	if len(bulk) > 0 {
		wg.Go(func() {
			err := c.UnpinChats(ctx, bulk)
			var apiErr *APIError
			if len(bulk) > 1 && errors.As(err, &apiErr) && apiErr.Status == 400 && !apiErr.IsThrottled() {
				// One chat may spoil a bulk request (say, one the user has left): unpin them one by
				// one so that each removal gets its own outcome.
				for _, chat := range bulk {
					setErr(chat, c.UnpinChat(ctx, chat))
				}
				return
			}
			for _, chat := range bulk {
				setErr(chat, err)
			}
		})
	}
	wg.Wait()
	for _, r := range batch {
		errs[r] = groupErr[r.chatID]
	}
	return errs
}

// listReserve is how much of the list budget (20 a minute) reads that only save waiting may use:
// the rest stays for the reads that a run needs.
const listReserve = 10

// readPastOwnUncheckedWrites reads the list again so that a replace of folders can be sync-checked
// after the client's own pins or unpins there (see snapshot.syncCheckFails): a read in a later
// second covers them. It is worth one list request when the alternative is waiting for a spent
// budget, and only while the list budget has room to spare. It reports whether the folders are
// clear now.
func (c *Client) readPastOwnUncheckedWrites(ctx context.Context, folders []string) bool {
	covered := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return !slices.ContainsFunc(folders, c.snap.syncCheckFails)
	}
	for try := 0; try < 2; try++ {
		if c.budgets.free(OpListFolders) <= listReserve {
			return false
		}
		if try > 0 {
			// The read fell in the same second as the write: Date headers have seconds granularity.
			if err := c.sleep(ctx, time.Second); err != nil {
				return false
			}
		}
		if err := c.Refresh(ctx); err != nil {
			return false
		}
		if covered() {
			return true
		}
	}
	return false
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
