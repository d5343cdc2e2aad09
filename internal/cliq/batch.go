package cliq

import (
	"context"
	"sync"
	"time"
)

// pinChange is one pin to add or remove, waiting in a batch.
type pinChange struct {
	ctx              context.Context
	folderID, chatID string
	add              bool       // pin the chat into the folder; else take it out
	done             chan error // buffered: the batch never blocks on a caller that already left

	mu     sync.Mutex
	flight *flight // the requests carrying this change now, if any
}

func (p *pinChange) carriedBy(f *flight) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flight = f
}

// batcher gathers pin changes that arrive together (Terraform creates and destroys many pins in
// parallel) so that those of one folder can leave it in one request, and hands each caller its own
// outcome.
type batcher struct {
	delay   time.Duration
	run     func(folderID string, changes []*pinChange) // reports on each change's done
	mu      sync.Mutex
	pending []*pinChange
	timer   *time.Timer
	last    int       // size of the previous batch: Terraform tends to hand changes over in waves alike
	first   time.Time // when the oldest pending change arrived

	// Per folder, the changes waiting for the folder's worker, and whether it runs: changes that
	// arrive while the folder's request waits (for a read that proves it, for its budget) leave
	// together in the next one, instead of one request each. Guarded by mu.
	queued  map[string][]*pinChange
	working map[string]bool
}

func newBatcher(delay time.Duration, run func(string, []*pinChange)) *batcher {
	return &batcher{delay: delay, run: run}
}

// submit queues one change and waits for its outcome, or for ctx to end. A caller whose ctx ends
// returns at once, and its change is then never sent (doc.go, rule 5): a batch sends only the
// changes of callers still waiting, and stops a request before it leaves if one of them goes.
func (b *batcher) submit(ctx context.Context, folderID, chatID string, add bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &pinChange{ctx: ctx, folderID: folderID, chatID: chatID, add: add, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, p)
	switch {
	case b.last > 1 && len(b.pending) >= b.last:
		// As many as last time: waiting longer is unlikely to gain more.
		if b.timer != nil {
			b.timer.Stop()
		}
		b.timer = nil
		go b.runBatch(b.takeLocked())
	case b.timer == nil:
		b.first = time.Now()
		b.timer = time.AfterFunc(b.quiet(), b.flush)
	default:
		// Terraform hands a wave over one call at a time: wait while calls keep coming, up to
		// three delays after the first.
		b.timer.Reset(min(b.quiet(), time.Until(b.first.Add(3*b.delay))))
	}
	b.mu.Unlock()
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		p.mu.Lock()
		f := p.flight
		p.mu.Unlock()
		if f != nil {
			f.stop(ctx.Err()) // returns once no request carrying this change is on the wire
		}
		select {
		case err := <-p.done:
			return err // it was carried out, or failed, meanwhile
		default:
			return ctx.Err()
		}
	}
}

// quiet is how long a batch waits for one more change before it leaves.
func (b *batcher) quiet() time.Duration { return b.delay / 3 }

func (b *batcher) flush() {
	b.mu.Lock()
	batch := b.takeLocked()
	b.timer = nil
	b.mu.Unlock()
	b.runBatch(batch)
}

// takeLocked takes the pending changes as one batch; b.mu is held.
func (b *batcher) takeLocked() []*pinChange {
	batch := b.pending
	b.pending = nil
	if len(batch) > 0 {
		b.last = len(batch)
	}
	return batch
}

// runBatch hands the batch's changes to their folders' workers, which run side by side.
func (b *batcher) runBatch(batch []*pinChange) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.queued == nil {
		b.queued, b.working = map[string][]*pinChange{}, map[string]bool{}
	}
	for _, p := range batch {
		b.queued[p.folderID] = append(b.queued[p.folderID], p)
		if !b.working[p.folderID] {
			b.working[p.folderID] = true
			go b.work(p.folderID)
		}
	}
}

// take takes the changes queued for folderID now, which its worker adds to the request it is
// about to send (they arrived while it waited for the read that proves the folder).
func (b *batcher) take(folderID string) []*pinChange {
	b.mu.Lock()
	defer b.mu.Unlock()
	changes := b.queued[folderID]
	delete(b.queued, folderID)
	return changes
}

// work runs one folder's queued changes, all that have gathered each time, until none is left.
func (b *batcher) work(folderID string) {
	for {
		b.mu.Lock()
		changes := b.queued[folderID]
		delete(b.queued, folderID)
		if len(changes) == 0 {
			delete(b.working, folderID)
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.run(folderID, changes)
	}
}

// waiting returns the changes whose callers still wait, and finishes the others.
func waiting(changes []*pinChange) []*pinChange {
	var live []*pinChange
	for _, p := range changes {
		if err := p.ctx.Err(); err != nil {
			p.done <- err
			continue
		}
		live = append(live, p)
	}
	return live
}

// jointContext is a context for a request made on behalf of every change in changes: it ends as
// soon as any of their callers' contexts ends, so that the request never leaves for a caller that
// was told it stopped. It keeps the first caller's values (its logger).
func jointContext(changes []*pinChange) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(changes[0].ctx))
	stops := make([]func() bool, 0, len(changes))
	for _, p := range changes {
		stops = append(stops, context.AfterFunc(p.ctx, func() { cancel(p.ctx.Err()) }))
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel(nil)
	}
}
