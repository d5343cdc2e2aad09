package cliq

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"golang.org/x/oauth2"
)

// credentials hands out the access token for a request.
type credentials interface {
	// token returns a valid access token, refreshing it first if it has expired.
	token(ctx context.Context) (string, error)
	// invalidate forgets tok after Cliq rejected it, so that the next token call refreshes. It reports
	// whether a refresh is possible at all.
	invalidate(tok string) bool
	// secrets lists every secret value the client holds, for log masking.
	secrets() []string
}

type staticToken string

func (s staticToken) token(context.Context) (string, error) { return string(s), nil }
func (s staticToken) invalidate(string) bool                { return false }
func (s staticToken) secrets() []string                     { return []string{string(s)} }

// refreshingToken implements Zoho's refresh-token grant. It refreshes only when the token has
// expired or Cliq rejected it, one refresh at a time: Zoho allows about ten refreshes in ten minutes.
type refreshingToken struct {
	mu           sync.Mutex
	oauth        *oauth2.Config
	refreshToken string
	httpClient   *http.Client
	current      *oauth2.Token
	issued       []string // every access token this process obtained, for masking
}

func newRefreshingToken(rc *resolvedConfig) *refreshingToken {
	return &refreshingToken{
		oauth: &oauth2.Config{
			ClientID:     rc.ClientID,
			ClientSecret: rc.ClientSecret,
			Endpoint: oauth2.Endpoint{
				TokenURL:  rc.accountsBase.String() + "/oauth/v2/token",
				AuthStyle: oauth2.AuthStyleInParams, // Zoho wants the credentials as form fields
			},
		},
		refreshToken: rc.RefreshToken,
		httpClient:   rc.HTTPClient,
	}
}

func (r *refreshingToken) token(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil && r.current.Valid() {
		return r.current.AccessToken, nil
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, r.httpClient)
	tok, err := r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: r.refreshToken}).Token()
	if err != nil {
		return "", tokenError(r.oauth.Endpoint.TokenURL, err)
	}
	r.current = tok
	r.issued = append(r.issued, tok.AccessToken)
	return tok.AccessToken, nil
}

func (r *refreshingToken) invalidate(tok string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil && r.current.AccessToken == tok {
		r.current = nil
	}
	return true
}

func (r *refreshingToken) secrets() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string{r.refreshToken, r.oauth.ClientSecret}, r.issued...)
}

// TokenError is a failed refresh-token grant, with what the user can do about it.
type TokenError struct {
	Code   string // Zoho's error code, e.g. invalid_code
	Detail string
}

func (e *TokenError) Error() string { return e.Detail }

// tokenError turns an oauth2 failure into a message that names the likely causes. It never
// includes the response body or the request, which could carry secrets.
func tokenError(tokenURL string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return &TokenError{Detail: fmt.Sprintf("could not reach the Zoho accounts server at %s to refresh the access token: %v", tokenURL, err)}
	}
	code := re.ErrorCode
	switch code {
	case "invalid_code":
		return &TokenError{Code: code, Detail: fmt.Sprintf("Zoho refused the refresh token (invalid_code) at %s: it may have been revoked or have expired, or it belongs to another data centre. Check data_center (or accounts_url), or mint a new refresh token with a Self Client in Zoho's API console.", tokenURL)}
	case "invalid_client":
		return &TokenError{Code: code, Detail: fmt.Sprintf("Zoho does not know this client_id / client_secret at %s (invalid_client): check both values, and that data_center (or accounts_url) is the data centre where the Self Client was made.", tokenURL)}
	case "":
		return &TokenError{Detail: fmt.Sprintf("refreshing the access token at %s failed with HTTP %d.", tokenURL, statusOf(re))}
	default:
		detail := fmt.Sprintf("refreshing the access token at %s failed: %s", tokenURL, code)
		if re.ErrorDescription != "" {
			detail += " (" + re.ErrorDescription + ")"
		}
		if code == "Access Denied" {
			detail += ". Zoho allows about 10 token refreshes in 10 minutes per refresh token: wait a few minutes, then retry."
		}
		return &TokenError{Code: code, Detail: detail}
	}
}

func statusOf(re *oauth2.RetrieveError) int {
	if re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}
