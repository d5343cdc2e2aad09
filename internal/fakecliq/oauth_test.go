package fakecliq

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func token(t *testing.T, h *harness, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := h.ts.Client().PostForm(h.ts.URL+"/oauth/v2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, m
}

func creds(id, secret, refresh string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "client_id": {id}, "client_secret": {secret}, "refresh_token": {refresh}}
}

func oauthOpts(clk *fakeClock) Options {
	return Options{Now: clk.Now, ClientID: "cid", ClientSecret: "csecret", RefreshToken: "rtok", AccessTokenTTL: 30 * time.Minute}
}

func TestTokenEndpoint(t *testing.T) {
	clk := newClock()
	h := newHarness(t, oauthOpts(clk))
	status, m := token(t, h, creds("cid", "csecret", "rtok"))
	tok, _ := m["access_token"].(string)
	if status != 200 || !strings.HasPrefix(tok, "1000.") || m["expires_in"] != 1800.0 || m["api_domain"] != "https://www.zohoapis.com" || m["token_type"] != "Bearer" {
		t.Fatalf("%d %v", status, m)
	}
	if h.s.TokenRefreshes() != 1 {
		t.Fatalf("refreshes %d", h.s.TokenRefreshes())
	}
	for _, auth := range []string{"Bearer " + tok, "Zoho-oauthtoken " + tok} {
		h.must(h.doAuth("GET", cats, nil, auth), 200, "")
	}
	// Expiry.
	clk.Advance(30*time.Minute - time.Second)
	h.must(h.doAuth("GET", cats, nil, "Bearer "+tok), 200, "")
	clk.Advance(time.Second)
	h.must(h.doAuth("GET", cats, nil, "Bearer "+tok), 401, "")
	h.must(h.do("GET", cats, nil), 200, "") // the static token lives forever

	// ExpireAccessTokens.
	_, m = token(t, h, creds("cid", "csecret", "rtok"))
	tok2 := m["access_token"].(string)
	h.must(h.doAuth("GET", cats, nil, "Bearer "+tok2), 200, "")
	h.s.ExpireAccessTokens()
	h.must(h.doAuth("GET", cats, nil, "Bearer "+tok2), 401, "")
	h.must(h.do("GET", cats, nil), 200, "")

	// Secrets stay out of the log.
	for _, l := range h.s.RequestLog() {
		if l.Op == OpToken && (strings.Contains(l.Body, "csecret") || strings.Contains(l.Body, "rtok") || !strings.Contains(l.Body, "REDACTED")) {
			t.Fatalf("log leaks secrets: %+v", l)
		}
	}
	if h.s.RequestCount(OpToken) != 2 {
		t.Fatalf("token requests %d", h.s.RequestCount(OpToken))
	}
}

func TestTokenErrors(t *testing.T) {
	clk := newClock()
	tests := []struct {
		name string
		opts func(o *Options)
		form url.Values
		err  string
	}{
		{"wrong refresh token", nil, creds("cid", "csecret", "nope"), "invalid_code"},
		{"wrong client id", nil, creds("other", "csecret", "rtok"), "invalid_client"},
		{"wrong client secret", nil, creds("cid", "nope", "rtok"), "invalid_client"},
		{"wrong grant", nil, url.Values{"grant_type": {"authorization_code"}, "client_id": {"cid"}, "client_secret": {"csecret"}, "refresh_token": {"rtok"}}, "unsupported_grant_type"},
		{"oauth disabled", func(o *Options) { o.RefreshToken = "" }, creds("cid", "csecret", ""), "invalid_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := oauthOpts(clk)
			if tt.opts != nil {
				tt.opts(&o)
			}
			h := newHarness(t, o)
			status, m := token(t, h, tt.form)
			if status != 200 || m["error"] != tt.err || m["access_token"] != nil {
				t.Fatalf("%d %v", status, m)
			}
			if h.s.TokenRefreshes() != 0 {
				t.Fatal("counted a failed refresh")
			}
		})
	}
}

func TestTokenInQuery(t *testing.T) {
	h := newHarness(t, oauthOpts(newClock()))
	resp, err := h.ts.Client().Post(h.ts.URL+"/oauth/v2/token?"+creds("cid", "csecret", "rtok").Encode(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || h.s.TokenRefreshes() != 1 {
		t.Fatalf("status %d refreshes %d", resp.StatusCode, h.s.TokenRefreshes())
	}
	if q := h.s.RequestLog()[0].Query; strings.Contains(q, "csecret") || strings.Contains(q, "rtok") {
		t.Fatalf("query logged: %s", q)
	}
}

func TestRevokeRefreshToken(t *testing.T) {
	h := newHarness(t, oauthOpts(newClock()))
	_, m := token(t, h, creds("cid", "csecret", "rtok"))
	tok := m["access_token"].(string)
	h.s.RevokeRefreshToken()
	if _, m := token(t, h, creds("cid", "csecret", "rtok")); m["error"] != "invalid_code" {
		t.Fatalf("after revoke: %v", m)
	}
	h.must(h.doAuth("GET", cats, nil, "Bearer "+tok), 200, "")
}

func TestTokenRateLimit(t *testing.T) {
	clk := newClock()
	o := oauthOpts(clk)
	o.RateWindow = 6 * time.Second // token window: 60s
	h := newHarness(t, o)
	for range 10 {
		if status, m := token(t, h, creds("cid", "csecret", "rtok")); status != 200 || m["access_token"] == nil {
			t.Fatalf("%d %v", status, m)
		}
		clk.Advance(time.Second)
	}
	status, m := token(t, h, creds("cid", "csecret", "rtok"))
	if status != http.StatusOK || m["error"] != "Access Denied" || !strings.Contains(m["error_description"].(string), "too many requests") {
		t.Fatalf("%d %v", status, m)
	}
	if h.s.TokenRefreshes() != 10 || h.s.ThrottledCount(OpToken) != 1 {
		t.Fatalf("refreshes %d throttled %d", h.s.TokenRefreshes(), h.s.ThrottledCount(OpToken))
	}
	clk.Advance(50 * time.Second) // the first refresh (t=0) leaves the 60s window
	if status, _ := token(t, h, creds("cid", "csecret", "rtok")); status != 200 {
		t.Fatalf("status %d", status)
	}

	// Overridden through Thresholds.
	o.Thresholds = map[Op]int{OpToken: 2}
	h3 := newHarness(t, o)
	for i := range 3 {
		if status, m := token(t, h3, creds("cid", "csecret", "rtok")); status != 200 || (m["access_token"] != nil) != (i < 2) {
			t.Fatalf("refresh %d: status %d %v", i, status, m)
		}
	}
	o.Thresholds = nil

	// Disabled with the other limits.
	o.DisableRateLimits = true
	h2 := newHarness(t, o)
	for range 15 {
		if status, m := token(t, h2, creds("cid", "csecret", "rtok")); status != 200 || m["access_token"] == nil {
			t.Fatalf("status %d", status)
		}
	}
}

func TestLiveTokenCap(t *testing.T) {
	o := oauthOpts(newClock())
	o.DisableRateLimits = true
	h := newHarness(t, o)
	var toks []string
	for range maxLiveTokens + 1 {
		_, m := token(t, h, creds("cid", "csecret", "rtok"))
		toks = append(toks, m["access_token"].(string))
	}
	h.must(h.doAuth("GET", cats, nil, "Bearer "+toks[0]), 401, "")
	h.must(h.doAuth("GET", cats, nil, "Bearer "+toks[1]), 200, "")
	h.must(h.doAuth("GET", cats, nil, "Bearer "+toks[maxLiveTokens]), 200, "")
}

func TestTokenFaults(t *testing.T) {
	h := newHarness(t, oauthOpts(newClock()))
	h.s.InjectFault(Fault{Op: OpToken, Status: 500})
	status, _ := token(t, h, creds("cid", "csecret", "rtok"))
	if status != 500 || h.s.TokenRefreshes() != 0 {
		t.Fatalf("status %d", status)
	}
	h.s.InjectFault(Fault{Op: OpToken, Kind: FaultThrottle})
	if status, m := token(t, h, creds("cid", "csecret", "rtok")); status != 200 || m["error"] != "Access Denied" {
		t.Fatalf("%d %v", status, m)
	}
	h.s.InjectFault(Fault{Op: OpToken, Kind: FaultDropAfter})
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := c.PostForm(h.ts.URL+"/oauth/v2/token", creds("cid", "csecret", "rtok")); err == nil {
		t.Fatal("answered")
	}
	if h.s.TokenRefreshes() != 1 {
		t.Fatalf("refreshes %d", h.s.TokenRefreshes())
	}
	// Op "" faults do not hit the token endpoint.
	h.s.InjectFault(Fault{Status: 500})
	if status, _ := token(t, h, creds("cid", "csecret", "rtok")); status != 200 {
		t.Fatalf("status %d", status)
	}
}
