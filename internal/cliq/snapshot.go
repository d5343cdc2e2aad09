package cliq

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// snapshot is the client's knowledge of the account: the folder list of its last read, with every
// write the client made since applied in place, so that one read serves a whole Terraform run.
type snapshot struct {
	folders []Folder // display order, the default folder first

	// folderSync and orderSync are the client's latest knowledge of each folder and of the folder
	// order, on the server's clock: the Date of the last read, advanced by each write the client
	// made itself. They become last_sync_time.
	folderSync map[string]time.Time
	orderSync  time.Time

	// uncheckedAt is the second of the client's latest write to each folder that Cliq did not check
	// against last_sync_time (see touchUnchecked), until a later read covers it.
	uncheckedAt map[string]time.Time

	// What the client cannot know without reading again: where Cliq put a new folder or a new pin,
	// or whether an operation whose effect the vendor leaves open touched other folders.
	orderUncertain     bool
	chatOrderUncertain map[string]bool
	stale              bool
}

func (s *snapshot) find(id string) (int, *Folder) {
	for i := range s.folders {
		if s.folders[i].ID == id {
			return i, &s.folders[i]
		}
	}
	return -1, nil
}

func (s *snapshot) foldersOf(chatID string) []string {
	var ids []string
	for _, f := range s.folders {
		if f.HasChat(chatID) {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

func copyFolders(in []Folder) []Folder {
	out := make([]Folder, len(in))
	for i, f := range in {
		out[i] = f
		out[i].Chats = slices.Clone(f.Chats)
	}
	return out
}

// ownWriteSync is the knowledge a write answered at date gives: the Date header has seconds
// granularity and the write committed within that second, so the folder is known up to its end.
func ownWriteSync(date time.Time) time.Time { return date.Truncate(time.Second).Add(time.Second) }

func formatSync(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// ListFolders returns every folder in display order, the default folder first, with their chats.
// All callers share one read: it is fetched once and kept current by the client's own writes.
func (c *Client) ListFolders(ctx context.Context) ([]Folder, error) {
	exact := func(s *snapshot) bool {
		if s.orderUncertain {
			return false
		}
		for _, u := range s.chatOrderUncertain {
			if u {
				return false
			}
		}
		return true
	}
	if err := c.ensureSnapshot(ctx, exact); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return copyFolders(c.snap.folders), nil
}

// GetFolder returns one folder from the shared read; ok is false when it does not exist.
func (c *Client) GetFolder(ctx context.Context, id string) (Folder, bool, error) {
	return c.folder(ctx, id, true)
}

// folder returns one folder from the shared read. With exactOrder, it reads again first if the
// client's own writes left the order of the folder's chats unknown; membership is always exact.
func (c *Client) folder(ctx context.Context, id string, exactOrder bool) (Folder, bool, error) {
	if err := c.ensureSnapshot(ctx, func(s *snapshot) bool { return !exactOrder || !s.chatOrderUncertain[id] }); err != nil {
		return Folder{}, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, f := c.snap.find(id)
	if f == nil {
		return Folder{}, false, nil
	}
	out := *f
	out.Chats = slices.Clone(f.Chats)
	return out, true, nil
}

// ListFoldersDetailed reads the list again with extra detail per chat. It is a read of its own
// (the shared read has no detail), and refreshes the shared read as a side effect.
func (c *Client) ListFoldersDetailed(ctx context.Context, inc IncludeFields) ([]Folder, error) {
	if !inc.Recipients && !inc.LastMessage {
		return c.ListFolders(ctx)
	}
	folders, err := c.fetch(ctx, inc)
	if err != nil {
		return nil, err
	}
	return copyFolders(folders), nil
}

// Refresh reads the list again, for when the caller knows the shared read is out of date.
func (c *Client) Refresh(ctx context.Context) error {
	_, err := c.fetch(ctx, IncludeFields{})
	return err
}

// ensureSnapshot reads the list unless the client has a current snapshot that good (if not nil)
// accepts.
func (c *Client) ensureSnapshot(ctx context.Context, good func(*snapshot) bool) error {
	c.mu.Lock()
	have := c.snap != nil && !c.snap.stale && (good == nil || good(c.snap))
	c.mu.Unlock()
	if have {
		return nil
	}
	return c.Refresh(ctx)
}

// fetch reads the folder list. Concurrent callers share the request in flight.
func (c *Client) fetch(ctx context.Context, inc IncludeFields) ([]Folder, error) {
	q := inc.query()
	v, err, _ := c.fetches.Do(q, func() (any, error) {
		c.mu.Lock()
		writes := c.writes
		c.mu.Unlock()
		ans, err := c.do(ctx, call{op: OpListFolders, path: "/pin-categories", rawQuery: "include_fields=" + q})
		if err != nil {
			return nil, err
		}
		var lr listResponse
		if err := ans.decode(OpListFolders, &lr); err != nil {
			return nil, err
		}
		c.installSnapshot(ctx, lr.Data, ans.date, writes)
		return lr.Data, nil
	})
	if err != nil {
		return nil, err
	}
	folders, _ := v.([]Folder)
	return folders, nil
}

// installSnapshot makes a read the client's knowledge. writes is the client's write count when the
// read began. The gate keeps writes and reads from overlapping on the wire, not from overtaking each
// other afterwards: a write answered after the read left the wire may have applied its effect to the
// old snapshot before this one replaces it, and the read does not show that effect. Those effects
// are applied again to the new snapshot (they are idempotent, as a write answered before the read
// may also apply its effect after it); should the journal no longer hold them all, the snapshot is
// marked stale and the next caller reads again, rather than miss, say, a folder just created.
func (c *Client) installSnapshot(ctx context.Context, folders []Folder, date time.Time, writes uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The default folder comes first; make sure it is there even if an answer omits it.
	if i := slices.IndexFunc(folders, func(f Folder) bool { return f.IsDefault() }); i < 0 {
		folders = append([]Folder{{ID: DefaultFolderID}}, folders...)
	} else if i > 0 {
		d := folders[i]
		folders = append([]Folder{d}, slices.Delete(slices.Clone(folders), i, i+1)...)
	}
	// The shared read keeps no per-chat detail. Strip it from a copy: the caller (a detailed read)
	// returns the answer's own folders, detail included.
	folders = copyFolders(folders)
	for i := range folders {
		for j := range folders[i].Chats {
			folders[i].Chats[j].RecipientsSummary = nil
			folders[i].Chats[j].LastMessageInfo = nil
		}
	}
	s := &snapshot{folders: folders, folderSync: map[string]time.Time{}, orderSync: date,
		chatOrderUncertain: map[string]bool{}, uncheckedAt: map[string]time.Time{}}
	for _, f := range folders {
		s.folderSync[f.ID] = date
		if old := c.snap; old != nil {
			if old.folderSync[f.ID].After(date) {
				// Our own write in the same second as this read is already known.
				s.folderSync[f.ID] = old.folderSync[f.ID]
			}
			if u, ok := old.uncheckedAt[f.ID]; ok && !u.Before(date.Truncate(time.Second)) {
				s.uncheckedAt[f.ID] = u // a read in the same second does not cover it
			}
		}
	}
	if c.snap != nil && c.snap.orderSync.After(date) {
		s.orderSync = c.snap.orderSync
	}
	overtaken := c.writes - writes
	if overtaken > 0 {
		if len(c.journal) > 0 && c.journal[0].seq <= writes+1 {
			for _, j := range c.journal {
				if j.seq > writes {
					j.fn(s)
				}
			}
		} else {
			s.stale = true
		}
	}
	c.snap = s
	tflog.SubsystemDebug(c.logContext(ctx), logSubsystem, "Read the folder list", map[string]any{"folders": len(folders), "writes_applied_again": overtaken})
}

// lastSync is the last_sync_time for a change to folderID ("" for the folder order).
func (c *Client) lastSync(ctx context.Context, folderID string) (string, error) {
	if err := c.ensureSnapshot(ctx, nil); err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if folderID == "" {
		return formatSync(c.snap.orderSync), nil
	}
	t, ok := c.snap.folderSync[folderID]
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrFolderNotFound, folderID)
	}
	return formatSync(t), nil
}

// journaled is a write's effect on the snapshot, kept for reads that it overtakes.
type journaled struct {
	seq uint64
	fn  func(*snapshot)
}

const journalSize = 256

// update applies a write's effect to the snapshot, if there is one, and journals it.
func (c *Client) update(fn func(s *snapshot)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes++
	c.journal = append(c.journal, journaled{seq: c.writes, fn: fn})
	if n := len(c.journal); n > journalSize {
		c.journal = slices.Clone(c.journal[n-journalSize:])
	}
	if c.snap != nil {
		fn(c.snap)
	}
}

// touchUnchecked records a write that changed which chats a folder holds without Cliq checking
// last_sync_time (pin, unpin, chats moved by a delete). Success proves nothing about changes others
// made in the same second, so the knowledge advances only to the start of that second: a later
// sync-checked write then either passes or re-reads, and never overwrites a pin someone else made
// in that second.
func (s *snapshot) touchUnchecked(folderID string, date time.Time) {
	t := date.Truncate(time.Second)
	if t.After(s.folderSync[folderID]) {
		s.folderSync[folderID] = t
	}
	if s.uncheckedAt == nil {
		s.uncheckedAt = map[string]time.Time{}
	}
	if t.After(s.uncheckedAt[folderID]) {
		s.uncheckedAt[folderID] = t
	}
}

// syncCheckFails reports whether a sync-checked write to folderID would now be answered
// client_not_synced: the client's own unchecked write changed the folder no earlier than the second
// of the last_sync_time it would send, and no read or checked write since covers it.
func (s *snapshot) syncCheckFails(folderID string) bool {
	u, ok := s.uncheckedAt[folderID]
	return ok && !s.folderSync[folderID].After(u)
}

func (s *snapshot) touch(folderID string, date time.Time) {
	if t := ownWriteSync(date); t.After(s.folderSync[folderID]) {
		s.folderSync[folderID] = t
	}
}

func (s *snapshot) touchOrder(date time.Time) {
	if t := ownWriteSync(date); t.After(s.orderSync) {
		s.orderSync = t
	}
}

// chatsFor builds chat entries for ids, with the details seen in the snapshot where known.
func (s *snapshot) chatsFor(ids []string) []Chat {
	known := map[string]Chat{}
	for _, f := range s.folders {
		for _, ch := range f.Chats {
			known[ch.ChatID] = ch
		}
	}
	out := make([]Chat, len(ids))
	for i, id := range ids {
		if ch, ok := known[id]; ok {
			out[i] = ch
		} else {
			out[i] = Chat{ChatID: id}
		}
	}
	return out
}

// write sends the call that build makes. When its outcome is unknown, or Cliq finds the client's
// view stale (client_not_synced), it reads the list again: if done reports the change in place it
// stops, else it builds the call afresh (with a new last_sync_time) and sends it again, a bounded
// number of times. It returns a nil answer when the change was found in place.
func (c *Client) write(ctx context.Context, build func() (call, error), done func(*snapshot) bool) (*answer, error) {
	var lastErr error
	for attempt := 0; attempt <= maxRetries; attempt++ {
		cl, err := build()
		if err != nil {
			return nil, err
		}
		ans, err := c.do(ctx, cl)
		if err == nil {
			return ans, nil
		}
		if !errIsRetryableAfterRead(err) {
			return nil, err
		}
		lastErr = err
		tflog.SubsystemInfo(c.logContext(ctx), logSubsystem, "Re-reading the folder list to settle a write", map[string]any{
			"operation": string(cl.op), "reason": err.Error(), "attempt": attempt + 1,
		})
		wait := c.cfg.RetryBaseDelay << attempt
		if HasCode(err, CodeClientNotSynced) {
			// Wait past the second of the conflicting change: Date headers have seconds granularity,
			// so a read within that second would still look older than the change.
			wait = max(wait, time.Second)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
		if err := c.Refresh(ctx); err != nil {
			return nil, err
		}
		if done != nil {
			c.mu.Lock()
			ok := done(c.snap)
			c.mu.Unlock()
			if ok {
				return nil, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: %w", errNotConverged, lastErr)
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Invalidate makes the next read fetch the list again. The provider calls it when a new Terraform
// run configures a client it reuses, so that no run starts from another run's knowledge.
func (c *Client) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != nil {
		c.snap.stale = true
	}
}
