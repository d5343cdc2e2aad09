package fakecliq

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
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

// rawDo sends a request and returns the answer whatever its body (the harness's do insists on JSON).
func rawDo(t *testing.T, h *harness, method, path, contentType, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(raw)
}

// TestFaultHTMLPage: for every operation (the token endpoint included), FaultHTMLBefore answers a
// 200 HTML page and commits nothing; FaultHTMLAfter commits the request and answers the same page.
func TestFaultHTMLPage(t *testing.T) {
	const jsonType = "application/json"
	type opCase struct {
		op            Op
		method, ctype string
		body          string
		committed     func(h *harness, f, g string) bool // nil: the operation changes nothing
		path2         func(f, g string) string
	}
	future := iso(time.Now().Add(time.Hour))
	cases := []opCase{
		{op: OpCreateFolder, method: "POST", ctype: jsonType, body: `{"title":"New","symbol":""}`,
			path2: func(string, string) string { return cats },
			committed: func(h *harness, _, _ string) bool {
				for _, f := range h.s.Folders() {
					if f.Title == "New" {
						return true
					}
				}
				return false
			}},
		{op: OpListFolders, method: "GET", path2: func(string, string) string { return cats + "?include_fields=chats" }},
		{op: OpBulkUnpin, method: "DELETE", path2: func(string, string) string { return cats + "?chat_ids=1" },
			committed: func(h *harness, f, _ string) bool { return !slices.Contains(h.chats(f), "1") }},
		{op: OpModifyFolder, method: "PUT", ctype: jsonType, body: `{"title":"Renamed"}`,
			path2:     func(f, _ string) string { return cats + "/" + f },
			committed: func(h *harness, f, _ string) bool { x, _ := h.s.Folder(f); return x.Title == "Renamed" }},
		{op: OpDeleteFolder, method: "DELETE", path2: func(_, g string) string { return cats + "/" + g },
			committed: func(h *harness, _, g string) bool { _, ok := h.s.Folder(g); return !ok }},
		{op: OpReorderChat, method: "PUT", ctype: jsonType, body: `{"chat_id":"1","last_sync_time":"` + future + `"}`,
			path2:     func(f, _ string) string { return cats + "/" + f },
			committed: func(h *harness, f, _ string) bool { return slices.Equal(h.chats(f), []string{"2", "1"}) }},
		{op: OpReorderFolder, method: "PUT", ctype: jsonType, body: `{"last_sync_time":"` + future + `"}`,
			path2:     func(f, _ string) string { return cats + "/" + f },
			committed: func(h *harness, f, g string) bool { return slices.Equal(h.order(), []string{DefaultFolderID, g, f}) }},
		{op: OpReplaceChats, method: "PUT", ctype: jsonType, body: `{"chat_ids":["3"],"last_sync_time":"` + future + `"}`,
			path2:     func(f, _ string) string { return cats + "/" + f },
			committed: func(h *harness, f, _ string) bool { return slices.Equal(h.chats(f), []string{"3"}) }},
		{op: OpPinChat, method: "POST", ctype: jsonType, body: `{}`, path2: func(string, string) string { return "/api/v3/chats/5/pins" },
			committed: func(h *harness, _, _ string) bool { return slices.Contains(h.chats(DefaultFolderID), "5") }},
		{op: OpUnpinChat, method: "DELETE", path2: func(string, string) string { return "/api/v3/chats/2/pins" },
			committed: func(h *harness, f, _ string) bool { return !slices.Contains(h.chats(f), "2") }},
		{op: OpToken, method: "POST", ctype: "application/x-www-form-urlencoded", body: creds("cid", "csecret", "rtok").Encode(),
			path2:     func(string, string) string { return "/oauth/v2/token" },
			committed: func(h *harness, _, _ string) bool { return h.s.TokenRefreshes() == 1 }},
	}
	for _, tc := range cases {
		for _, kind := range []FaultKind{FaultHTMLBefore, FaultHTMLAfter} {
			t.Run(string(tc.op)+"/"+kind.String(), func(t *testing.T) {
				opts := oauthOpts(newClock())
				opts.Now = nil
				opts.DisableRateLimits = true
				opts.OpenAPISpec = FindOpenAPISpec()
				h := newHarness(t, opts)
				f := h.s.CreateFolderOOB("F", "", []string{"1", "2"})
				g := h.s.CreateFolderOOB("G", "", nil)
				h.s.InjectFault(Fault{Op: tc.op, Kind: kind})
				status, ctype, body := rawDo(t, h, tc.method, tc.path2(f, g), tc.ctype, tc.body)
				if status != 200 || !strings.HasPrefix(ctype, "text/html") || body != DefaultFaultPage {
					t.Fatalf("answer %d %q %q, want 200 text/html with the fault page", status, ctype, body)
				}
				if tc.committed != nil {
					if got, want := tc.committed(h, f, g), kind == FaultHTMLAfter; got != want {
						t.Fatalf("committed = %v, want %v", got, want)
					}
				}
				log := h.s.RequestLog()
				if e := log[len(log)-1]; e.Op != tc.op || e.Status != 200 || e.Code != CodeHTMLPage {
					t.Fatalf("logged %+v, want %s 200 %s", e, tc.op, CodeHTMLPage)
				}
				if v := h.s.ContractViolations(); len(v) > 0 {
					t.Fatalf("a deliberate fault was reported as a contract violation: %v", v)
				}
				if len(h.s.PendingFaults()) != 0 {
					t.Fatal("the fault was not consumed")
				}
			})
		}
	}
}

// TestFaultHTMLPageBodies: Body, ContentType and NoBody shape other unreadable answers.
func TestFaultHTMLPageBodies(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	h.s.InjectFault(Fault{Op: OpListFolders, Kind: FaultHTMLBefore, Body: `{"data":[{"categ`, ContentType: "application/json"})
	if status, ctype, body := rawDo(t, h, "GET", cats, "", ""); status != 200 || ctype != "application/json" || body != `{"data":[{"categ` {
		t.Fatalf("%d %q %q", status, ctype, body)
	}
	h.s.InjectFault(Fault{Op: OpCreateFolder, Kind: FaultHTMLAfter, NoBody: true, ContentType: "none", Status: 201})
	if status, ctype, body := rawDo(t, h, "POST", cats, "application/json", `{"title":"x","symbol":""}`); status != 201 || ctype != "" || body != "" {
		t.Fatalf("%d %q %q", status, ctype, body)
	}
	if len(h.s.Folders()) != 2 {
		t.Fatal("FaultHTMLAfter did not commit the create")
	}
	if FaultHTMLBefore.String() != "html-before" || FaultHTMLAfter.String() != "html-after" {
		t.Fatal("kind names")
	}
}
