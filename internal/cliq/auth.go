package cliq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"sync"
	"time"

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

// refreshingToken implements Zoho's refresh-token grant. It refreshes only when the token is about
// to expire or Cliq rejected it, one refresh at a time, and shares its token with the other provider
// processes of the same credentials through the access-token file (tokenstore.go): Zoho allows 10
// access tokens per refresh token in 10 minutes.
type refreshingToken struct {
	refreshing    chan struct{} // one refresh at a time; waiting for it ends with the caller's context
	mu            sync.Mutex    // guards current, obtained, issued and rejected; never held across a request
	oauth         *oauth2.Config
	refreshToken  string
	httpClient    *http.Client
	current       *oauth2.Token
	obtained      time.Time       // when current was obtained
	issued        []string        // every access token this process used, for masking
	rejected      map[string]bool // tokens Cliq answered 401 to: never taken from the file again
	refreshLimit  int
	refreshWindow time.Duration
	now           func() time.Time

	// Held with refreshing: the access-token file (nil: none, or given up) and, in process, the
	// refreshes this process made.
	file  *tokenFile
	local sharedToken
}

func newRefreshingToken(rc *resolvedConfig) *refreshingToken {
	r := &refreshingToken{
		oauth: &oauth2.Config{
			ClientID:     rc.ClientID,
			ClientSecret: rc.ClientSecret,
			Endpoint: oauth2.Endpoint{
				TokenURL:  rc.accountsBase.String() + "/oauth/v2/token",
				AuthStyle: oauth2.AuthStyleInParams, // Zoho wants the credentials as form fields
			},
		},
		refreshToken:  rc.RefreshToken,
		httpClient:    rc.HTTPClient,
		refreshing:    make(chan struct{}, 1),
		rejected:      map[string]bool{},
		refreshLimit:  rc.TokenRefreshLimit,
		refreshWindow: rc.TokenRefreshWindow,
		now:           time.Now,
	}
	if r.refreshLimit <= 0 || r.refreshWindow <= 0 {
		r.refreshLimit, r.refreshWindow = 10, 10*time.Minute // Zoho's limit, for a config not resolved
	}
	if rc.RateStateDir != "" && tokenFileSupported {
		r.file = newTokenFile(rc.RateStateDir, tokenStoreKey(rc))
	}
	return r
}

func (r *refreshingToken) valid() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current != nil && r.current.Valid() && usable(r.obtained, r.current.Expiry, r.now()) {
		return r.current.AccessToken, true
	}
	return "", false
}

// adopt makes st's token the current one, if it is one this process may use now.
func (r *refreshingToken) adopt(st *sharedToken) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st == nil || st.AccessToken == "" || r.rejected[st.AccessToken] || !usable(st.ObtainedAt, st.Expiry, r.now()) {
		return false
	}
	r.install(st)
	return true
}

// install makes st's token the current one. The caller holds r.mu.
func (r *refreshingToken) install(st *sharedToken) {
	if r.current == nil || r.current.AccessToken != st.AccessToken {
		r.issued = append(r.issued, st.AccessToken)
	}
	r.current = &oauth2.Token{AccessToken: st.AccessToken, TokenType: "Bearer", Expiry: st.Expiry}
	r.obtained = st.ObtainedAt
}

// installFresh makes a token this process just obtained the current one, and returns it: it is
// sent even if its lifetime is shorter than the margin.
func (r *refreshingToken) installFresh(st *sharedToken) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.install(st)
	return st.AccessToken
}

func (r *refreshingToken) token(ctx context.Context) (string, error) {
	if tok, ok := r.valid(); ok {
		return tok, nil
	}
	select {
	case r.refreshing <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for the access token to be refreshed: %w", ctx.Err())
	}
	defer func() { <-r.refreshing }()
	if tok, ok := r.valid(); ok {
		return tok, nil // refreshed meanwhile
	}
	if r.file != nil {
		tok, err := r.tokenThroughFile(ctx)
		var serr *tokenStoreError
		if !errors.As(err, &serr) {
			return tok, err
		}
		logTokenFileFallback(ctx, serr, r.file.path)
		r.file = nil
		if tok, ok := r.valid(); ok {
			return tok, nil // refreshed, and only storing the token failed
		}
	}
	if err := r.refreshInto(ctx, &r.local); err != nil {
		return "", err
	}
	return r.installFresh(&r.local), nil
}

// tokenThroughFile takes the file's token when it is usable, and otherwise refreshes under the
// file's lock and stores the new token there. The caller holds r.refreshing.
func (r *refreshingToken) tokenThroughFile(ctx context.Context) (string, error) {
	if st, err := r.file.read(); err == nil && r.adopt(st) {
		return st.AccessToken, nil
	}
	var tok string
	err := r.file.withLock(ctx, func(cur *sharedToken) (*sharedToken, error) {
		if r.adopt(cur) {
			tok = cur.AccessToken // another process refreshed meanwhile
			return nil, nil
		}
		next := &sharedToken{}
		if cur != nil {
			*next = *cur // should the refresh fail, the token stays for the processes Cliq did not refuse it to
			next.Refreshes = slices.Clone(cur.Refreshes)
		}
		err := r.refreshInto(ctx, next)
		// Should the file fail from now on, this process goes on counting from what it recorded.
		r.local.Refreshes = slices.Clone(next.Refreshes)
		if err != nil {
			return next, err // the refreshes sent are recorded all the same
		}
		tok = r.installFresh(next)
		return next, nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// refreshInto runs the refresh-token grant and records it in st: when each refresh was sent, and
// the token obtained. It refuses to send a refresh that would exceed Zoho's limit.
func (r *refreshingToken) refreshInto(ctx context.Context, st *sharedToken) error {
	for attempt := 0; ; attempt++ {
		now := r.now()
		if err := countRefresh(st, now, r.refreshLimit, r.refreshWindow); err != nil {
			return err
		}
		tok, err := r.refresh(ctx)
		var te *TokenError
		if errors.As(err, &te) && (te.Code != "" || te.neverSent) {
			// Zoho answered with an error, or the request never left: no token was issued. Anything
			// else (a timeout, an answer that cannot be read) may have issued one, and stays counted.
			uncountRefresh(st, now)
		}
		if err != nil && attempt == 0 && te != nil && te.unreadable && ctx.Err() == nil {
			continue // an answer that cannot be read (a proxy's page, a body cut short) is asked for once more
		}
		if err != nil {
			return err
		}
		expiry := tok.Expiry
		if expiry.IsZero() {
			expiry = now.Add(time.Hour) // Zoho documents an hour when an answer leaves expires_in out
		}
		st.AccessToken, st.ObtainedAt, st.Expiry = tok.AccessToken, now, expiry
		return nil
	}
}

// refresh runs the refresh-token grant once. The caller holds r.refreshing.
func (r *refreshingToken) refresh(ctx context.Context) (*oauth2.Token, error) {
	hc := *r.httpClient
	capture := &capturingTransport{base: hc.Transport}
	if capture.base == nil {
		capture.base = http.DefaultTransport
	}
	hc.Transport = capture
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &hc)
	tok, err := r.oauth.TokenSource(ctx, &oauth2.Token{RefreshToken: r.refreshToken}).Token()
	if err != nil {
		secrets := r.secrets()
		terr := tokenError(r.oauth.Endpoint.TokenURL, err, capture.last, secrets)
		if te, ok := terr.(*TokenError); ok {
			te.neverSent = capture.neverSent()
		}
		return nil, terr
	}
	return tok, nil
}

// capturingTransport keeps the latest answer of the token endpoint, so that an error can say what
// came back when the oauth2 package could not read it, and whether the request can have been sent.
type capturingTransport struct {
	base      http.RoundTripper
	last      *capturedAnswer
	connected bool  // a connection for the request was obtained: it may have been sent
	sendErr   error // the error of the latest round trip
}

// neverSent reports whether the request certainly never left this machine: no connection was
// obtained and the round trip failed dialling Zoho or the proxy ("dial": connection refused, no
// route, DNS; "proxyconnect": dialling or a TLS handshake with the proxy, before the request). A
// failure after that (a proxy's refused CONNECT, TLS with Zoho, a timeout, a connection reset) is
// counted: a request Zoho received may precede it.
func (t *capturingTransport) neverSent() bool {
	var oe *net.OpError
	return t.last == nil && !t.connected && errors.As(t.sendErr, &oe) && (oe.Op == "dial" || oe.Op == "proxyconnect")
}

type capturedAnswer struct {
	status      int
	contentType string
	body        []byte
}

func (t *capturingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { t.connected = true },
	}))
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.sendErr = err
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	t.last = &capturedAnswer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: body}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func (r *refreshingToken) invalidate(tok string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejected[tok] = true
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

	unreadable bool // the answer could not be read: worth asking once more
	neverSent  bool // the request certainly never left this machine
}

func (e *TokenError) Error() string { return e.Detail }

// tokenError turns an oauth2 failure into a message that names the likely causes. It never
// includes the request, and of the answer (ans, nil when none arrived) only what was cleaned of
// secrets (every value in secrets, and whatever looks like a credential).
func tokenError(tokenURL string, err error, ans *capturedAnswer, secrets []string) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if ans == nil {
			return &TokenError{Detail: fmt.Sprintf("could not reach the Zoho accounts server at %s to refresh the access token: %v", tokenURL, err)}
		}
		// An answer arrived, and the oauth2 package could not read a token from it.
		ct := "no content type"
		if mt, _, perr := mime.ParseMediaType(ans.contentType); perr == nil {
			ct = mt
		} else if ans.contentType != "" {
			ct = redactedExcerpt([]byte(ans.contentType), secrets)
		}
		detail := fmt.Sprintf("Zoho's accounts server at %s answered the token refresh with %s (HTTP %d, %s)", tokenURL, tokenAnswerProblem(ans), ans.status, ct)
		if ex := redactedExcerpt(ans.body, secrets); ex != "" {
			detail += ": `" + ex + "`"
		}
		return &TokenError{unreadable: true, Detail: detail + ". A proxy or an outage between you and Zoho may cause this; try again, and retry later if it persists."}
	}
	code := clean(re.ErrorCode, secrets)
	switch code {
	case "invalid_code":
		return &TokenError{Code: code, Detail: fmt.Sprintf("Zoho refused the refresh token (invalid_code) at %s: it may have been revoked, or evicted because a 21st refresh token was minted for the same client id (Zoho keeps at most 20 per client id and revokes the oldest), or it belongs to another data centre. Check data_center (or accounts_url), or mint a new refresh token with a Self Client in Zoho's API console.", tokenURL)}
	case "invalid_client":
		return &TokenError{Code: code, Detail: fmt.Sprintf("Zoho does not know this client_id / client_secret at %s (invalid_client): check both values, and that data_center (or accounts_url) is the data centre where the Self Client was made.", tokenURL)}
	case "":
		return &TokenError{Detail: fmt.Sprintf("refreshing the access token at %s failed with HTTP %d.", tokenURL, statusOf(re))}
	default:
		detail := fmt.Sprintf("refreshing the access token at %s failed: %s", tokenURL, code)
		if desc := clean(re.ErrorDescription, secrets); desc != "" {
			detail += " (" + desc + ")"
		}
		if code == "Access Denied" {
			detail += ". Zoho allows about 10 token refreshes in 10 minutes per refresh token: wait a few minutes, then retry."
		}
		return &TokenError{Code: code, Detail: detail}
	}
}

// clean is a value from the token endpoint's answer, fit to show: short, on one line, no secret.
func clean(s string, secrets []string) string { return redactedExcerpt([]byte(s), secrets) }

// tokenAnswerProblem says what is wrong with a token answer the oauth2 package could not read.
func tokenAnswerProblem(ans *capturedAnswer) string {
	body := bytes.TrimSpace(ans.body)
	switch {
	case len(body) == 0:
		return "an empty body instead of JSON"
	case looksLikeHTML(body):
		return "an HTML page instead of JSON"
	case !json.Valid(body):
		var v any
		return describeJSONError(body, json.Unmarshal(body, &v))
	}
	var tok struct {
		AccessToken json.RawMessage `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		return "JSON that is not an object"
	}
	if len(tok.AccessToken) == 0 || string(tok.AccessToken) == "null" || string(tok.AccessToken) == `""` {
		return "JSON without access_token"
	}
	return "JSON of another shape (access_token, expires_in and token_type are expected)"
}

func statusOf(re *oauth2.RetrieveError) int {
	if re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}
