package cliq

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/singleflight"
)

// snapshot is the client's knowledge of the account: the folder list of its last read, with the
// effect of every write the client made since applied in place, so that one read serves a whole
// Terraform run. A snapshot is replaced whole by the next read and never merged with one.
type snapshot struct {
	folders []Folder // display order, the default folder first

	// sync is, per folder id and "" for the folder order, the last_sync_time that a sync-checked
	// write may carry (doc.go, rule 1): the Date of the read that made this snapshot, less
	// readMargin. Only a read sets it. It proves the folder as the read showed it, so a write
	// built on it is sent only while the client made no change of its own there since (see
	// Client.changes); Cliq refuses it if anybody else did.
	sync map[string]time.Time

	// What the client cannot know without reading again: where Cliq put a new folder or a new pin,
	// or whether an operation whose effect the vendor leaves open touched other folders.
	orderUncertain     bool
	chatOrderUncertain map[string]bool
	stale              bool

	// undated is set when the read's answer carried no Date: the local clock proves nothing about
	// Cliq's, so the snapshot proves no folder (sync stays empty).
	undated bool

	// readAt is when the read was installed (local clock): a create compares with a recent read
	// only (CreateFolder).
	readAt time.Time
}

// readMargin is how much earlier than its Date a read's proof starts. Cliq reads the list at some
// moment R and stamps its answer's Date, in whole seconds, less than a second later: Date is at
// most floor(R)+1s. A change made after R must be later than the proof even where Cliq compares
// only whole seconds (floor(change) > last_sync_time): floor(change) >= floor(R) >= Date-1s, so the
// proof must be earlier than Date-1s. Two seconds hold for either precision; the cost is that a
// read proves the client's own write only from three seconds after it (noteChange).
const readMargin = 2 * time.Second

// change records the latest change the client knows it made to a folder, or that Cliq reported
// (client_not_synced), which the snapshot's proof of that folder does not show.
type change struct {
	at        time.Time // server clock, whole seconds: a proof must be later than this
	readAfter time.Time // local clock: a read sent from then on is late enough to prove it
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

// fetch reads the folder list, sharing the request in flight with concurrent callers (shared).
func (c *Client) fetch(ctx context.Context, inc IncludeFields) ([]Folder, error) {
	q := inc.query()
	return shared(ctx, &c.reads, q, func() ([]Folder, error) { return c.read(ctx, q) })
}

// shared runs send once for every concurrent caller with the same key. Each caller waits only as
// long as its own context lasts; when the caller whose send went out is cancelled, the others send
// again rather than fail with it. send runs with the context of the caller that sends it.
func shared[T any](ctx context.Context, g *singleflight.Group, key string, send func() (T, error)) (T, error) {
	var zero T
	for {
		ch := g.DoChan(key, func() (any, error) { return send() })
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case r := <-ch:
			if r.Err != nil && ctx.Err() == nil && isCancellation(r.Err) {
				continue // the caller that sent it was cancelled, not this one
			}
			if r.Err != nil {
				return zero, r.Err
			}
			v, _ := r.Val.(T)
			return v, nil
		}
	}
}

func isCancellation(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// read sends one list read and installs it as the snapshot, inside the gate (doc.go, rule 2).
func (c *Client) read(ctx context.Context, query string) ([]Folder, error) {
	var folders []Folder
	var decodeErr error
	_, err := c.do(ctx, call{op: OpListFolders, path: foldersPath, rawQuery: "include_fields=" + query,
		settle: func(ans *answer) {
			var lr listResponse
			if decodeErr = ans.decode(OpListFolders, &lr); decodeErr == nil {
				folders = lr.Data
				c.install(ctx, lr.Data, ans.date, ans.dated)
			}
		}})
	if err != nil {
		return nil, err
	}
	return folders, decodeErr
}

// install makes a read the client's knowledge. It runs inside the gate, held exclusively: no
// write is on the wire, and every write answered before was settled, so the read shows all of
// them and none of the client's writes is applied to it again (doc.go, rule 2).
func (c *Client) install(ctx context.Context, folders []Folder, date time.Time, dated bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The default folder comes first; make sure it is there even if an answer omits it.
	if i := slices.IndexFunc(folders, func(f Folder) bool { return f.IsDefault() }); i < 0 {
		folders = append([]Folder{{ID: DefaultFolderID, chatsUnlisted: true}}, folders...)
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
	s := &snapshot{folders: folders, sync: map[string]time.Time{}, chatOrderUncertain: map[string]bool{}, undated: !dated, readAt: time.Now()}
	if dated {
		proof := date.Truncate(time.Second).Add(-readMargin)
		s.sync[""] = proof
		for _, f := range folders {
			if !f.chatsUnlisted {
				s.sync[f.ID] = proof
			}
		}
		c.serverOffset = time.Until(date)
	}
	c.snap = s
	tflog.SubsystemDebug(c.logContext(ctx), logSubsystem, "Read the folder list", map[string]any{"folders": len(folders)})
}

// proves reports whether the snapshot proves id ("" = the folder order) for a sync-checked
// write: a read shows it, and the client changed nothing there since. c.mu is held.
func (c *Client) proves(s *snapshot, id string) bool {
	if s == nil || s.stale {
		return false
	}
	sync, ok := s.sync[id]
	return ok && sync.After(c.changes[id].at)
}

// prove reads the list again, as often as needed and once late enough, until the snapshot proves
// id (doc.go, rule 1). It returns ErrFolderNotFound when a read shows no such folder.
func (c *Client) prove(ctx context.Context, id string) error {
	for attempt := 0; ; attempt++ {
		c.mu.Lock()
		s, ch := c.snap, c.changes[id]
		proven := c.proves(s, id)
		fresh := s != nil && !s.stale
		missing := id != "" && fresh && func() bool { _, f := s.find(id); return f == nil }()
		unlisted := id != "" && fresh && c.unlisted(id)
		c.mu.Unlock()
		switch {
		case proven:
			return nil
		case missing:
			return fmt.Errorf("%w: %s", ErrFolderNotFound, id)
		case fresh && s.undated:
			return errUndated
		case unlisted:
			return fmt.Errorf("%w: folder %s", errUnlisted, id)
		case attempt > maxRetries:
			return fmt.Errorf("%w: folder %s kept changing while the provider read it", errNotConverged, id)
		}
		if wait := time.Until(ch.readAfter); wait > 0 {
			if err := c.sleep(ctx, wait); err != nil {
				return err
			}
			// One read serves every folder waiting: another's may have proven this one meanwhile.
			c.mu.Lock()
			proven := c.proves(c.snap, id)
			c.mu.Unlock()
			if proven {
				return nil
			}
		}
		if err := c.Refresh(ctx); err != nil {
			return err
		}
	}
}

// errUndated and errUnlisted say why the client cannot make a change that Cliq checks against the
// time of the client's last read: it cannot prove what the folder holds (doc.go, rule 1).
var (
	errUndated  = errors.New("the answer to the folder list carried no Date header, which the provider needs to change a folder's chats or order safely (a proxy between you and Cliq may remove it)")
	errUnlisted = errors.New("the folder list showed this folder without its chats, so the provider cannot rewrite its list of chats without risking chats it cannot see")
)

// unlisted reports, with c.mu held, whether the snapshot's read listed folder id without its chats.
func (c *Client) unlisted(id string) bool {
	_, f := c.snap.find(id)
	return f != nil && f.chatsUnlisted
}

// noteChange records, with c.mu held, that folder id ("" = the folder order) changed within the
// server's second at: the snapshot's proof of it (from an earlier read) no longer holds, and only
// a read whose proof starts after that second does (its Date at least at+1s+readMargin).
func (c *Client) noteChange(id string, at time.Time) {
	ch := c.changes[id]
	if at = at.Truncate(time.Second); at.After(ch.at) {
		ch.at = at
		// The local moment from which Cliq's clock shows that Date, by the latest read's offset
		// (which errs early by under a second: Dates are whole seconds; the read then retries).
		ch.readAfter = at.Add(time.Second + readMargin).Add(-c.serverOffset)
	}
	c.changes[id] = ch
}

// noteAnswer records, with c.mu held, the change an answered write made to folder id: within the
// second of the answer's Date. An answer without a Date tells nothing of Cliq's clock (the local
// one may run ahead, and prove would then wait for it): the change is then known only to be no
// later than now.
func (c *Client) noteAnswer(id string, ans *answer) {
	if ans.dated {
		c.noteChange(id, ans.date)
	} else {
		c.noteUnknownChange(id)
	}
}

// noteUnknownChange records, with c.mu held, that folder id may have changed at a moment the
// client cannot tell, up to now: a write whose outcome is unknown.
func (c *Client) noteUnknownChange(id string) {
	c.noteChange(id, time.Now().Add(c.serverOffset).Add(time.Second))
}

// checked carries out a write that Cliq checks against last_sync_time (operations 6, 7 and 8)
// on folder id ("" = the folder order), one at a time per folder. build makes the request from a
// snapshot that proves id (doc.go, rule 1), with c.mu held; it reports false when the change is
// already in place. after applies the answered request to the snapshot, with c.mu held. When Cliq
// finds the client not synced, or the outcome is unknown, it reads again and builds afresh.
func (c *Client) checked(ctx context.Context, id string, build func(s *snapshot, lastSync string) (call, bool), after func(s *snapshot, ans *answer)) error {
	release, err := c.turns.take(ctx, id)
	if err != nil {
		return err
	}
	defer release()
	var lastErr error
	for attempt := 0; attempt <= maxRetries; attempt++ {
		if err := c.prove(ctx, id); err != nil {
			return err
		}
		c.mu.Lock()
		var cl call
		send, proven := false, c.proves(c.snap, id)
		if proven {
			cl, send = build(c.snap, formatSync(c.snap.sync[id]))
		}
		c.mu.Unlock()
		if !proven {
			continue // a write of the client's own landed meanwhile: prove again
		}
		if !send {
			return nil
		}
		cl.settle = func(ans *answer) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.snap != nil {
				after(c.snap, ans)
			}
			c.noteAnswer(id, ans)
		}
		_, err := c.do(ctx, cl)
		if err == nil {
			return nil
		}
		if !errIsRetryableAfterRead(err) {
			return err
		}
		lastErr = err
		c.mu.Lock()
		var apiErr *APIError
		if errors.As(err, &apiErr) && !apiErr.Date.IsZero() {
			c.noteChange(id, apiErr.Date) // somebody changed it no later than Cliq's answer
		} else {
			c.noteUnknownChange(id)
		}
		c.mu.Unlock()
		tflog.SubsystemInfo(c.logContext(ctx), logSubsystem, "Reading the folder list again before repeating a change", map[string]any{
			"operation": string(cl.op), "reason": err.Error(), "attempt": attempt + 1,
		})
	}
	return fmt.Errorf("%w: %w", errNotConverged, lastErr)
}

// unchecked sends a write that Cliq does not check against last_sync_time. touches names the
// folders ("" = the folder order) whose content it may change: their proofs end (doc.go, rule 1).
// after applies the answer to the snapshot, with c.mu held. When the outcome is unknown it reads
// the list: if done reports the change in place it stops, else it sends the request again, a
// bounded number of times. It returns a nil answer when the change was found in place.
func (c *Client) unchecked(ctx context.Context, cl call, touches []string, done func(*snapshot) bool, after func(s *snapshot, ans *answer)) (*answer, error) {
	cl.settle = func(ans *answer) {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, id := range touches {
			c.noteAnswer(id, ans)
		}
		if c.snap != nil && after != nil {
			after(c.snap, ans)
		}
	}
	var lastErr error
	for attempt := 0; attempt <= maxRetries; attempt++ {
		ans, err := c.do(ctx, cl)
		if err == nil {
			return ans, nil
		}
		if !IsAmbiguous(err) {
			return nil, err
		}
		lastErr = err
		c.mu.Lock()
		for _, id := range touches {
			c.noteUnknownChange(id)
		}
		c.mu.Unlock()
		tflog.SubsystemInfo(c.logContext(ctx), logSubsystem, "Re-reading the folder list to settle a write", map[string]any{
			"operation": string(cl.op), "reason": err.Error(), "attempt": attempt + 1,
		})
		if err := c.sleep(ctx, c.cfg.RetryBaseDelay<<attempt); err != nil {
			return nil, fmt.Errorf("%w (the outcome of the request sent is unknown: %w)", err, lastErr)
		}
		if err := c.Refresh(ctx); err != nil {
			return nil, fmt.Errorf("%w (the outcome of the request sent is unknown: %w)", err, lastErr)
		}
		c.mu.Lock()
		ok := done(c.snap)
		c.mu.Unlock()
		if ok {
			return nil, nil
		}
	}
	return nil, fmt.Errorf("%w: %w", errNotConverged, lastErr)
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

// Invalidate makes the next read fetch the list again, and the chat list of every filter. The provider calls it when a new Terraform
// run configures a client it reuses, so that no run starts from another run's knowledge.
func (c *Client) Invalidate() {
	c.chatLists.forget()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snap != nil {
		c.snap.stale = true
	}
}
