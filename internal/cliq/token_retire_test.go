package cliq

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// retiringTransport retires every access token right after the nth token refresh came back.
type retiringTransport struct {
	retire  func()
	nth     int64
	refresh atomic.Int64
}

func (rt *retiringTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil && strings.HasSuffix(req.URL.Path, "/oauth/v2/token") && rt.refresh.Add(1) == rt.nth {
		rt.retire()
	}
	return resp, err
}

// TestTokenRejectedAfterRefreshFailsWithoutARefreshStorm: a call answered 401 refreshes once; if
// Cliq rejects the new token too, the call fails clearly instead of spending Zoho's small refresh
// allowance (about ten in ten minutes) in a loop.
func TestTokenRejectedAfterRefreshFailsWithoutARefreshStorm(t *testing.T) {
	rt := &retiringTransport{nth: 2}
	e := newTestEnv(t, oauthOpts, func(c *Config) { c.HTTPClient = &http.Client{Transport: rt} })
	rt.retire = e.fake.ExpireAccessTokens
	ctx := testCtx(t)
	_, err := e.client.fetch(ctx, IncludeFields{})
	must(t, err)
	e.fake.ExpireAccessTokens() // 401, one refresh (whose token is retired at once), 401: stop
	_, err = e.client.fetch(ctx, IncludeFields{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "check the credentials") {
		t.Fatalf("err = %v, want a clear 401", err)
	}
	if n := e.fake.TokenRefreshes(); n != 2 {
		t.Fatalf("token refreshes = %d, want 2 (one per run start, one after the 401)", n)
	}
	// The next call starts afresh: one refresh, and it goes through.
	_, err = e.client.fetch(ctx, IncludeFields{})
	must(t, err)
}
