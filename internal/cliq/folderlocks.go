package cliq

import (
	"slices"
	"sync"
)

// A replace (operation 8) sends a folder's whole list of chats, built from the client's knowledge,
// and Cliq accepts it when the folder did not change after last_sync_time. The client's own pin or
// unpin in the same folder, in flight while the replace is built, changes the folder within a
// second the client already counts as known (its own sync-checked write there), so Cliq would
// accept a list that lacks it, and the pin would be lost. So a replace holds its folder
// exclusively, and writes that change which chats folders hold without a sync check share theirs:
// unchecked writes still run in parallel with each other, and a replace is always built from
// knowledge that includes them.

// folderLock returns the lock of one folder.
func (c *Client) folderLock(id string) *sync.RWMutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.folderLocks == nil {
		c.folderLocks = map[string]*sync.RWMutex{}
	}
	l, ok := c.folderLocks[id]
	if !ok {
		l = &sync.RWMutex{}
		c.folderLocks[id] = l
	}
	return l
}

// holdFolder takes a folder exclusively, for a write whose request carries the folder's list.
func (c *Client) holdFolder(id string) (unlock func()) {
	l := c.folderLock(id)
	l.Lock()
	return l.Unlock
}

// shareFolders takes folders shared, for a write that changes which chats they hold without a sync
// check. Locks are taken in id order: one writer never holds more than one folder exclusively, so
// no two callers can wait on each other.
func (c *Client) shareFolders(ids ...string) (unlock func()) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	locks := make([]*sync.RWMutex, len(ids))
	for i, id := range ids {
		locks[i] = c.folderLock(id)
		locks[i].RLock()
	}
	return func() {
		for _, l := range locks {
			l.RUnlock()
		}
	}
}

// foldersHolding returns the folders the snapshot shows holding any of chatIDs, plus extra.
func (c *Client) foldersHolding(chatIDs []string, extra ...string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := slices.Clone(extra)
	if c.snap != nil {
		for _, chat := range chatIDs {
			ids = append(ids, c.snap.foldersOf(chat)...)
		}
	}
	return ids
}
