package cliq

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// Gathered pin changes (docs/dev/design.md, "Adds and removals gather"): Terraform hands over the
// pins of a folder in parallel, and those that wait together leave the folder together. Removals
// always leave by a proven replace (doc.go, rule 3). Adds may leave either way: a pin_chat each,
// which needs no proof, or one replace built from a read that proves the folder (rule 1) plus the
// adds. addsByReplace is the rule that chooses.

// listReserve is how many list reads a minute the choice leaves to others (plans, removals): a
// replace whose folder waits for a proving read is chosen only while more are free.
const listReserve = 2

// pinClaims counts the pin_chat slots that adds chosen to go as pins have been promised and
// not yet taken from the budget, so that folders choosing at the same moment do not count the same
// free slots twice.
type pinClaims struct {
	mu sync.Mutex
	n  int
}

// addsByReplace reports whether k adds into folderID, with no removal waiting there, leave in one
// replace (true) or as k pin_chats (false; their slots are then claimed until the pins take them,
// see claimFor). The rule, as docs/dev/design.md states it: a folder a read proves takes two or
// more adds, or one that pin_chat has no slot for, in one replace; a folder without proof takes
// them as pin_chats while that budget has a slot for each, else in one replace after the next
// proving read; a replace is chosen only while the folder PUT budget has a slot (and, to wait for
// a read, the list budget more than listReserve).
func (c *Client) addsByReplace(ctx context.Context, folderID string, k int) bool {
	replace := false
	if folderID != DefaultFolderID || !c.myPinsRefusesReplace.Load() {
		c.mu.Lock()
		proven := c.proves(c.snap, folderID)
		c.mu.Unlock()
		c.claims.mu.Lock()
		defer c.claims.mu.Unlock()
		pinRoom := c.budgets.free(ctx, OpPinChat)-c.claims.n >= k
		putRoom := c.budgets.free(ctx, OpReplaceChats) > 0
		if proven {
			replace = putRoom && (k > 1 || !pinRoom)
		} else {
			replace = putRoom && !pinRoom && c.budgets.free(ctx, OpListFolders) > listReserve
		}
		if !replace {
			c.claims.n += k
		}
		return replace
	}
	c.claims.mu.Lock()
	c.claims.n += k
	c.claims.mu.Unlock()
	return replace
}

// claimFor returns ctx carrying one claimed pin_chat slot, given back (once) when the pin's
// request takes its slot from the budget, or when the pin returns without sending one.
func (c *Client) claimFor(ctx context.Context) (context.Context, func()) {
	var once sync.Once
	unclaim := func() {
		once.Do(func() {
			c.claims.mu.Lock()
			c.claims.n--
			c.claims.mu.Unlock()
		})
	}
	return context.WithValue(ctx, slotClaimKey{}, unclaim), unclaim
}

type slotClaimKey struct{}

// slotTaken gives back the pin_chat slot claim that ctx carries, if any, once a pin_chat took its
// slot (transport.go: do).
func slotTaken(ctx context.Context, op Operation) {
	if unclaim, ok := ctx.Value(slotClaimKey{}).(func()); ok && op == OpPinChat {
		unclaim()
	}
}

// carryChanges carries out the changes gathered for one folder, adds and removals, and reports
// each outcome. A replace's requests leave only for callers still waiting: when one goes, the
// request is stopped and made again for the others (doc.go, rule 5).
func (c *Client) carryChanges(folderID string, changes []*pinChange) {
	for {
		live := waiting(changes)
		if len(live) == 0 {
			return
		}
		adds, removals := netChanges(live)
		if len(adds) > 0 && len(removals) == 0 {
			ctx, done := jointContext(live)
			replace := c.addsByReplace(ctx, folderID, len(live))
			done()
			if !replace {
				c.pinEach(live, true)
				return
			}
		}
		if (folderID != DefaultFolderID || !c.myPinsRefusesReplace.Load()) && (len(adds) > 0 || c.mayHold(folderID, removals)) {
			// Wait for what the replace waits for anyway, a read that proves the folder and a slot
			// of the folder PUT budget, before building it: the changes that arrive meanwhile leave
			// in it too. (Another folder may take the slot first: the replace then waits again.)
			if live = c.gatherWhileWaiting(folderID, live); len(live) == 0 {
				return
			}
			adds, removals = netChanges(live)
		}
		ctx, done := jointContext(live)
		callers := make([]context.Context, len(live))
		for i, p := range live {
			callers[i] = p.ctx
		}
		f := newFlight(callers)
		for _, p := range live {
			p.carriedBy(f)
		}
		var unplaced []string
		var err error
		if len(adds) == 0 {
			err = c.takeOut(withFlight(ctx, f), folderID, removals)
		} else {
			unplaced, err = c.replaceWith(withFlight(ctx, f), folderID, adds, removals)
		}
		cancelled := ctx.Err() != nil || f.isStopped()
		done()
		if err != nil && cancelled {
			changes = live // waiting() finishes the callers that left; the rest try again
			continue
		}
		var pins []*pinChange
		for _, p := range live {
			switch {
			case p.add && slices.Contains(unplaced, p.chatID):
				pins = append(pins, p)
			case !p.add && errors.Is(err, ErrFolderNotFound):
				p.done <- nil // the folder and so the pin are gone
			default:
				p.done <- err
			}
		}
		c.pinEach(pins, false)
		return
	}
}

// gatherWhileWaiting waits until the folder is proven and the folder PUT budget has a free slot,
// or until a caller leaves, and returns the changes still waiting: live and those that arrived
// for the folder meanwhile. A wait that fails is not reported: the replace meets it again.
func (c *Client) gatherWhileWaiting(folderID string, live []*pinChange) []*pinChange {
	ctx, done := jointContext(live)
	defer done()
	c.mu.Lock()
	proven := c.proves(c.snap, folderID)
	c.mu.Unlock()
	if proven || c.prove(ctx, folderID) == nil {
		_ = c.budgets.awaitSlot(ctx, OpReplaceChats)
	}
	return waiting(append(live, c.gathered.take(folderID)...))
}

// mayHold reports whether the folder may hold any of chats: unless a current read shows it
// holding none of them (then no request is needed, and none is waited for).
func (c *Client) mayHold(folderID string, chats []string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap == nil || c.snap.stale {
		return true
	}
	_, f := c.snap.find(folderID)
	return f != nil && (f.chatsUnlisted || slices.ContainsFunc(chats, f.HasChat))
}

// netChanges returns the chats to add and to take out, each chat changed as its last change in
// arrival order says (concurrent changes of one chat may land in any order).
func netChanges(changes []*pinChange) (adds, removals []string) {
	last := map[string]bool{}
	var order []string
	for _, p := range changes {
		if _, seen := last[p.chatID]; !seen {
			order = append(order, p.chatID)
		}
		last[p.chatID] = p.add
	}
	for _, id := range order {
		if last[id] {
			adds = append(adds, id)
		} else {
			removals = append(removals, id)
		}
	}
	return adds, removals
}

// pinEach pins every change's chat with its own pin_chat, side by side, each for its own caller,
// and returns once all have answered. claimed says whether addsByReplace claimed their slots.
func (c *Client) pinEach(changes []*pinChange, claimed bool) {
	var wg sync.WaitGroup
	for _, p := range changes {
		// Its own flight: a caller that leaves while its pin is on the wire waits for the
		// answer, one that left before stops it (doc.go, rule 5).
		f := newFlight([]context.Context{p.ctx})
		p.carriedBy(f)
		ctx, unclaim := withFlight(p.ctx, f), func() {}
		if claimed {
			ctx, unclaim = c.claimFor(ctx)
		}
		wg.Go(func() {
			defer unclaim()
			p.done <- c.PinChat(ctx, p.chatID, p.folderID)
		})
	}
	wg.Wait()
}

// replaceWith takes removals out of folderID and adds adds to it, in one replace of its chats
// built from a read that proves the folder (doc.go, rules 1 and 3): the folder's chats as the read
// shows them, less removals, then adds at the end. It returns the adds it could not carry
// (unplaced), which the caller pins one by one: those beyond MaxReplaceChats, and all of them where
// no replace of the folder can be proven (a folder listed without its chats, a read without a
// Date) or where Cliq refuses to replace My Pins. err is the outcome of everything else.
func (c *Client) replaceWith(ctx context.Context, folderID string, adds, removals []string) (unplaced []string, err error) {
	if folderID == DefaultFolderID && c.myPinsRefusesReplace.Load() {
		if len(removals) > 0 {
			err = c.unpinFromMyPins(ctx, removals)
		}
		return adds, err
	}
	// A chat added here must not land while an unpin of it from My Pins (which reaches every
	// folder) is under way: the chats' turns, in one order so that two replaces never wait on
	// each other.
	sorted := slices.Sorted(slices.Values(adds))
	for _, id := range sorted {
		release, err := c.chatTurns.take(ctx, id)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	var sent []string
	err = c.checked(ctx, folderID,
		func(s *snapshot, lastSync string) (call, bool) {
			_, f := s.find(folderID)
			if f == nil {
				return call{}, false
			}
			current := f.ChatIDs()
			keep := slices.DeleteFunc(slices.Clone(current), func(id string) bool { return slices.Contains(removals, id) })
			unplaced = nil
			for _, id := range adds {
				switch {
				case slices.Contains(keep, id):
				case len(keep) < MaxReplaceChats:
					keep = append(keep, id)
				default:
					unplaced = append(unplaced, id)
				}
			}
			if slices.Equal(keep, current) {
				return call{}, false // everything is in place already
			}
			sent = keep
			return call{op: OpReplaceChats, path: folderPath(folderID),
				body: replaceChatsRequest{ChatIDs: sent, LastSyncTime: lastSync}}, true
		},
		func(s *snapshot, ans *answer) {
			_, f := s.find(folderID)
			if f == nil {
				return
			}
			for _, id := range sent {
				if f.HasChat(id) {
					continue
				}
				// Under one reading, pinning it here moved it out of the folders that held it:
				// the client's own change there too (rule 1).
				for _, other := range s.foldersOf(id) {
					c.noteChange(other, ans.date)
					s.stale = true
				}
			}
			f.Chats = s.chatsFor(sent)
			s.chatOrderUncertain[folderID] = false
		})
	if err == nil {
		// The folder is gone (nothing sent) or the replace landed.
		c.mu.Lock()
		_, f := c.snap.find(folderID)
		c.mu.Unlock()
		if f == nil {
			return nil, ErrFolderNotFound
		}
		return unplaced, nil
	}
	var apiErr *APIError
	switch {
	case folderID == DefaultFolderID && errors.As(err, &apiErr) && apiErr.Status == 400 && apiErr.Code == CodeOperationNotAllowed:
		// Operation 8 on My Pins is undocumented, and Cliq may refuse it.
		c.myPinsRefusesReplace.Store(true)
		if len(removals) > 0 {
			err = c.unpinFromMyPins(ctx, removals)
		} else {
			err = nil
		}
		return adds, err
	case errors.Is(err, errUndated), errors.Is(err, errUnlisted):
		// No proof can be had: the adds go as pins, which need none; removals cannot.
		if len(removals) == 0 {
			err = nil
		}
		return adds, err
	case errors.Is(err, ErrFolderNotFound):
		return nil, err
	}
	return nil, c.folderError(ctx, folderID, err)
}
