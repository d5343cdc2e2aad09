package fakecliq

import "time"

// limiter is a per-operation sliding-window rate limiter with a lock period,
// modelled on the vendor's "Threshold limit: N requests per min per user" and
// "Lock period: 5 minutes". It is not safe for concurrent use.
type limiter struct {
	window, lock time.Duration
	threshold    int
	admitted     []time.Time // admitted requests, oldest first
	lockedUntil  time.Time
}

// admit records a request at now and reports whether it may run. It reports
// locked=true when this request started a new lock.
func (l *limiter) admit(now time.Time) (ok, locked bool) {
	if now.Before(l.lockedUntil) {
		return false, false
	}
	if l.threshold <= 0 {
		return true, false
	}
	// Forget requests that left the window (now-window, now].
	cut := 0
	for cut < len(l.admitted) && !l.admitted[cut].After(now.Add(-l.window)) {
		cut++
	}
	l.admitted = l.admitted[cut:]
	if len(l.admitted) >= l.threshold {
		l.lockNow(now)
		return false, true
	}
	l.admitted = append(l.admitted, now)
	return true, false
}

// lockNow locks the operation for the lock period; the window starts afresh
// when the lock ends.
func (l *limiter) lockNow(now time.Time) {
	l.lockedUntil = now.Add(l.lock)
	l.admitted = nil
}

// locked reports whether the operation is locked at now.
func (l *limiter) locked(now time.Time) bool { return now.Before(l.lockedUntil) }

// remaining is the time left in the current lock.
func (l *limiter) remaining(now time.Time) time.Duration {
	if !l.locked(now) {
		return 0
	}
	return l.lockedUntil.Sub(now)
}

// ResetRateLimits forgets every rate-limit window and lifts every lock
// (including the token endpoint's).
func (s *Server) ResetRateLimits() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.limiters {
		l.admitted = nil
		l.lockedUntil = time.Time{}
	}
	s.tokenWindow = nil
}

// LockedFor reports how long op stays locked by the rate limiter (0 when it
// is not locked).
func (s *Server) LockedFor(op Op) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.limiters[op]; l != nil {
		return l.remaining(s.now())
	}
	return 0
}
