package cliq

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// budgets keeps every budget class under its documented threshold in any window of RateWindow,
// the strictest reading of "N requests per minute" (it also satisfies fixed windows).
//
// A request holds a slot from the moment it is sent until RateWindow (plus a small pad, the safety
// margin) after its answer arrived: the server saw it no later than the answer, so the next request
// sent after the slot frees reaches the server more than a window later, whatever the latency. A
// throttled answer locks the class for its lock period (classLock), during which nothing is sent.
type budgets struct {
	window      time.Duration
	locks       map[budgetClass]time.Duration
	limits      map[budgetClass]int
	store       budgetStore
	shared      *sharedStore // the store when budgets go through a file; nil when in memory only
	now         func() time.Time
	releaseWait time.Duration // the longest release waits for the budget file (see release)

	mu      sync.Mutex
	changed map[budgetClass]chan struct{} // closed and replaced whenever a class's slot frees here
}

// budgetState is the state of one class: its slots and lock.
type budgetState struct {
	Slots       []slot    `json:"slots"`
	LockedUntil time.Time `json:"locked_until"`
}

type slot struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`      // when sent (pending) or answered (done)
	Pending bool      `json:"pending"` // sent, no answer yet
}

type budgetStore interface {
	// update runs fn on the state of every class, atomically with respect to other callers. fn may
	// run more than once (on another copy of the state) and must set all its results each time.
	// Waiting for other callers ends when ctx does, with ctx.Err().
	update(ctx context.Context, fn func(map[budgetClass]*budgetState)) error
}

func newBudgets(rc *resolvedConfig, accountKey string) *budgets {
	b := &budgets{
		window:  rc.RateWindow + rc.RatePad,
		locks:   map[budgetClass]time.Duration{},
		limits:  map[budgetClass]int{},
		now:     time.Now,
		changed: map[budgetClass]chan struct{}{},

		releaseWait: 2 * lockWaitLimit,
	}
	for class, threshold := range classThresholds() {
		limit := threshold - rc.RateMargin
		if limit < 1 {
			limit = 1
		}
		b.limits[class] = limit
		b.locks[class] = classLock(class, rc.LockPeriod)
	}
	if rc.RateStateDir != "" {
		sum := sha256.Sum256([]byte(accountKey))
		b.shared = newSharedStore(filepath.Join(rc.RateStateDir, "budget-"+hex.EncodeToString(sum[:8])+".json"))
		b.store = b.shared
	} else {
		b.store = &memoryStore{state: map[budgetClass]*budgetState{}}
	}
	return b
}

// staleAfter is how long a pending slot of a process that died keeps its place.
func (b *budgets) staleAfter() time.Duration { return b.window + 2*time.Minute }

func (b *budgets) prune(st *budgetState, now time.Time) {
	kept := st.Slots[:0]
	for _, s := range st.Slots {
		if (s.Pending && now.Sub(s.At) < b.staleAfter()) || (!s.Pending && now.Sub(s.At) < b.window) {
			kept = append(kept, s)
		}
	}
	st.Slots = kept
}

// changedChan is the channel closed on the next release in class.
func (b *budgets) changedChan(class budgetClass) chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch, ok := b.changed[class]
	if !ok {
		ch = make(chan struct{})
		b.changed[class] = ch
	}
	return ch
}

var slotPrefix = fmt.Sprintf("%d-", os.Getpid())

var slotCounter struct {
	sync.Mutex
	n int
}

func newSlotID() string {
	slotCounter.Lock()
	defer slotCounter.Unlock()
	slotCounter.n++
	return fmt.Sprintf("%s%d-%d", slotPrefix, time.Now().UnixNano(), slotCounter.n)
}

// acquire waits until class has a free slot and takes it. The returned function must be called once
// the answer arrived (sent=true) or if nothing was sent (sent=false); throttled locks the class.
func (b *budgets) acquire(ctx context.Context, op Operation, class budgetClass) (func(sent, throttled bool), error) {
	release, _, err := b.take(ctx, op, class)
	return release, err
}

// take is acquire, and reports whether it had to wait for the slot (a full budget, a lock).
func (b *budgets) take(ctx context.Context, op Operation, class budgetClass) (release func(sent, throttled bool), waited bool, err error) {
	id := newSlotID()
	limit := b.limits[class]
	loggedUntil := time.Time{}
	for {
		var wakeAt time.Time
		var locked, foreignPending bool
		took := false
		changed := b.changedChan(class)
		err := b.store.update(ctx, func(all map[budgetClass]*budgetState) {
			wakeAt, locked, foreignPending, took = time.Time{}, false, false, false
			st := all[class]
			if st == nil {
				st = &budgetState{}
				all[class] = st
			}
			now := b.now()
			b.prune(st, now)
			if now.Before(st.LockedUntil) {
				wakeAt, locked = st.LockedUntil, true
				return
			}
			if len(st.Slots) < limit {
				st.Slots = append(st.Slots, slot{ID: id, At: now, Pending: true})
				took = true
				return
			}
			// Full: wake when the oldest answered slot expires; pending ones free on their answer,
			// which this process hears of at once for its own and by polling for other processes'.
			for _, s := range st.Slots {
				if !s.Pending && (wakeAt.IsZero() || s.At.Add(b.window).Before(wakeAt)) {
					wakeAt = s.At.Add(b.window)
				}
				if s.Pending && !strings.HasPrefix(s.ID, slotPrefix) {
					foreignPending = true
				}
			}
		})
		b.logFallback(ctx)
		if err != nil {
			return nil, waited, fmt.Errorf("waiting for Cliq's rate limit on %s: %w", op, err)
		}
		if took {
			return func(sent, throttled bool) { b.release(ctx, class, id, sent, throttled) }, waited, nil
		}
		waited = true
		wait := b.window // a local release wakes the wait early
		if !wakeAt.IsZero() {
			wait = time.Until(wakeAt)
		}
		if foreignPending && !locked {
			poll := 250 * time.Millisecond // other processes' answers are only seen in the store
			if b.window < 10*time.Second {
				poll = b.window / 40
			}
			wait = min(wait, poll)
		}
		if wait < time.Millisecond {
			wait = time.Millisecond
		}
		if locked && !wakeAt.Equal(loggedUntil) {
			loggedUntil = wakeAt
			tflog.SubsystemInfo(ctx, logSubsystem, "Cliq locked this operation after a throttling answer; waiting for the lock period to pass", map[string]any{
				"operation": string(op), "locked_until": wakeAt.UTC().Format(time.RFC3339), "wait": time.Until(wakeAt).Round(time.Second).String(),
			})
		} else if !locked && wait > time.Second && loggedUntil.IsZero() {
			loggedUntil = time.Now()
			tflog.SubsystemInfo(ctx, logSubsystem, "Pacing requests to stay under Cliq's rate limit", map[string]any{
				"operation": string(op), "limit": limit, "window": b.window.String(),
			})
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, waited, fmt.Errorf("waiting for Cliq's rate limit on %s: %w", op, ctx.Err())
		case <-timer.C:
		case <-changed:
			timer.Stop()
		}
	}
}

// awaitSlot waits until op's class has a free slot, without taking it (or until ctx ends): a
// gathered request waits here, so that the changes arriving meanwhile leave in it (gather.go).
// Another caller may take the slot first; the request's own acquire then waits again.
func (b *budgets) awaitSlot(ctx context.Context, op Operation) error {
	class := operations[op].class
	for {
		changed := b.changedChan(class)
		var wakeAt time.Time
		free := false
		err := b.store.update(ctx, func(all map[budgetClass]*budgetState) {
			wakeAt, free = time.Time{}, false
			st := all[class]
			if st == nil {
				free = true
				return
			}
			now := b.now()
			b.prune(st, now)
			if now.Before(st.LockedUntil) {
				wakeAt = st.LockedUntil
				return
			}
			if free = len(st.Slots) < b.limits[class]; free {
				return
			}
			for _, s := range st.Slots {
				if !s.Pending && (wakeAt.IsZero() || s.At.Add(b.window).Before(wakeAt)) {
					wakeAt = s.At.Add(b.window)
				}
			}
		})
		if err != nil || free {
			return err
		}
		// Pending slots free on their answer (a local release wakes this early); other processes'
		// answers are only seen in the store.
		wait := min(250*time.Millisecond, b.window/40)
		if !wakeAt.IsZero() {
			wait = min(wait, time.Until(wakeAt))
		}
		timer := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		case <-changed:
			timer.Stop()
		}
	}
}

// free reports how many requests op's class could send now, without taking any slot. An unreadable
// store, or ctx ending while it waits for the budget file, reports 0: the request then simply waits
// its turn.
func (b *budgets) free(ctx context.Context, op Operation) int {
	class := operations[op].class
	n := 0
	_ = b.store.update(ctx, func(all map[budgetClass]*budgetState) {
		n = 0
		st := all[class]
		if st == nil {
			n = b.limits[class]
			return
		}
		now := b.now()
		b.prune(st, now)
		if !now.Before(st.LockedUntil) {
			n = max(b.limits[class]-len(st.Slots), 0)
		}
	})
	return n
}

// release records the answer (or that nothing was sent). It runs even after the request's context
// ctx ended, since the slot must be accounted for whatever became of its caller, but waits for the
// budget file at most releaseWait (this process's other updates, each bounded by lockWaitLimit,
// then the file's lock). If it gives up, the slot stays pending in the file until staleAfter: the
// budget then counts one request too many for a while, never one too few.
func (b *budgets) release(ctx context.Context, class budgetClass, id string, sent, throttled bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.releaseWait)
	defer cancel()
	_ = b.store.update(ctx, func(all map[budgetClass]*budgetState) {
		st := all[class]
		if st == nil {
			return
		}
		now := b.now()
		for i := range st.Slots {
			if st.Slots[i].ID != id {
				continue
			}
			if sent {
				st.Slots[i].At, st.Slots[i].Pending = now, false
			} else {
				st.Slots = append(st.Slots[:i], st.Slots[i+1:]...)
			}
			break
		}
		if throttled {
			if until := now.Add(b.locks[class]); until.After(st.LockedUntil) {
				st.LockedUntil = until
			}
		}
	})
	b.mu.Lock()
	if ch, ok := b.changed[class]; ok {
		close(ch)
		delete(b.changed, class)
	}
	b.mu.Unlock()
}

type memoryStore struct {
	mu    sync.Mutex
	state map[budgetClass]*budgetState
}

func (m *memoryStore) update(_ context.Context, fn func(map[budgetClass]*budgetState)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	fn(m.state)
	return nil
}

// budgetFileVersion is the format of the budget file this provider writes. A file of a later
// format is left alone (see sharedStore); a file without a version is of the first, unversioned
// format (the classes at the top level), which this version reads.
const budgetFileVersion = 2

// budgetFile is the content of the budget file.
type budgetFile struct {
	Version int                          `json:"version"`
	Classes map[budgetClass]*budgetState `json:"classes"`
}

// budgetFileError is a budget file that cannot be used: the provider then paces itself in process.
type budgetFileError struct {
	what string // e.g. "cannot create its directory"
	path string
	err  error
}

func (e *budgetFileError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("rate-limit state file %s %s", e.path, e.what)
	}
	return fmt.Sprintf("rate-limit state file %s %s: %v", e.path, e.what, e.err)
}

func (e *budgetFileError) Unwrap() error { return e.err }

// lockWaitLimit is how long a provider waits for another process to release the budget file.
// Each holds it for a read and a write of a few kilobytes, so a longer wait means a process is
// stuck (or a file system's locks are): the provider then paces itself in process.
const lockWaitLimit = 10 * time.Second

// fileStore shares budgets between provider processes of one account (Terraform starts a new one for
// plan and for apply, and users run applies back to back) through a small JSON file under flock.
// Every failure to use the file is a *budgetFileError, except the end of the caller's context.
type fileStore struct {
	turn     chan struct{} // one update at a time in this process; a channel, so that waiting honours ctx
	path     string
	lockWait time.Duration
	last     map[budgetClass]*budgetState // the state the latest successful update left
}

func newFileStore(path string) *fileStore {
	return &fileStore{turn: make(chan struct{}, 1), path: path, lockWait: lockWaitLimit}
}

func (f *fileStore) update(ctx context.Context, fn func(map[budgetClass]*budgetState)) error {
	select {
	case f.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-f.turn }()
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return &budgetFileError{what: "cannot have its directory created", path: f.path, err: err}
	}
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return &budgetFileError{what: "cannot be opened", path: f.path, err: err}
	}
	defer file.Close()
	unlock, err := lockFile(ctx, file, f.lockWait)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &budgetFileError{what: "cannot be locked", path: f.path, err: err}
	}
	defer unlock()
	data, err := io.ReadAll(file)
	if err != nil {
		return &budgetFileError{what: "cannot be read", path: f.path, err: err}
	}
	state, ferr := parseBudgetFile(data)
	if ferr != nil {
		ferr.path = f.path
		return ferr
	}
	fn(state)
	data, err = json.Marshal(budgetFile{Version: budgetFileVersion, Classes: state})
	if err == nil {
		err = file.Truncate(0)
	}
	if err == nil {
		_, err = file.WriteAt(data, 0)
	}
	if err != nil {
		return &budgetFileError{what: "cannot be written", path: f.path, err: err}
	}
	f.last = state
	return nil
}

// parseBudgetFile reads the budget file's content: empty is a fresh state.
func parseBudgetFile(data []byte) (map[budgetClass]*budgetState, *budgetFileError) {
	state := map[budgetClass]*budgetState{}
	if len(bytes.TrimSpace(data)) == 0 {
		return state, nil
	}
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, &budgetFileError{what: "is corrupt (not the JSON this provider writes)", err: err}
	}
	if head.Version == nil {
		// The first format: the classes at the top level.
		if err := json.Unmarshal(data, &state); err != nil {
			return nil, &budgetFileError{what: "is corrupt (not the JSON this provider writes)", err: err}
		}
		return state, nil
	}
	if *head.Version > budgetFileVersion {
		return nil, &budgetFileError{what: fmt.Sprintf("was written by a later version of the provider (format %d; this one knows formats up to %d) and is left as it is", *head.Version, budgetFileVersion)}
	}
	if *head.Version < budgetFileVersion {
		return nil, &budgetFileError{what: fmt.Sprintf("is corrupt (format %d does not exist)", *head.Version)}
	}
	var file budgetFile
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, &budgetFileError{what: "is corrupt (not the JSON this provider writes)", err: err}
	}
	for class, st := range file.Classes {
		if st != nil {
			state[class] = st
		}
	}
	return state, nil
}

// sharedStore is the budget file while it can be used. The first time it cannot (the directory
// cannot be created, the file opened, locked, read or written; it is corrupt or of a later format),
// budgets move to process memory for the rest of the process, starting from the state the file last
// held, and one warning is logged: the budget file saves a lock-out across processes, but an apply
// does not depend on it.
type sharedStore struct {
	file *fileStore

	mu      sync.Mutex
	mem     *memoryStore // set once the file failed
	failure error        // why, until logged
}

func newSharedStore(path string) *sharedStore { return &sharedStore{file: newFileStore(path)} }

func (s *sharedStore) update(ctx context.Context, fn func(map[budgetClass]*budgetState)) error {
	s.mu.Lock()
	mem := s.mem
	s.mu.Unlock()
	if mem == nil {
		err := s.file.update(ctx, fn)
		var ferr *budgetFileError
		if !errors.As(err, &ferr) {
			return err // done, or the caller's context ended
		}
		s.mu.Lock()
		if s.mem == nil {
			s.mem = &memoryStore{state: copyBudgetState(s.file.last)}
			s.failure = ferr
		}
		mem = s.mem
		s.mu.Unlock()
	}
	return mem.update(ctx, fn)
}

// takeFailure returns why the file was given up, once.
func (s *sharedStore) takeFailure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.failure
	s.failure = nil
	return err
}

func copyBudgetState(in map[budgetClass]*budgetState) map[budgetClass]*budgetState {
	out := make(map[budgetClass]*budgetState, len(in))
	for class, st := range in {
		if st != nil {
			c := *st
			c.Slots = append([]slot(nil), st.Slots...)
			out[class] = &c
		}
	}
	return out
}

// logFallback logs, once, that budgets moved from the file into process memory.
func (b *budgets) logFallback(ctx context.Context) {
	if b.shared == nil {
		return
	}
	if err := b.shared.takeFailure(); err != nil {
		tflog.SubsystemWarn(ctx, logSubsystem, fmt.Sprintf("Cannot use the rate-limit state file, so rate budgets are kept in this process only "+
			"and not shared with other provider processes for this account (Terraform's plan and apply, back-to-back runs): %v. "+
			"Set CLIQ_RATE_STATE_DIR to a directory the provider can write, or to \"off\" to keep budgets in process without this warning.", err),
			map[string]any{"path": b.shared.file.path})
	}
}
