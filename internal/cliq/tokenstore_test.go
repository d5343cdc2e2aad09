package cliq

import (
	"bytes"
	"errors"
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
		"api url":       {APIURL: "https://cliq.zoho.eu/network/acme", ClientID: "1000.A", ClientSecret: "s", RefreshToken: "1000.r"},
		"accounts url":  {APIURL: "https://cliq.zoho.eu", AccountsURL: "https://accounts.zoho.in", ClientID: "1000.A", ClientSecret: "s", RefreshToken: "1000.r"},
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
	if !errors.As(err, &le) || !le.RetryAfter.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("4th refresh in the window: %v", err)
	}
	if !strings.Contains(err.Error(), "3 access tokens per refresh token in 10 minutes") {
		t.Errorf("message: %s", err)
	}
	must(t, countRefresh(st, t0.Add(10*time.Minute), 3, 10*time.Minute)) // the first left the window
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
