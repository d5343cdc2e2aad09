package fakecliq

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

func TestFaultStatus(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	h.s.InjectFault(Fault{Op: OpCreateFolder, Times: 2})
	for range 2 {
		r := h.must(h.do("POST", cats, map[string]any{"title": "x"}), 500, "")
		if r.message() != msgServerError {
			t.Fatalf("message %q", r.message())
		}
	}
	if len(h.s.Folders()) != 1 {
		t.Fatal("faulted request was executed")
	}
	h.must(h.do("POST", cats, map[string]any{"title": "x"}), 200, "")

	h.s.InjectFault(Fault{Op: OpListFolders, Status: 503, Code: "busy", Message: "try later"})
	r := h.must(h.do("GET", cats, nil), 503, "busy")
	if r.message() != "try later" {
		t.Fatalf("message %q", r.message())
	}
	h.must(h.do("GET", cats, nil), 200, "")
}

func TestFaultMatching(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	h.s.InjectFault(Fault{Op: OpPinChat, Status: 502})
	h.s.InjectFault(Fault{Status: 504}) // any API operation
	h.must(h.do("GET", cats, nil), 504, "")
	// A 401 does not consume a fault.
	if r := h.doAuth("POST", "/api/v3/chats/1/pins", nil, "Bearer nope"); r.status != 401 {
		t.Fatalf("status %d", r.status)
	}
	h.must(h.do("POST", "/api/v3/chats/1/pins", nil), 502, "")
	h.must(h.do("POST", "/api/v3/chats/1/pins", nil), 200, "")
	if len(h.s.PendingFaults()) != 0 {
		t.Fatalf("pending %+v", h.s.PendingFaults())
	}

	h.s.InjectFault(Fault{Op: OpUnpinChat, Status: 500, Times: -1})
	for range 3 {
		h.must(h.do("DELETE", "/api/v3/chats/1/pins", nil), 500, "")
	}
	if p := h.s.PendingFaults(); len(p) != 1 || p[0].Times != -1 {
		t.Fatalf("pending %+v", p)
	}
	h.s.ClearFaults()
	h.must(h.do("DELETE", "/api/v3/chats/1/pins", nil), 200, "")
}

// post sends a request with a fresh connection and returns the transport
// error, if any.
func rawPost(t *testing.T, h *harness, path, body string) (*http.Response, error) {
	t.Helper()
	req, _ := http.NewRequest("POST", h.ts.URL+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+h.token)
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestFaultDrop(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	h.s.InjectFault(Fault{Op: OpCreateFolder, Kind: FaultDropBefore})
	if _, err := rawPost(t, h, cats, `{"title":"before"}`); err == nil {
		t.Fatal("FaultDropBefore answered")
	}
	if len(h.s.Folders()) != 1 {
		t.Fatal("FaultDropBefore committed")
	}
	h.s.InjectFault(Fault{Op: OpCreateFolder, Kind: FaultDropAfter})
	if _, err := rawPost(t, h, cats, `{"title":"after"}`); err == nil {
		t.Fatal("FaultDropAfter answered")
	}
	if f := h.s.Folders(); len(f) != 2 || f[1].Title != "after" {
		t.Fatalf("FaultDropAfter did not commit: %+v", f)
	}
	log := h.s.RequestLog()
	if len(log) != 2 || log[0].Status != 0 || log[1].Status != 0 || h.s.RequestCount(OpCreateFolder) != 2 {
		t.Fatalf("log %+v", log)
	}
	// The server keeps serving.
	h.must(h.do("GET", cats, nil), 200, "")
}

func TestFaultThrottle(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{Now: clk.Now, DisableRateLimits: true, LockPeriod: time.Minute})
	h.s.InjectFault(Fault{Op: OpListFolders, Kind: FaultThrottle})
	h.must(h.do("GET", cats, nil), 429, "")
	h.must(h.do("GET", cats, nil), 429, "") // locked, limits disabled or not
	if h.s.LockCount(OpListFolders) != 1 || h.s.ThrottledCount(OpListFolders) != 2 {
		t.Fatalf("lock %d throttled %d", h.s.LockCount(OpListFolders), h.s.ThrottledCount(OpListFolders))
	}
	h.must(h.do("POST", cats, map[string]any{"title": "x"}), 200, "")
	clk.Advance(time.Minute)
	h.must(h.do("GET", cats, nil), 200, "")
}

func TestLatency(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	timeIt := func(method, path string) time.Duration {
		start := time.Now()
		h.do(method, path, nil)
		return time.Since(start)
	}
	h.s.SetLatency(OpListFolders, 150*time.Millisecond)
	if d := timeIt("GET", cats); d < 150*time.Millisecond {
		t.Fatalf("GET took %v", d)
	}
	if d := timeIt("DELETE", "/api/v3/chats/1/pins"); d > 100*time.Millisecond {
		t.Fatalf("unpin took %v", d)
	}
	h.s.SetLatencyAll(120 * time.Millisecond)
	if d := timeIt("DELETE", "/api/v3/chats/1/pins"); d < 120*time.Millisecond {
		t.Fatalf("unpin took %v", d)
	}
	h.s.SetLatency(OpListFolders, 0)
	h.s.SetLatencyAll(0)
	if d := timeIt("GET", cats); d > 100*time.Millisecond {
		t.Fatalf("GET took %v", d)
	}
}

func TestFaultKindString(t *testing.T) {
	for k, want := range map[FaultKind]string{FaultStatus: "status", FaultDropBefore: "drop-before", FaultDropAfter: "drop-after", FaultThrottle: "throttle", 9: "FaultKind(9)"} {
		if k.String() != want {
			t.Errorf("%d: %q", int(k), k.String())
		}
	}
}
