package fakecliq

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is a fake server plus a plain net/http client.
type harness struct {
	t     testing.TB
	s     *Server
	ts    *httptest.Server
	token string
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	s, ts := NewTestServer(t, opts)
	return &harness{t: t, s: s, ts: ts, token: s.AccessToken()}
}

// with returns a copy of h reporting to t (for subtests).
func (h *harness) with(t testing.TB) *harness {
	c := *h
	c.t = t
	return &c
}

type result struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

// code is the "code" of an error body.
func (r result) code() string {
	c, _ := r.json["code"].(string)
	return c
}

func (r result) message() string {
	m, _ := r.json["message"].(string)
	return m
}

// do sends a request with the harness token. body may be nil, a string (sent
// verbatim) or any value (JSON-encoded).
func (h *harness) do(method, path string, body any) result {
	h.t.Helper()
	return h.doAuth(method, path, body, "Bearer "+h.token)
}

func (h *harness) doAuth(method, path string, body any, auth string) result {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, h.ts.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	r := result{status: resp.StatusCode, header: resp.Header, body: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.json); err != nil {
			h.t.Fatalf("%s %s: body is not a JSON object: %q", method, path, raw)
		}
	}
	return r
}

// must asserts the status (and, if code != "", the error code) of a result.
func (h *harness) must(r result, status int, code string) result {
	h.t.Helper()
	if r.status != status || r.code() != code {
		h.t.Fatalf("got %d %q (%s), want %d %q", r.status, r.code(), r.body, status, code)
	}
	return r
}

// create makes a folder through the API and returns its id.
func (h *harness) create(title string, chats ...string) string {
	h.t.Helper()
	body := map[string]any{"title": title, "symbol": ":smile:"}
	if chats != nil {
		body["chat_ids"] = chats
	}
	r := h.must(h.do("POST", "/api/v3/pin-categories", body), 200, "")
	data := r.json["data"].(map[string]any)
	return data["category_id"].(string)
}

// chats returns a folder's chat ids, failing when it does not exist.
func (h *harness) chats(id string) []string {
	h.t.Helper()
	f, ok := h.s.Folder(id)
	if !ok {
		h.t.Fatalf("folder %s does not exist", id)
	}
	return f.ChatIDs
}

// order returns the folder ids in display order.
func (h *harness) order() []string {
	var ids []string
	for _, f := range h.s.Folders() {
		ids = append(ids, f.ID)
	}
	return ids
}

func iso(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ok fails the test when a setup step (an out-of-band change) fails.
func (h *harness) ok(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}
