package cliq

import (
	"errors"
	"strings"
	"testing"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestUnreadableTokenAnswers: an answer of the token endpoint that cannot be read (a proxy's page,
// a body cut short) is asked once more; if it stays unreadable, the error says what came back and
// what to do, never a bare decoder message, never a secret.
func TestUnreadableTokenAnswers(t *testing.T) {
	cases := []struct {
		name  string
		fault fakecliq.Fault
		want  string
	}{
		{"HTML page", fakecliq.Fault{}, "answered the token refresh with an HTML page instead of JSON (HTTP 200, text/html): `<html><head><title>503"},
		{"HTML page as text/plain", fakecliq.Fault{ContentType: "text/plain"}, "answered the token refresh with an HTML page instead of JSON (HTTP 200, text/plain)"},
		{"truncated JSON", fakecliq.Fault{Body: `{"access_token":"1000.abc`, ContentType: "application/json"}, "with JSON that breaks off (the answer was cut short) (HTTP 200, application/json): `{\"access_token\":\"[redacted]"},
		{"no access_token", fakecliq.Fault{Body: `{"expires_in":3600,"token_type":"Bearer"}`, ContentType: "application/json"}, "with JSON without access_token (HTTP 200, application/json)"},
		{"empty body", fakecliq.Fault{NoBody: true, ContentType: "none"}, "with an empty body instead of JSON (HTTP 200, no content type)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, oauthOpts)
			f := tc.fault
			f.Op, f.Kind, f.Times = fakecliq.OpToken, fakecliq.FaultHTMLBefore, 2
			e.fake.InjectFault(f)
			_, err := e.client.ListFolders(testCtx(t))
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TokenError", err)
			}
			msg := err.Error()
			for _, want := range []string{"Zoho's accounts server at " + e.url + "/oauth/v2/token", tc.want, "try again"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error\n  %s\nlacks\n  %s", msg, want)
				}
			}
			for _, bare := range []string{"invalid character", "cannot parse", "oauth2:", "unexpected end"} {
				if strings.Contains(msg, bare) {
					t.Errorf("error carries a bare library message (%q): %s", bare, msg)
				}
			}
			for _, secret := range []string{oauthOpts.ClientSecret, oauthOpts.RefreshToken} {
				if strings.Contains(msg, secret) {
					t.Errorf("error shows a secret: %s", msg)
				}
			}
			if n := e.fake.RequestCount(fakecliq.OpToken); n != 2 {
				t.Fatalf("token requests = %d, want 2 (one more try)", n)
			}
		})
	}
}

// TestOneUnreadableTokenAnswerIsAskedAgain: a single unreadable answer costs one more refresh.
func TestOneUnreadableTokenAnswerIsAskedAgain(t *testing.T) {
	for _, kind := range []fakecliq.FaultKind{fakecliq.FaultHTMLBefore, fakecliq.FaultHTMLAfter} {
		e := newTestEnv(t, oauthOpts)
		e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpToken, Kind: kind})
		_, err := e.client.ListFolders(testCtx(t))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if n := e.fake.RequestCount(fakecliq.OpToken); n != 2 {
			t.Fatalf("%s: token requests = %d, want 2", kind, n)
		}
	}
}

// TestTokenErrorCodesShowNoSecret: the error code and description of a token answer come from the
// answer's body; should it echo a secret, the error does not show it.
func TestTokenErrorCodesShowNoSecret(t *testing.T) {
	e := newTestEnv(t, oauthOpts)
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpToken, Kind: fakecliq.FaultHTMLBefore, Times: 2, ContentType: "application/json",
		Body: `{"error":"bad ` + oauthOpts.RefreshToken + `","error_description":"client_secret=` + oauthOpts.ClientSecret + `"}`})
	_, err := e.client.ListFolders(testCtx(t))
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{oauthOpts.ClientSecret, oauthOpts.RefreshToken} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("error shows a secret: %v", err)
		}
	}
	if !strings.Contains(err.Error(), "failed: bad [redacted]") {
		t.Fatalf("error lacks the (cleaned) code: %v", err)
	}
}
