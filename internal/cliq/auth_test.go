package cliq

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

var oauthOpts = fakecliq.Options{ClientID: "1000.CLIENTID", ClientSecret: "client-secret-value-123", RefreshToken: "1000.refresh-token-value-456"}

func TestRefreshTokenGrantRefreshesOnlyWhenNeeded(t *testing.T) {
	e := newTestEnv(t, oauthOpts)
	ctx := testCtx(t)
	for i := 0; i < 3; i++ {
		_, err := e.client.fetch(ctx, IncludeFields{})
		must(t, err)
	}
	if n := e.fake.TokenRefreshes(); n != 1 {
		t.Fatalf("token refreshes = %d, want 1 for a whole run", n)
	}
	// The token expires mid-run: one 401, one refresh, and the request goes through.
	e.fake.ExpireAccessTokens()
	_, err := e.client.fetch(ctx, IncludeFields{})
	must(t, err)
	if n := e.fake.TokenRefreshes(); n != 2 {
		t.Fatalf("token refreshes = %d, want 2", n)
	}
}

func TestTokenExpiryIsRefreshedBeforeUse(t *testing.T) {
	opts := oauthOpts
	opts.AccessTokenTTL = 11 * time.Second // x/oauth2 treats a token as expired 10s early
	e := newTestEnv(t, opts)
	ctx := testCtx(t)
	_, err := e.client.fetch(ctx, IncludeFields{})
	must(t, err)
	time.Sleep(1100 * time.Millisecond)
	_, err = e.client.fetch(ctx, IncludeFields{})
	must(t, err)
	if n := e.fake.TokenRefreshes(); n != 2 {
		t.Fatalf("token refreshes = %d, want 2", n)
	}
	if n := e.count(OpListFolders); n != 2 {
		t.Fatalf("list requests = %d: an expired token was sent", n)
	}
}

func TestTokenErrorsNameTheCause(t *testing.T) {
	e := newTestEnv(t, oauthOpts)
	e.fake.RevokeRefreshToken()
	_, err := e.client.ListFolders(testCtx(t))
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "invalid_code" || !strings.Contains(err.Error(), "revoked") || !strings.Contains(err.Error(), "data centre") ||
		!strings.Contains(err.Error(), "21st refresh token was minted for the same client id (Zoho keeps at most 20 per client id") {
		t.Fatalf("err = %v", err)
	}
	bad := oauthOpts
	e2 := newTestEnv(t, bad, func(c *Config) { c.ClientSecret = "not-the-secret" })
	_, err = e2.client.ListFolders(testCtx(t))
	if !errors.As(err, &te) || te.Code != "invalid_client" || !strings.Contains(err.Error(), "client_id / client_secret") {
		t.Fatalf("err = %v", err)
	}
	for _, secret := range []string{"not-the-secret", oauthOpts.RefreshToken} {
		if strings.Contains(err.Error(), secret) {
			t.Fatal("the error shows a secret")
		}
	}
}

// TestLogsNeverShowSecrets runs every kind of request at trace level with OAuth credentials and a
// token refresh after a 401, then searches the log for each secret.
func TestLogsNeverShowSecrets(t *testing.T) {
	e := newTestEnv(t, oauthOpts)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	f, err := e.client.CreateFolder(ctx, "F", "", []string{"1"})
	must(t, err)
	e.fake.ExpireAccessTokens()
	must(t, e.client.PinChat(ctx, "2", f.ID))
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpReplaceChats, Kind: fakecliq.FaultStatus, Status: 500})
	must(t, e.client.ReplaceChats(ctx, f.ID, []string{"2"}))
	must(t, e.client.DeleteFolder(ctx, f.ID, true))
	if !strings.Contains(logs.String(), `"@module":"provider.cliq"`) || !strings.Contains(logs.String(), "Cliq request") {
		t.Fatalf("the client logged nothing: %s", logs.String())
	}
	secrets := []string{oauthOpts.ClientSecret, oauthOpts.RefreshToken}
	if c, ok := e.client.creds.(*refreshingToken); ok {
		secrets = append(secrets, c.issued...)
		if len(c.issued) != 2 {
			t.Fatalf("issued tokens = %d, want 2", len(c.issued))
		}
	}
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Fatalf("the log shows a secret: %q", s)
		}
	}
}

func TestCredentialsNeverTravelOverPlainHTTPToRemoteHosts(t *testing.T) {
	for _, cfg := range []Config{
		{AccessToken: "t", APIURL: "http://cliq.example.com"},
		{ClientID: "i", ClientSecret: "s", RefreshToken: "r", AccountsURL: "http://accounts.example.com"},
		{AccessToken: "t", APIURL: "http://192.168.1.10:8080"},
	} {
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "plain http") {
			t.Errorf("config %+v: err = %v, want a refusal", cfg, err)
		}
	}
}
