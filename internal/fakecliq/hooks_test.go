package fakecliq

import (
	"sync"
	"testing"
	"time"
)

func TestBeforeExecuteRacesTheRequest(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{DisableRateLimits: true, Now: clk.Now})
	id := h.create("A", "1", "2")
	var mu sync.Mutex
	var seen []LoggedRequest
	// Another client edits the folder between the client's sync and its PUT.
	h.s.BeforeExecute(OpReplaceChats, func(r LoggedRequest) {
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
		clk.Advance(time.Millisecond)
		h.s.TouchFolderOOB(id)
	})
	sync := iso(h.s.Now())
	h.must(h.do("PUT", cats+"/"+id, map[string]any{"chat_ids": []string{"2"}, "last_sync_time": sync}), 400, "client_not_synced")
	h.must(h.do("GET", cats, nil), 200, "") // other ops: no hook
	if len(seen) != 1 || seen[0].Op != OpReplaceChats || seen[0].Status != 0 || seen[0].Path != cats+"/"+id {
		t.Fatalf("seen %+v", seen)
	}
	h.s.ClearHooks()
	h.must(h.do("PUT", cats+"/"+id, map[string]any{"chat_ids": []string{"2"}, "last_sync_time": iso(h.s.Now())}), 204, "")
	if len(seen) != 1 {
		t.Fatal("hook ran after ClearHooks")
	}
}

func TestBeforeExecuteSkipsRejectedRequests(t *testing.T) {
	h := newHarness(t, Options{Thresholds: map[Op]int{OpListFolders: 1}})
	n := 0
	h.s.BeforeExecute("", func(LoggedRequest) { n++ })
	h.doAuth("GET", cats, nil, "")                        // 401
	h.must(h.do("GET", cats, nil), 200, "")               // runs
	h.must(h.do("GET", cats, nil), 429, "")               // throttled
	h.s.InjectFault(Fault{Op: OpCreateFolder})            //
	h.must(h.do("POST", cats, map[string]any{}), 500, "") // faulted
	h.must(h.do("POST", cats, map[string]any{}), 400, "param_missing")
	if n != 2 {
		t.Fatalf("hook ran %d times", n)
	}
}

func TestAfterRequest(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	var mu sync.Mutex
	var got []LoggedRequest
	h.s.AfterRequest(func(r LoggedRequest) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r)
		_ = h.s.Folders() // may use the server
	})
	h.must(h.do("GET", cats, nil), 200, "")
	h.must(h.do("GET", "/api/v3/nope", nil), 404, "")
	h.must(h.do("DELETE", "/api/v3/chats/5/pins", nil), 400, "chat_operation_failed")
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || got[0].Status != 200 || got[1].Status != 404 || got[1].Op != "" || got[2].Code != "chat_operation_failed" || got[2].Op != OpUnpinChat {
		t.Fatalf("got %+v", got)
	}
}
