package cliq

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// gateWeight is the gate's capacity: a write takes one unit, a read all of them.
const gateWeight = 1 << 30

// enterGate waits for the gate (doc.go, rule 2): exclusively for a list read, shared for a write.
// It gives up when ctx ends, and refuses to let a request leave once ctx is done. The returned
// function leaves the gate; calling it again does nothing.
func (c *Client) enterGate(ctx context.Context, read bool) (leave func(), err error) {
	n := int64(1)
	if read {
		n = gateWeight
	}
	if err := c.gate.Acquire(ctx, n); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		c.gate.Release(n)
		return nil, err
	}
	if f := flightOf(ctx); f != nil && !read {
		if err := f.takeOff(); err != nil {
			c.gate.Release(n)
			return nil, err
		}
	}
	var once sync.Once
	return func() { once.Do(func() { c.gate.Release(n) }) }, nil
}

// inFlightGrace is how long a request already on the wire may finish after its caller is
// cancelled (doc.go, rule 5): its answer then settles what it did, so a create whose answer
// arrives is never repeated by the next run.
const inFlightGrace = 10 * time.Second

// sendInFlight sends a request that has left. For a write, cancelling ctx no longer aborts it at
// once, only after inFlightGrace; a read ends with ctx.
func (c *Client) sendInFlight(ctx context.Context, method string, cl call, tok string) (*answer, error) {
	if cl.op == OpListFolders {
		return c.send(ctx, method, cl, tok) // a read changes nothing: it stops with its caller
	}
	if f := flightOf(ctx); f != nil {
		defer f.land()
	}
	wire, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		grace := time.NewTimer(c.inFlightGrace)
		defer grace.Stop()
		select {
		case <-grace.C:
			cancel()
		case <-wire.Done():
		}
	})
	defer stop()
	return c.send(wire, method, cl, tok)
}

// folderTurns lets one sync-checked write per folder (or the folder order, "") be under way at a
// time. It is not what keeps hand-made changes safe (the sync check is, doc.go rule 1); it only
// spares the second of two writes to one folder a refused request: it waits, and is built from a
// read that shows the first.
type folderTurns struct {
	mu    sync.Mutex
	turns map[string]chan struct{}
}

// take waits for folderID's turn, or until ctx ends.
func (t *folderTurns) take(ctx context.Context, folderID string) (release func(), err error) {
	t.mu.Lock()
	if t.turns == nil {
		t.turns = map[string]chan struct{}{}
	}
	ch, ok := t.turns[folderID]
	if !ok {
		ch = make(chan struct{}, 1)
		t.turns[folderID] = ch
	}
	t.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for an earlier change to %s to finish: %w", folderID, ctx.Err())
	}
}

func newGate() *semaphore.Weighted { return semaphore.NewWeighted(gateWeight) }

// flight decides, for a request made on behalf of callers who may leave (a batch), the moment at
// which it leaves: a caller that leaves while none of the batch's requests is on the wire stops
// every later one; a caller that leaves while one is on the wire waits for its answer, so that it
// never returns before a request that carries its change (doc.go, rule 5).
type flight struct {
	callers []context.Context // the contexts of the callers whose changes it carries
	mu      sync.Mutex
	landed  sync.Cond
	onWire  bool
	stopped error
}

func newFlight(callers []context.Context) *flight {
	f := &flight{callers: callers}
	f.landed.L = &f.mu
	return f
}

type flightKey struct{}

// withFlight attaches f to ctx: the writes sent under ctx take off and land through it.
func withFlight(ctx context.Context, f *flight) context.Context {
	return context.WithValue(ctx, flightKey{}, f)
}

func flightOf(ctx context.Context) *flight {
	f, _ := ctx.Value(flightKey{}).(*flight)
	return f
}

// takeOff lets a request leave unless a caller stopped the flight.
func (f *flight) takeOff() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ctx := range f.callers {
		// A caller that left before it could find the flight (it returns at once then) left
		// with its context done: that is enough to stop the request.
		if err := ctx.Err(); err != nil && f.stopped == nil {
			f.stopped = err
		}
	}
	if f.stopped != nil {
		return f.stopped
	}
	f.onWire = true
	return nil
}

func (f *flight) land() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onWire = false
	f.landed.Broadcast()
}

// stop keeps every later request from leaving, once the one on the wire (if any) has landed.
func (f *flight) stop(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.onWire {
		f.landed.Wait()
	}
	if f.stopped == nil {
		f.stopped = err
	}
}

func (f *flight) isStopped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopped != nil
}
