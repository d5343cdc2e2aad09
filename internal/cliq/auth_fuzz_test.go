package cliq

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// answerTransport answers every request with one fixed response, without any network.
type answerTransport struct {
	status      int
	contentType string
	body        []byte
}

func (a *answerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	h := http.Header{}
	if a.contentType != "" {
		h.Set("Content-Type", a.contentType)
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(bytes.NewReader(a.body)), Request: req}, nil
}

const fuzzClientSecret, fuzzRefreshToken = "fuzz-client-secret-0123456789", "1000.fuzzrefresh0123456789abcdef.0123456789abcdef0123456789abcdef"

// FuzzTokenAnswer feeds the refresh-token grant with arbitrary answers of Zoho's token endpoint,
// seeded with the documented answer, Zoho's errors (HTTP 200 and 400) and a proxy's page.
// Invariants: no panic; a token is returned only from a success answer that carried one; every failure is a
// *TokenError that says what happened, without a secret and without a bare library message.
func FuzzTokenAnswer(f *testing.F) {
	seeds := []struct {
		status int
		ct     string
		body   string
	}{
		{200, "application/json;charset=UTF-8", `{"access_token":"1000.abc.def","expires_in":3600,"api_domain":"https://www.zohoapis.com","token_type":"Bearer"}`},
		{200, "application/json", `{"error":"invalid_code"}`},
		{200, "application/json", `{"error":"invalid_client"}`},
		{400, "application/json", `{"error":"Access Denied","error_description":"You have made too many requests continuously. Please try again after some time."}`},
		{200, "text/html", "<html><body><h1>Service temporarily unavailable</h1></body></html>"},
		{200, "text/plain", "access_token=1000.x&expires_in=3600"},
		{200, "text/plain", "error=invalid_code&error_description=" + fuzzClientSecret},
		{200, "application/json", `{"access_token":"1000.abc`},
		{200, "", ``},
		{502, "text/html", "<html>Bad gateway</html>"},
		{200, "application/json", `{"access_token":"` + fuzzRefreshToken + `","expires_in":"3600"}`},
		{200, "application/json", `{"access_token":123}`},
	}
	for _, s := range seeds {
		f.Add(uint16(s.status), s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status uint16, contentType string, body []byte) {
		st := 100 + int(status)%500
		rc := &resolvedConfig{Config: Config{ClientID: "1000.FUZZ", ClientSecret: fuzzClientSecret, RefreshToken: fuzzRefreshToken,
			HTTPClient: &http.Client{Transport: &answerTransport{status: st, contentType: contentType, body: body}, Timeout: time.Second}}}
		var err error
		if rc.accountsBase, err = parseRoot("accounts_url", "https://accounts.zoho.eu"); err != nil {
			t.Fatal(err)
		}
		r := newRefreshingToken(rc)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		tok, err := r.token(ctx)
		if err == nil {
			if tok == "" || st < 200 || st > 299 {
				t.Fatalf("token %q from an answer (HTTP %d) that does not carry one: %q", tok, st, body)
			}
			return
		}
		var te *TokenError
		if !errors.As(err, &te) {
			t.Fatalf("error %T %v, want a *TokenError", err, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "https://accounts.zoho.eu/oauth/v2/token") {
			t.Fatalf("the error does not say where: %s", msg)
		}
		for _, bad := range []string{fuzzClientSecret, fuzzRefreshToken, "oauth2:", "invalid character", "cannot unmarshal", "unexpected end of JSON"} {
			if strings.Contains(msg, bad) {
				t.Fatalf("the error shows %q: %s", bad, msg)
			}
		}
	})
}
