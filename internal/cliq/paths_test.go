package cliq

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// wireLog records the escaped path and raw query of every request the client sends.
type wireLog struct {
	mu    sync.Mutex
	sent  []string
	inner http.RoundTripper
}

func (w *wireLog) RoundTrip(req *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.sent = append(w.sent, req.Method+" "+req.URL.EscapedPath()+"?"+req.URL.RawQuery)
	w.mu.Unlock()
	return w.inner.RoundTrip(req)
}

func (w *wireLog) contains(s string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.ContainsFunc(w.sent, func(line string) bool { return strings.Contains(line, s) })
}

// Chat ids are opaque: each travels as one escaped path segment or query value, and the fake reads
// back exactly the id the client was given. The last id holds characters that would change the
// request if sent as they are ("%2F" would turn into "/", "&" would end the query value, "+" would
// turn into a space).
func TestIDsAreEscapedInPathsAndQueries(t *testing.T) {
	wire := &wireLog{inner: http.DefaultTransport}
	e := newTestEnv(t, fakecliq.Options{}, func(c *Config) { c.HTTPClient = &http.Client{Transport: wire} })
	ctx := testCtx(t)
	ids := []string{
		"CT_1847392056173920481_748291635",
		"CT_1207124526552602256_60002085329-T-1291567019566818579",
		"CT_1847392056173920481_P87610291-C4",
		"CT_1%2F2&x=y+z;é",
	}
	for _, id := range ids {
		must(t, e.client.PinChat(ctx, id, ""))
	}
	if got := e.chatIDs(t, DefaultFolderID); !slices.Equal(got, ids) {
		t.Fatalf("My Pins holds %q, want %q", got, ids)
	}
	if want := "POST /api/v3/chats/CT_1%252F2&x=y+z%3B%C3%A9/pins?"; !wire.contains(want) {
		t.Errorf("no request %q among %q", want, wire.sent)
	}
	must(t, e.client.UnpinChats(ctx, ids[2:]))
	if want := "DELETE /api/v3/pin-categories?chat_ids=CT_1847392056173920481_P87610291-C4,CT_1%252F2%26x%3Dy%2Bz%3B%C3%A9"; !wire.contains(want) {
		t.Errorf("no request %q among %q", want, wire.sent)
	}
	if got := e.chatIDs(t, DefaultFolderID); !slices.Equal(got, ids[:2]) {
		t.Fatalf("after the bulk unpin My Pins holds %q, want %q", got, ids[:2])
	}
	must(t, e.client.UnpinChat(ctx, ids[1]))
	if want := "DELETE /api/v3/chats/CT_1207124526552602256_60002085329-T-1291567019566818579/pins?"; !wire.contains(want) {
		t.Errorf("no request %q among %q", want, wire.sent)
	}
	if got := e.chatIDs(t, DefaultFolderID); !slices.Equal(got, ids[:1]) {
		t.Fatalf("after the unpin My Pins holds %q, want %q", got, ids[:1])
	}
}

// A folder id is one escaped path segment too, whatever it holds.
func TestFolderPathEscapesTheID(t *testing.T) {
	for id, want := range map[string]string{
		"4000000020001": "/pin-categories/4000000020001",
		"default":       "/pin-categories/default",
		"a/b?c#d %":     "/pin-categories/a%2Fb%3Fc%23d%20%25",
	} {
		if got := folderPath(id); got != want {
			t.Errorf("folderPath(%q) = %q, want %q", id, got, want)
		}
	}
}
