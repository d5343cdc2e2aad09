package fakecliq

import (
	"testing"
	"time"
)

func TestRateLimitAndLock(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{Now: clk.Now, Thresholds: map[Op]int{OpCreateFolder: 3}})
	create := func() result { return h.do("POST", cats, map[string]any{"title": "t", "symbol": ""}) }
	for i := range 3 {
		h.must(create(), 200, "")
		clk.Advance(10 * time.Second)
		_ = i
	}
	r := h.must(create(), 429, "")
	if r.message() != msgTooMany {
		t.Fatalf("message %q", r.message())
	}
	if n := len(h.s.Folders()); n != 4 {
		t.Fatalf("throttled request executed: %d folders", n)
	}
	if h.s.LockCount(OpCreateFolder) != 1 || h.s.ThrottledCount(OpCreateFolder) != 1 {
		t.Fatalf("lock %d throttled %d", h.s.LockCount(OpCreateFolder), h.s.ThrottledCount(OpCreateFolder))
	}
	if d := h.s.LockedFor(OpCreateFolder); d != 5*time.Minute {
		t.Fatalf("LockedFor = %v", d)
	}
	// Other operations are not affected.
	h.must(h.do("GET", cats, nil), 200, "")
	// Locked for five minutes, whatever the window says.
	clk.Advance(5*time.Minute - time.Millisecond)
	h.must(create(), 429, "")
	if h.s.LockCount(OpCreateFolder) != 1 || h.s.ThrottledCount(OpCreateFolder) != 2 || h.s.RequestCount(OpCreateFolder) != 5 {
		t.Fatalf("lock %d throttled %d requests %d", h.s.LockCount(OpCreateFolder), h.s.ThrottledCount(OpCreateFolder), h.s.RequestCount(OpCreateFolder))
	}
	clk.Advance(time.Millisecond)
	if h.s.LockedFor(OpCreateFolder) != 0 {
		t.Fatal("still locked")
	}
	h.must(create(), 200, "")
}

func TestRateLimitSlidingWindow(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{Now: clk.Now, Thresholds: map[Op]int{OpListFolders: 3}})
	get := func() result { return h.do("GET", cats, nil) }
	h.must(get(), 200, "") // t=0
	clk.Advance(30 * time.Second)
	h.must(get(), 200, "") // t=30
	clk.Advance(29 * time.Second)
	h.must(get(), 200, "") // t=59
	clk.Advance(time.Second)
	h.must(get(), 200, "") // t=60: the t=0 request left the window (now-60s, now]
	clk.Advance(29 * time.Second)
	h.must(get(), 429, "") // t=89: 30, 59, 60 still inside
	if h.s.LockCount(OpListFolders) != 1 {
		t.Fatal("no lock")
	}
}

func TestRateLimitDefaultsAndOverrides(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{Now: clk.Now, Thresholds: map[Op]int{OpPinChat: 0}})
	for range 20 {
		h.must(h.do("GET", cats, nil), 200, "")
	}
	h.must(h.do("GET", cats, nil), 429, "")
	for range 50 {
		h.must(h.do("DELETE", "/api/v3/chats/1/pins", nil), 400, "chat_operation_failed")
	}
	h.must(h.do("DELETE", "/api/v3/chats/1/pins", nil), 429, "")
	for range 80 { // threshold 0: unlimited
		h.must(h.do("POST", "/api/v3/chats/1/pins", nil), 200, "")
	}
	// Unauthenticated requests do not use up the budget.
	for range 30 {
		if r := h.doAuth("POST", cats, nil, ""); r.status != 401 {
			t.Fatalf("status %d", r.status)
		}
	}
	h.must(h.do("POST", cats, map[string]any{"title": "x"}), 200, "")
}

func TestRateLimitsDisabled(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true, Thresholds: map[Op]int{OpListFolders: 1}})
	for range 30 {
		h.must(h.do("GET", cats, nil), 200, "")
	}
	if h.s.ThrottledCount(OpListFolders) != 0 {
		t.Fatal("throttled")
	}
}

func TestThrottleStyle400(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{Now: clk.Now, ThrottleStyle: "400", Thresholds: map[Op]int{OpListFolders: 1}})
	h.must(h.do("GET", cats, nil), 200, "")
	r := h.must(h.do("GET", cats, nil), 400, "request_limit_exceeded")
	if r.message() != "You have exceeded the URL throttle limits." {
		t.Fatalf("message %q", r.message())
	}
	if log := h.s.RequestLog(); log[1].Code != "request_limit_exceeded" || log[1].Status != 400 {
		t.Fatalf("log %+v", log[1])
	}
}

func TestResetRateLimits(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{Now: clk.Now, Thresholds: map[Op]int{OpListFolders: 1}})
	h.must(h.do("GET", cats, nil), 200, "")
	h.must(h.do("GET", cats, nil), 429, "")
	h.s.ResetRateLimits()
	h.must(h.do("GET", cats, nil), 200, "")
	h.must(h.do("GET", cats, nil), 429, "")
}

// TestRateLimitRealTime uses a scaled-down window and lock period on the real
// clock.
func TestRateLimitRealTime(t *testing.T) {
	h := newHarness(t, Options{RateWindow: 200 * time.Millisecond, LockPeriod: 500 * time.Millisecond, Thresholds: map[Op]int{OpListFolders: 2}})
	h.must(h.do("GET", cats, nil), 200, "")
	h.must(h.do("GET", cats, nil), 200, "")
	h.must(h.do("GET", cats, nil), 429, "")
	time.Sleep(300 * time.Millisecond) // the window passed, the lock did not
	h.must(h.do("GET", cats, nil), 429, "")
	time.Sleep(250 * time.Millisecond)
	h.must(h.do("GET", cats, nil), 200, "")
	if h.s.LockCount(OpListFolders) != 1 || h.s.ThrottledCount(OpListFolders) != 2 {
		t.Fatalf("lock %d throttled %d", h.s.LockCount(OpListFolders), h.s.ThrottledCount(OpListFolders))
	}
}
