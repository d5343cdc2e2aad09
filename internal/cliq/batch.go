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
	done             chan error
}

// batcher gathers pin changes that arrive together (Terraform creates or destroys many pins in
// parallel) so that they share requests, and hands each caller its own outcome.
type batcher struct {
	delay   time.Duration
	run     func(context.Context, []*pinChange) map[*pinChange]error
	mu      sync.Mutex
	pending []*pinChange
	timer   *time.Timer
	last    int // size of the previous batch: Terraform tends to hand changes over in waves alike
}

func newBatcher(delay time.Duration, run func(context.Context, []*pinChange) map[*pinChange]error) *batcher {
	return &batcher{delay: delay, run: run}
}

func (b *batcher) submit(ctx context.Context, folderID, chatID string) error {
	p := &pinChange{ctx: ctx, folderID: folderID, chatID: chatID, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, p)
	switch {
	case b.last > 1 && len(b.pending) >= b.last || len(b.pending) >= MaxBulkUnpin:
		// As many as last time (or a full request): waiting longer is unlikely to gain more.
		if b.timer != nil {
			b.timer.Stop()
		}
		b.timer = nil
		go b.runBatch(b.takeLocked())
	case b.timer == nil:
		b.timer = time.AfterFunc(b.delay, b.flush)
	}
	b.mu.Unlock()
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

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

func (b *batcher) runBatch(batch []*pinChange) {
	if len(batch) == 0 {
		return
	}
	// The batch outlives no caller's logger, but must not die with the first caller's cancellation.
	ctx := context.WithoutCancel(batch[0].ctx)
	errs := b.run(ctx, batch)
	for _, p := range batch {
		p.done <- errs[p]
	}
}
