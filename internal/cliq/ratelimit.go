package cliq

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
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
// throttled answer locks the class for LockPeriod, during which nothing is sent.
type budgets struct {
	window, lock time.Duration
	limits       map[budgetClass]int
	store        budgetStore
	now          func() time.Time

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever a slot is freed in this process
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
	// update runs fn on the state of every class, atomically with respect to other callers.
	update(fn func(map[budgetClass]*budgetState)) error
}

func newBudgets(rc *resolvedConfig, accountKey string) *budgets {
	b := &budgets{
		window:  rc.RateWindow + rc.RatePad,
		lock:    rc.LockPeriod,
		limits:  map[budgetClass]int{},
		now:     time.Now,
		changed: make(chan struct{}),
	}
	for class, threshold := range classThresholds() {
		limit := threshold - rc.RateMargin
		if limit < 1 {
			limit = 1
		}
		b.limits[class] = limit
	}
	if rc.RateStateDir != "" {
		sum := sha256.Sum256([]byte(accountKey))
		b.store = &fileStore{path: filepath.Join(rc.RateStateDir, "budget-"+hex.EncodeToString(sum[:8])+".json")}
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

var slotCounter struct {
	sync.Mutex
	n int
}

func newSlotID() string {
	slotCounter.Lock()
	defer slotCounter.Unlock()
	slotCounter.n++
	return fmt.Sprintf("%d-%d-%d", os.Getpid(), time.Now().UnixNano(), slotCounter.n)
}

// acquire waits until class has a free slot and takes it. The returned function must be called once
// the answer arrived (sent=true) or if nothing was sent (sent=false); throttled locks the class.
func (b *budgets) acquire(ctx context.Context, op Operation, class budgetClass) (func(sent, throttled bool), error) {
	id := newSlotID()
	limit := b.limits[class]
	loggedUntil := time.Time{}
	for {
		var wakeAt time.Time
		var locked bool
		took := false
		b.mu.Lock()
		changed := b.changed
		b.mu.Unlock()
		err := b.store.update(func(all map[budgetClass]*budgetState) {
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
			// Full: wake when the oldest answered slot expires; pending ones free on their answer.
			for _, s := range st.Slots {
				if !s.Pending && (wakeAt.IsZero() || s.At.Add(b.window).Before(wakeAt)) {
					wakeAt = s.At.Add(b.window)
				}
			}
		})
		if err != nil {
			return nil, err
		}
		if took {
			return func(sent, throttled bool) { b.release(class, id, sent, throttled) }, nil
		}
		poll := 250 * time.Millisecond // answers in other processes are only seen by polling the store
		if b.window < 10*time.Second {
			poll = b.window / 40
		}
		wait := poll
		if !wakeAt.IsZero() {
			if d := time.Until(wakeAt); d < wait || locked {
				wait = d
			}
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
			return nil, fmt.Errorf("waiting for Cliq's rate limit on %s: %w", op, ctx.Err())
		case <-timer.C:
		case <-changed:
			timer.Stop()
		}
	}
}

func (b *budgets) release(class budgetClass, id string, sent, throttled bool) {
	_ = b.store.update(func(all map[budgetClass]*budgetState) {
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
			if until := now.Add(b.lock); until.After(st.LockedUntil) {
				st.LockedUntil = until
			}
		}
	})
	b.mu.Lock()
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

type memoryStore struct {
	mu    sync.Mutex
	state map[budgetClass]*budgetState
}

func (m *memoryStore) update(fn func(map[budgetClass]*budgetState)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	fn(m.state)
	return nil
}

// fileStore shares budgets between provider processes of one account (Terraform starts a new one for
// plan and for apply, and users run applies back to back) through a small JSON file under flock.
type fileStore struct {
	mu   sync.Mutex
	path string
}

func (f *fileStore) update(fn func(map[budgetClass]*budgetState)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return fmt.Errorf("rate-limit state directory: %w", err)
	}
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("rate-limit state file: %w", err)
	}
	defer file.Close()
	unlock, err := lockFile(file)
	if err != nil {
		return fmt.Errorf("locking rate-limit state file: %w", err)
	}
	defer unlock()
	state := map[budgetClass]*budgetState{}
	if data, err := os.ReadFile(f.path); err == nil && len(data) > 0 {
		// A corrupt file only costs the shared history: start afresh.
		_ = json.Unmarshal(data, &state)
	}
	fn(state)
	data, err := json.Marshal(state)
	if err != nil {
		return err
	}
	if err := file.Truncate(0); err != nil {
		return err
	}
	_, err = file.WriteAt(data, 0)
	return err
}
