package fakecliq

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRouting(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	tests := []struct {
		method, path string
		status       int
		op           Op
		message      string
	}{
		{"GET", "/api/v3/nothing", 404, "", msgInvalidURL},
		{"GET", "/pin-categories", 404, "", msgInvalidURL},
		{"GET", "/api/v3/pin-categories/", 404, "", msgInvalidURL},
		{"GET", "/api/v3/pin-categories/1/extra", 404, "", msgInvalidURL},
		{"GET", "/api/v3/chats/1", 404, "", msgInvalidURL},
		{"PATCH", "/api/v3/pin-categories", 405, "", msgBadMethod},
		{"PUT", "/api/v3/pin-categories", 405, "", msgBadMethod},
		{"GET", "/api/v3/pin-categories/123", 405, "", msgBadMethod},
		{"POST", "/api/v3/pin-categories/123", 405, "", msgBadMethod},
		{"GET", "/api/v3/chats/123/pins", 405, "", msgBadMethod},
		{"GET", "/oauth/v2/token", 405, OpToken, msgBadMethod},
		{"GET", "/api/v3/pin-categories", 200, OpListFolders, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			h.s.ResetCounts()
			r := h.do(tt.method, tt.path, nil)
			if r.status != tt.status || r.message() != tt.message {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			log := h.s.RequestLog()
			if len(log) != 1 || log[0].Op != tt.op || log[0].Status != tt.status {
				t.Fatalf("log = %+v", log)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	h := newHarness(t, Options{AccessToken: "static-token"})
	if h.s.AccessToken() != "static-token" {
		t.Fatalf("AccessToken() = %q", h.s.AccessToken())
	}
	tests := []struct {
		auth   string
		status int
	}{
		{"", 401},
		{"Bearer", 401},
		{"Bearer ", 401},
		{"Bearer wrong", 401},
		{"Basic static-token", 401},
		{"static-token", 401},
		{"Bearer static-token", 200},
		{"bearer static-token", 200},
		{"Zoho-oauthtoken static-token", 200},
	}
	for _, tt := range tests {
		r := h.doAuth("GET", "/api/v3/pin-categories", nil, tt.auth)
		if r.status != tt.status {
			t.Errorf("auth %q: status %d, want %d", tt.auth, r.status, tt.status)
		}
		if tt.status == 401 && r.message() != msgUnauthorized {
			t.Errorf("auth %q: body %s", tt.auth, r.body)
		}
	}
	if got := h.s.RequestCount(OpListFolders); got != len(tests) {
		t.Errorf("RequestCount = %d, want %d (unauthenticated requests count)", got, len(tests))
	}
}

func TestRandomAccessToken(t *testing.T) {
	a, b := New(Options{}).AccessToken(), New(Options{}).AccessToken()
	if a == b || !strings.HasPrefix(a, "1000.") || len(a) < 40 {
		t.Fatalf("tokens %q %q", a, b)
	}
}

func TestHeadersAndClock(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{Now: clk.Now, ClockSkew: -90 * time.Second})
	r := h.must(h.do("GET", "/api/v3/pin-categories", nil), 200, "")
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	want := clk.Now().Add(-90 * time.Second).Format(http.TimeFormat)
	if d := r.header.Get("Date"); d != want {
		t.Errorf("Date %q, want %q", d, want)
	}
	if got := h.s.Now(); !got.Equal(clk.Now().Add(-90 * time.Second)) {
		t.Errorf("Now() = %v", got)
	}
	id := h.create("A")
	r = h.must(h.do("DELETE", "/api/v3/pin-categories/"+id, nil), 204, "")
	if len(r.body) != 0 || r.header.Get("Content-Type") != "" {
		t.Errorf("204 with body %q / Content-Type %q", r.body, r.header.Get("Content-Type"))
	}
	if r.header.Get("Date") == "" {
		t.Error("204 without Date")
	}
	r = h.must(h.do("GET", "/api/v3/nope", nil), 404, "")
	if r.header.Get("Date") != want || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("404 headers %v", r.header)
	}
}

func TestRequestLogAndCounts(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{Now: clk.Now})
	h.create("A")
	h.do("GET", "/api/v3/pin-categories?include_fields=chats", nil)
	h.must(h.do("POST", "/api/v3/pin-categories", map[string]any{"symbol": "x"}), 400, "param_missing")
	log := h.s.RequestLog()
	if len(log) != 3 {
		t.Fatalf("log = %+v", log)
	}
	if l := log[1]; l.Op != OpListFolders || l.Method != "GET" || l.Path != "/api/v3/pin-categories" || l.Query != "include_fields=chats" || l.Status != 200 || !l.Time.Equal(clk.Now()) {
		t.Errorf("entry = %+v", l)
	}
	if l := log[2]; l.Code != "param_missing" || l.Status != 400 || !strings.Contains(l.Body, `"symbol"`) {
		t.Errorf("entry = %+v", l)
	}
	if h.s.RequestCount(OpCreateFolder) != 2 || h.s.RequestCount(OpListFolders) != 1 {
		t.Errorf("counts %d %d", h.s.RequestCount(OpCreateFolder), h.s.RequestCount(OpListFolders))
	}
	h.s.ResetCounts()
	if h.s.RequestCount(OpCreateFolder) != 0 || len(h.s.RequestLog()) != 0 {
		t.Error("ResetCounts kept counts")
	}
	if len(h.s.Folders()) != 2 {
		t.Error("ResetCounts changed state")
	}
}

func TestRequestLogBounded(t *testing.T) {
	s := New(Options{DisableRateLimits: true})
	for range maxLogEntries + 5 {
		s.finish(discardWriter{}, &apiRequest{method: "GET", path: "/x"}, errorResponse(404, "", msgInvalidURL))
	}
	if n := len(s.RequestLog()); n != maxLogEntries {
		t.Fatalf("log length %d", n)
	}
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}

func TestAllOps(t *testing.T) {
	ops := AllOps()
	if len(ops) != 10 || slices.Contains(ops, OpToken) {
		t.Fatalf("AllOps = %v", ops)
	}
	for _, op := range ops {
		if op.operationID() == "" || !op.valid() {
			t.Errorf("%s has no operationId", op)
		}
	}
	want := map[Op]int{OpCreateFolder: 20, OpListFolders: 20, OpBulkUnpin: 20, OpDeleteFolder: 20, OpModifyFolder: 50,
		OpReorderChat: 50, OpReorderFolder: 50, OpReplaceChats: 50, OpPinChat: 50, OpUnpinChat: 50, OpToken: 10}
	for op, n := range want {
		if DefaultThreshold(op) != n {
			t.Errorf("DefaultThreshold(%s) = %d, want %d", op, DefaultThreshold(op), n)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	id := h.create("A")
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			chat := "10" + string(rune('0'+i))
			for range 10 {
				h.do("POST", "/api/v3/chats/"+chat+"/pins", map[string]any{"category_id": id})
				h.do("GET", "/api/v3/pin-categories?include_fields=chats", nil)
				h.do("DELETE", "/api/v3/chats/"+chat+"/pins", nil)
				_ = h.s.Folders()
			}
		}()
	}
	for range 8 {
		<-done
	}
	if got := h.s.RequestCount(OpPinChat); got != 80 {
		t.Fatalf("pin count %d", got)
	}
	if c := h.chats(id); len(c) != 0 {
		t.Fatalf("chats left: %v", c)
	}
}
