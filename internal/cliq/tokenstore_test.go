//go:build unix

// The access-token file is used where flock and O_NOFOLLOW are (unix); tokenstore_other_test.go
// checks that it is not used elsewhere.

package cliq

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// tokenFiles lists the access-token files in dir.
func tokenFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "token-*.json"))
	must(t, err)
	return files
}

// newClientLike is another provider process for e's account: a new Client with e's settings,
// tweaked.
func newClientLike(t *testing.T, e *testEnv, tweak func(*Config)) *Client {
	t.Helper()
	cfg := e.client.cfg.Config
	tweak(&cfg)
	c, err := New(cfg)
	must(t, err)
	return c
}

func withDir(dir string) func(*Config) { return func(c *Config) { c.RateStateDir = dir } }

// tokenFileWarnings returns the WARN lines about the access-token file in a tflogtest log.
func tokenFileWarnings(t *testing.T, logs *bytes.Buffer) []string {
	t.Helper()
	entries, err := tflogtest.MultilineJSONDecode(logs)
	must(t, err)
	var out []string
	for _, e := range entries {
		if msg, _ := e["@message"].(string); e["@level"] == "warn" && strings.Contains(msg, "access-token file") {
			out = append(out, msg)
		}
	}
	return out
}

// TestProcessesShareOneAccessToken: provider processes of one account (new Clients on one state
// directory) refresh once between them, even when they ask at the same moment; the file is the
// owner's only and holds neither the refresh token nor the client secret.
func TestProcessesShareOneAccessToken(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	e := newTestEnv(t, oauthOpts, withDir(dir))
	ctx := testCtx(t)
	clients := []*Client{e.client}
	for range 4 {
		clients = append(clients, newClientLike(t, e, func(*Config) {}))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(clients))
	for i, c := range clients {
		wg.Go(func() { _, errs[i] = c.fetch(ctx, IncludeFields{}) })
	}
	wg.Wait()
	must(t, errors.Join(errs...))
	for range 3 { // later runs
		_, err := newClientLike(t, e, func(*Config) {}).fetch(ctx, IncludeFields{})
		must(t, err)
	}
	if n := e.fake.RequestCount(fakecliq.OpToken); n != 1 {
		t.Fatalf("token requests = %d, want 1 for 8 processes", n)
	}
	files := tokenFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("access-token files: %v, want one", files)
	}
	info, err := os.Stat(files[0])
	must(t, err)
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("the access-token file has mode %04o, want 0600", perm)
	}
	dinfo, err := os.Stat(dir)
	must(t, err)
	if perm := dinfo.Mode().Perm(); perm != 0o700 {
		t.Errorf("the state directory has mode %04o, want 0700", perm)
	}
	data, err := os.ReadFile(files[0])
	must(t, err)
	for what, secret := range map[string]string{"refresh token": oauthOpts.RefreshToken, "client secret": oauthOpts.ClientSecret, "client id": oauthOpts.ClientID} {
		if bytes.Contains(data, []byte(secret)) || strings.Contains(files[0], secret) {
			t.Errorf("the access-token file shows the %s", what)
		}
	}
	if !bytes.Contains(data, []byte(e.fake.IssuedAccessTokens()[0])) {
		t.Fatalf("the file does not hold the access token: the test would prove nothing: %s", data)
	}
}

// TestStoredTokenServesOnlyItsCredentials: a process with another refresh token, client, secret or
// account never sends the stored token: it refreshes with its own credentials.
func TestStoredTokenServesOnlyItsCredentials(t *testing.T) {
	dir := t.TempDir()
	e := newTestEnv(t, oauthOpts, withDir(dir))
	ctx := testCtx(t)
	_, err := e.client.fetch(ctx, IncludeFields{})
	must(t, err)

	// Other credentials on the same account: the fake knows only oauthOpts, so a refresh fails,
	// while the stored token would have worked.
	for name, tweak := range map[string]func(*Config){
		"refresh token": func(c *Config) { c.RefreshToken += "-other" },
		"client id":     func(c *Config) { c.ClientID += "-other" },
		"client secret": func(c *Config) { c.ClientSecret += "-other" },
	} {
		before := e.fake.RequestCount(fakecliq.OpToken)
		_, err := newClientLike(t, e, tweak).fetch(ctx, IncludeFields{})
		var te *TokenError
		if !errors.As(err, &te) {
			t.Errorf("another %s: %v, want a refresh refused by the fake (the stored token was used)", name, err)
		}
		if n := e.fake.RequestCount(fakecliq.OpToken) - before; n != 1 {
			t.Errorf("another %s: %d token requests, want 1", name, n)
		}
	}

	// Another account (another Cliq server) with the same credentials refreshes at its own server.
	other := newTestEnv(t, oauthOpts, withDir(dir))
	_, err = other.client.fetch(ctx, IncludeFields{})
	must(t, err)
	if n := other.fake.RequestCount(fakecliq.OpToken); n != 1 {
		t.Fatalf("the other account's token requests = %d, want 1", n)
	}
	if n := e.fake.RequestCount(fakecliq.OpToken); n != 4 {
		t.Fatalf("the first account's token requests = %d, want 4", n)
	}
	if n := len(tokenFiles(t, dir)); n != 5 {
		t.Fatalf("%d access-token files, want one per set of credentials and account (5)", n)
	}
}

func TestTokenStoreKeyCoversEveryPart(t *testing.T) {
	base := Config{APIURL: "https://cliq.zoho.eu", ClientID: "1000.A", ClientSecret: "s", RefreshToken: "1000.r"}
	key := func(c Config) string {
		rc, err := c.resolve()
		must(t, err)
		return tokenStoreKey(rc)
	}
	seen := map[string]string{key(base): "base"}
	for name, c := range map[string]Config{
		"data centre":   {DataCenter: "in", ClientID: "1000.A", ClientSecret: "s", RefreshToken: "1000.r"},
		"accounts url":  {APIURL: "https://cliq.zoho.eu", AccountsURL: "https://accounts.zoho.com.au", ClientID: "1000.A", ClientSecret: "s", RefreshToken: "1000.r"},
		"client id":     {APIURL: "https://cliq.zoho.eu", ClientID: "1000.B", ClientSecret: "s", RefreshToken: "1000.r"},
		"client secret": {APIURL: "https://cliq.zoho.eu", ClientID: "1000.A", ClientSecret: "t", RefreshToken: "1000.r"},
		"refresh token": {APIURL: "https://cliq.zoho.eu", ClientID: "1000.A", ClientSecret: "s", RefreshToken: "1000.q"},
	} {
		k := key(c)
		if prev, ok := seen[k]; ok {
			t.Errorf("%s and %s share a key", name, prev)
		}
		seen[k] = name
	}
	// The grant decides, not the Cliq URL: a network's path or an alias shares the token and the count.
	for _, api := range []string{"https://cliq.zoho.eu/network/acme", "https://cliq.zoho.eu/"} {
		if k := key(Config{APIURL: api, ClientID: "1000.A", ClientSecret: "s", RefreshToken: "1000.r"}); k != key(base) {
			t.Errorf("api_url %s has a key of its own", api)
		}
	}
}

// TestUnusableTokenFileFallsBack: an unwritable directory, a corrupt file or a file open to other
// users gives one warning, and the process refreshes on its own as before; the file is left as it was.
func TestUnusableTokenFileFallsBack(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, dir, path string) // path: the access-token file
		want    string
	}{
		{"unwritable directory", nil, "not a directory"},
		{"corrupt", func(t *testing.T, dir, path string) {
			must(t, os.WriteFile(path, []byte(`{"version":1,"key":`), 0o600))
		}, "is corrupt"},
		{"open to others", func(t *testing.T, dir, path string) {
			must(t, os.WriteFile(path, []byte(`{"version":1}`), 0o600))
			must(t, os.Chmod(path, 0o644))
		}, "is open to other users (mode 0644"},
		{"later format", func(t *testing.T, dir, path string) { must(t, os.WriteFile(path, []byte(`{"version":7}`), 0o600)) }, "format 7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.prepare == nil {
				dir = unwritableDir(t)
			}
			e := newTestEnv(t, oauthOpts, withDir(dir))
			path := e.client.creds.(*refreshingToken).file.path
			var before []byte
			if tc.prepare != nil {
				tc.prepare(t, dir, path)
				before, _ = os.ReadFile(path)
			}
			var logs bytes.Buffer
			ctx := tflogtest.RootLogger(testCtx(t), &logs)
			for range 3 {
				_, err := e.client.ListFolders(ctx)
				must(t, err)
			}
			if n := e.fake.RequestCount(fakecliq.OpToken); n != 1 {
				t.Fatalf("token requests = %d, want 1", n)
			}
			warns := tokenFileWarnings(t, &logs)
			if len(warns) != 1 {
				t.Fatalf("%d warnings about the access-token file, want 1:\n%s", len(warns), logs.String())
			}
			for _, want := range []string{tc.want, "CLIQ_RATE_STATE_DIR", "in this process only"} {
				if !strings.Contains(warns[0], want) {
					t.Errorf("the warning lacks %q: %s", want, warns[0])
				}
			}
			for _, secret := range []string{oauthOpts.RefreshToken, oauthOpts.ClientSecret, e.fake.IssuedAccessTokens()[0]} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("the log shows a secret")
				}
			}
			if tc.prepare != nil {
				if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
					t.Errorf("the file was changed from %q to %q", before, after)
				}
			}
		})
	}
}

// TestRefreshLimitStopsBeforeZoho: once the machine obtained Zoho's 10 access tokens from a
// refresh token within the window, the next refresh is not sent, in this process or another: the
// error names the limit and when to retry, and no secret.
func TestRefreshLimitStopsBeforeZoho(t *testing.T) {
	e := newTestEnv(t, oauthOpts, withDir(t.TempDir())) // a one-second minute: a ten-second token window
	ctx := testCtx(t)
	for i := range 10 {
		e.fake.ExpireAccessTokens() // Cliq rejects the token: one 401, one refresh
		if _, err := e.client.fetch(ctx, IncludeFields{}); err != nil {
			t.Fatalf("fetch %d: %v", i+1, err)
		}
	}
	e.fake.ExpireAccessTokens()
	for _, c := range []*Client{e.client, newClientLike(t, e, func(*Config) {})} {
		_, err := c.fetch(ctx, IncludeFields{})
		var le *RefreshLimitError
		if !errors.As(err, &le) {
			t.Fatalf("the 11th refresh: %v, want a *RefreshLimitError", err)
		}
		msg := err.Error()
		for _, want := range []string{"10 access tokens per refresh token in 10s", "Access Denied", "Retry after "} {
			if !strings.Contains(msg, want) {
				t.Errorf("the message lacks %q: %s", want, msg)
			}
		}
		for _, secret := range []string{oauthOpts.RefreshToken, oauthOpts.ClientSecret, oauthOpts.ClientID} {
			if strings.Contains(msg, secret) {
				t.Errorf("the message shows a secret: %s", msg)
			}
		}
		if wait := time.Until(le.RetryAfter); wait <= 0 || wait > 10*time.Second {
			t.Errorf("retry after %s, want within the window", wait)
		}
	}
	if n, denied := e.fake.RequestCount(fakecliq.OpToken), e.fake.ThrottledCount(fakecliq.OpToken); n != 10 || denied != 0 {
		t.Fatalf("token requests = %d (%d denied), want 10 and none denied", n, denied)
	}
}

func TestCountRefreshWindow(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	st := &sharedToken{}
	for i := range 3 {
		must(t, countRefresh(st, t0.Add(time.Duration(i)*time.Minute), 3, 10*time.Minute))
	}
	err := countRefresh(st, t0.Add(9*time.Minute), 3, 10*time.Minute)
	var le *RefreshLimitError
	pad := refreshPad(10 * time.Minute)
	if !errors.As(err, &le) || !le.RetryAfter.Equal(t0.Add(10*time.Minute+pad)) {
		t.Fatalf("4th refresh in the window: %v", err)
	}
	if !strings.Contains(err.Error(), "3 access tokens per refresh token in 10 minutes") {
		t.Errorf("message: %s", err)
	}
	must(t, countRefresh(st, t0.Add(10*time.Minute+pad), 3, 10*time.Minute)) // the first left the padded window
	if len(st.Refreshes) != 3 {
		t.Fatalf("refreshes kept: %v", st.Refreshes)
	}
}

// TestExpiredStoredTokenIsRefreshed: a stored token within the margin of its expiry is not
// handed out; the next process refreshes and stores the new one.
func TestExpiredStoredTokenIsRefreshed(t *testing.T) {
	opts := oauthOpts
	opts.AccessTokenTTL = 11 * time.Second // usable for one second (the margin is at least 10s)
	dir := t.TempDir()
	e := newTestEnv(t, opts, withDir(dir))
	ctx := testCtx(t)
	_, err := e.client.fetch(ctx, IncludeFields{})
	must(t, err)
	time.Sleep(1100 * time.Millisecond)
	_, err = newClientLike(t, e, func(*Config) {}).fetch(ctx, IncludeFields{})
	must(t, err)
	if n := e.fake.RequestCount(fakecliq.OpToken); n != 2 {
		t.Fatalf("token requests = %d, want 2", n)
	}
	data, err := os.ReadFile(tokenFiles(t, dir)[0])
	must(t, err)
	if issued := e.fake.IssuedAccessTokens(); !bytes.Contains(data, []byte(issued[1])) || bytes.Contains(data, []byte(issued[0])) {
		t.Fatalf("the file does not hold the new token alone: %s", data)
	}
}

// TestRejectedStoredTokenIsReplaced: a stored token Cliq answers 401 to leads to one refresh, and
// the new token replaces it for the processes that follow; no loop.
func TestRejectedStoredTokenIsReplaced(t *testing.T) {
	e := newTestEnv(t, oauthOpts, withDir(t.TempDir()))
	ctx := testCtx(t)
	_, err := e.client.fetch(ctx, IncludeFields{})
	must(t, err)
	e.fake.ExpireAccessTokens() // revoked at Zoho, still valid by its expiry
	_, err = newClientLike(t, e, func(*Config) {}).fetch(ctx, IncludeFields{})
	must(t, err)
	_, err = newClientLike(t, e, func(*Config) {}).fetch(ctx, IncludeFields{})
	must(t, err)
	_, err = e.client.fetch(ctx, IncludeFields{}) // its own token is rejected: it takes the stored one
	must(t, err)
	if n := e.fake.RequestCount(fakecliq.OpToken); n != 2 {
		t.Fatalf("token requests = %d, want 2", n)
	}
	if n := e.count(OpListFolders); n != 6 {
		t.Fatalf("list requests = %d, want 6 (two 401s and four answers)", n)
	}

	// A token rejected again right after its refresh fails the request instead of looping.
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Status: 401, Times: 2})
	_, err = newClientLike(t, e, func(*Config) {}).fetch(ctx, IncludeFields{})
	if err == nil {
		t.Fatal("two 401s in a row succeeded")
	}
	if n := e.fake.RequestCount(fakecliq.OpToken); n != 3 {
		t.Fatalf("token requests = %d, want 3", n)
	}
}

// TestFailedTokenFileWriteSendsNoSecondRefresh: when the file cannot be written after a refresh was
// refused (by Zoho, or by the limit before sending), the refusal is the answer: no second refresh
// is sent in process.
func TestFailedTokenFileWriteSendsNoSecondRefresh(t *testing.T) {
	failingWrites := func(c *Client) *Client {
		c.creds.(*refreshingToken).file.writeFault = errors.New("injected: no space left on device")
		return c
	}
	t.Run("refused by Zoho", func(t *testing.T) {
		e := newTestEnv(t, oauthOpts, withDir(t.TempDir()))
		revoked := failingWrites(newClientLike(t, e, func(c *Config) { c.RefreshToken += "-revoked" }))
		_, err := revoked.fetch(testCtx(t), IncludeFields{})
		var te *TokenError
		if !errors.As(err, &te) || te.Code != "invalid_code" {
			t.Fatalf("a revoked refresh token: %v, want invalid_code", err)
		}
		if n := e.fake.RequestCount(fakecliq.OpToken); n != 1 {
			t.Fatalf("a revoked refresh token cost %d token requests, want 1", n)
		}
	})
	t.Run("refused by the limit", func(t *testing.T) {
		e := newTestEnv(t, oauthOpts, withDir(t.TempDir()))
		ctx := testCtx(t)
		for i := range 10 {
			e.fake.ExpireAccessTokens()
			if _, err := e.client.fetch(ctx, IncludeFields{}); err != nil {
				t.Fatalf("fetch %d: %v", i+1, err)
			}
		}
		e.fake.ExpireAccessTokens()
		_, err := failingWrites(newClientLike(t, e, func(*Config) {})).fetch(ctx, IncludeFields{})
		var le *RefreshLimitError
		if !errors.As(err, &le) {
			t.Errorf("the 11th refresh with an unwritable file: %v, want a *RefreshLimitError", err)
		}
		if n := e.fake.RequestCount(fakecliq.OpToken); n != 10 {
			t.Fatalf("token requests = %d, want 10", n)
		}
	})
}

// TestAccessTokenServesEveryAPIURLOfItsGrant: Zoho counts refreshes per refresh token, and the
// token serves every Cliq URL of its account, so two configurations with the same credentials and
// accounts server but another api_url (here an alias of the same host) share the token and the count.
func TestAccessTokenServesEveryAPIURLOfItsGrant(t *testing.T) {
	dir := t.TempDir()
	e := newTestEnv(t, oauthOpts, withDir(dir))
	ctx := testCtx(t)
	_, err := e.client.fetch(ctx, IncludeFields{})
	must(t, err)
	alias := newClientLike(t, e, func(c *Config) {
		c.AccountsURL = c.APIURL
		c.APIURL = strings.Replace(c.APIURL, "127.0.0.1", "localhost", 1)
	})
	if alias.APIBaseURL() == e.client.APIBaseURL() {
		t.Fatalf("the alias is the same URL %s: the test would prove nothing", alias.APIBaseURL())
	}
	_, err = alias.fetch(ctx, IncludeFields{})
	must(t, err)
	if n := e.fake.RequestCount(fakecliq.OpToken); n != 1 {
		t.Fatalf("token requests = %d, want 1 for one refresh token", n)
	}
	if files := tokenFiles(t, dir); len(files) != 1 {
		t.Fatalf("access-token files %v, want one", files)
	}
}

// TestTokenStoreKeyIsUnambiguous: parts that run into each other give different keys.
func TestTokenStoreKeyIsUnambiguous(t *testing.T) {
	key := func(id, refresh string) string {
		rc, err := Config{APIURL: "https://cliq.zoho.eu", ClientID: id, ClientSecret: "s", RefreshToken: refresh}.resolve()
		must(t, err)
		return tokenStoreKey(rc)
	}
	if key("a\x00b", "c") == key("a", "b\x00c") {
		t.Fatal(`client id "a\x00b" with refresh token "c" and "a" with "b\x00c" share a key`)
	}
}

// TestRefreshesThatIssueNoTokenAreNotCounted: a refresh that never left the machine (the accounts
// server refused the connection) or that Zoho answered with an error issued no token, so it does
// not count towards the limit: a broken proxy or a typo cannot lock the user out. Zoho documents its
// limit as access tokens generated ("You can generate a maximum of 10 access tokens from a refresh
// token in a span of 10 minutes"), and "Access Denied" is its refusal, which generates none.
func TestRefreshesThatIssueNoTokenAreNotCounted(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // its port now refuses connections
	for name, tweak := range map[string]func(*Config){
		"connection refused": func(c *Config) { c.AccountsURL = closed.URL },
		"invalid_code":       func(c *Config) { c.RefreshToken += "-revoked" },
		"Access Denied":      func(*Config) {}, // the fault is injected below
		"proxy refuses connections": func(c *Config) {
			proxy, err := url.Parse(closed.URL)
			must(t, err)
			c.HTTPClient = &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			e := newTestEnv(t, oauthOpts, withDir(dir), tweak, func(c *Config) { c.TokenRefreshLimit = 2 })
			if name == "Access Denied" {
				e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpToken, Kind: fakecliq.FaultThrottle, Times: -1})
			}
			ctx := testCtx(t)
			for i := range 4 {
				_, err := e.client.fetch(ctx, IncludeFields{})
				var te *TokenError
				if !errors.As(err, &te) {
					t.Fatalf("refresh %d: %v, want the refresh's own error", i+1, err)
				}
			}
			data, err := os.ReadFile(tokenFiles(t, dir)[0])
			must(t, err)
			var st sharedToken
			must(t, json.Unmarshal(data, &st))
			if len(st.Refreshes) != 0 {
				t.Fatalf("refreshes recorded: %v, want none", st.Refreshes)
			}
		})
	}
}

// TestAmbiguousRefreshesAreCounted: a refresh whose connection closed without an answer, or whose
// answer cannot be read, may have issued a token at Zoho: it counts, and the limit still holds.
func TestAmbiguousRefreshesAreCounted(t *testing.T) {
	for name, fault := range map[string]fakecliq.Fault{
		"connection closed":     {Op: fakecliq.OpToken, Kind: fakecliq.FaultDropBefore, Times: -1},
		"unreadable answer":     {Op: fakecliq.OpToken, Kind: fakecliq.FaultHTMLBefore, Times: -1},
		"HTTP 500 without code": {Op: fakecliq.OpToken, Status: 500, Times: -1},
	} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t, oauthOpts, withDir(t.TempDir()), func(c *Config) { c.TokenRefreshLimit = 2 })
			e.fake.InjectFault(fault)
			ctx := testCtx(t)
			var err error
			for range 3 {
				if _, err = e.client.fetch(ctx, IncludeFields{}); err == nil {
					t.Fatal("a refresh under the fault succeeded: the test would prove nothing")
				}
				var le *RefreshLimitError
				if errors.As(err, &le) {
					break
				}
			}
			var le *RefreshLimitError
			if !errors.As(err, &le) {
				t.Fatalf("after three failed refreshes: %v, want a *RefreshLimitError", err)
			}
			if n := e.fake.RequestCount(fakecliq.OpToken); n != 2 {
				t.Fatalf("token requests = %d, want the limit (2)", n)
			}
		})
	}
}

// TestRefreshWindowIsPadded: a refresh exactly Zoho's window after the oldest one may still land
// inside Zoho's window (clocks, latency), so the window is padded; the retry time says so.
func TestRefreshWindowIsPadded(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	window := 10 * time.Minute
	pad := refreshPad(window)
	if pad < 5*time.Second || pad > 30*time.Second {
		t.Fatalf("pad %s, want a few seconds of a ten-minute window", pad)
	}
	st := &sharedToken{}
	for i := range 3 {
		must(t, countRefresh(st, t0.Add(time.Duration(i)*time.Minute), 3, window))
	}
	err := countRefresh(st, t0.Add(window), 3, window)
	var le *RefreshLimitError
	if !errors.As(err, &le) || !le.RetryAfter.Equal(t0.Add(window+pad)) {
		t.Fatalf("a refresh one window after the first: %v, want refused until %s", err, t0.Add(window+pad))
	}
	must(t, countRefresh(st, t0.Add(window+pad), 3, window))
}

// TestRetryAfterWithUnsortedRefreshes: after the clock moved backwards, the recorded refreshes are
// not in order; the retry time is still when the oldest leaves the window.
func TestRetryAfterWithUnsortedRefreshes(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	window := 10 * time.Minute
	st := &sharedToken{Refreshes: []time.Time{t0.Add(5 * time.Minute), t0.Add(time.Minute), t0.Add(3 * time.Minute)}}
	err := countRefresh(st, t0.Add(6*time.Minute), 3, window)
	var le *RefreshLimitError
	if want := t0.Add(time.Minute + window + refreshPad(window)); !errors.As(err, &le) || !le.RetryAfter.Equal(want) {
		t.Fatalf("%v, want refused until %s", err, want)
	}
}

// TestStaleTemporaryTokenFilesAreRemoved: a temporary file left by a process that died while
// writing is removed by the next one that holds the lock.
func TestStaleTemporaryTokenFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	e := newTestEnv(t, oauthOpts, withDir(dir))
	f := e.client.creds.(*refreshingToken).file
	stale := filepath.Join(dir, ".token-"+f.key[:16]+"-12345.tmp")
	must(t, os.WriteFile(stale, []byte("{}"), 0o600))
	_, err := e.client.fetch(testCtx(t), IncludeFields{})
	must(t, err)
	if _, err := os.Lstat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the stale temporary file is still there: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".token-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestUntrustedStateDirectoryOrLinkFallsBack: a state directory other users can write to, or a
// token file that is a symbolic link, is not used: one warning, and the process refreshes on its own.
func TestUntrustedStateDirectoryOrLinkFallsBack(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, dir, path string)
		want    string
	}{
		{"group-writable directory", func(t *testing.T, dir, path string) { must(t, os.Chmod(dir, 0o770)) }, "writable by other users (mode 0770"},
		{"world-writable directory", func(t *testing.T, dir, path string) { must(t, os.Chmod(dir, 0o777)) }, "writable by other users (mode 0777"},
		{"symbolic link", func(t *testing.T, dir, path string) {
			target := filepath.Join(t.TempDir(), "elsewhere.json")
			must(t, os.WriteFile(target, []byte(`{"version":1}`), 0o600))
			must(t, os.Symlink(target, path))
		}, "is a symbolic link"},
		{"symbolic link as lock", func(t *testing.T, dir, path string) {
			target := filepath.Join(t.TempDir(), "elsewhere.lock")
			must(t, os.Symlink(target, strings.TrimSuffix(path, ".json")+".lock"))
			t.Cleanup(func() {
				if _, err := os.Lstat(target); err == nil {
					t.Errorf("the lock's link was followed: %s was created", target)
				}
			})
		}, "is a symbolic link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			must(t, os.Mkdir(dir, 0o700))
			e := newTestEnv(t, oauthOpts, withDir(dir))
			path := e.client.creds.(*refreshingToken).file.path
			tc.prepare(t, dir, path)
			var logs bytes.Buffer
			ctx := tflogtest.RootLogger(testCtx(t), &logs)
			for range 2 {
				_, err := e.client.ListFolders(ctx)
				must(t, err)
			}
			if n := e.fake.RequestCount(fakecliq.OpToken); n != 1 {
				t.Fatalf("token requests = %d, want 1", n)
			}
			warns := tokenFileWarnings(t, &logs)
			if len(warns) != 1 || !strings.Contains(warns[0], tc.want) {
				t.Fatalf("warnings about the access-token file: %q, want one with %q", warns, tc.want)
			}
			if st, err := os.Lstat(path); err == nil && st.Mode().IsRegular() {
				t.Fatalf("the token was written into the untrusted directory")
			}
		})
	}
}
