package cliq

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
// throttled answer locks the class for LockPeriod, during which nothing is sent.
type budgets struct {
	window, lock time.Duration
	limits       map[budgetClass]int
	store        budgetStore
	now          func() time.Time

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
	// update runs fn on the state of every class, atomically with respect to other callers.
	update(fn func(map[budgetClass]*budgetState)) error
}

func newBudgets(rc *resolvedConfig, accountKey string) *budgets {
	b := &budgets{
		window:  rc.RateWindow + rc.RatePad,
		lock:    rc.LockPeriod,
		limits:  map[budgetClass]int{},
		now:     time.Now,
		changed: map[budgetClass]chan struct{}{},
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
	id := newSlotID()
	limit := b.limits[class]
	loggedUntil := time.Time{}
	for {
		var wakeAt time.Time
		var locked, foreignPending bool
		took := false
		changed := b.changedChan(class)
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
		if err != nil {
			return nil, err
		}
		if took {
			return func(sent, throttled bool) { b.release(class, id, sent, throttled) }, nil
		}
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
			return nil, fmt.Errorf("waiting for Cliq's rate limit on %s: %w", op, ctx.Err())
		case <-timer.C:
		case <-changed:
			timer.Stop()
		}
	}
}

// free reports how many requests op's class could send now, without taking any slot. An unreadable
// store reports 0: the request then simply waits its turn.
func (b *budgets) free(op Operation) int {
	class := operations[op].class
	n := 0
	_ = b.store.update(func(all map[budgetClass]*budgetState) {
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
