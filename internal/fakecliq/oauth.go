package fakecliq

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenPath is the Zoho accounts endpoint of the refresh-token grant; the
// fake serves it at the same root as the API.
const tokenPath = "/oauth/v2/token"

const (
	// tokenRefreshLimit refreshes are allowed per token window (ten
	// RateWindows, i.e. "about 10 token refreshes per 10 minutes").
	tokenRefreshLimit = 10
	// maxLiveTokens is how many minted access tokens stay valid at once per
	// refresh token; minting another one retires the oldest.
	maxLiveTokens = 15
	// apiDomain is what Zoho answers as api_domain (not the Cliq host).
	apiDomain = "https://www.zohoapis.com"
)

type tokenJSON struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	APIDomain   string `json:"api_domain"`
	TokenType   string `json:"token_type"`
}

type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// serveToken answers POST /oauth/v2/token (form fields grant_type,
// client_id, client_secret, refresh_token, in the body or the query).
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request, req *apiRequest) {
	req.op = OpToken
	if req.method != http.MethodPost {
		s.finish(w, req, errorResponse(http.StatusMethodNotAllowed, "", msgBadMethod))
		return
	}
	s.sleep(r.Context(), OpToken)
	form, _ := url.ParseQuery(req.rawQuery)
	if body, err := url.ParseQuery(string(req.body)); err == nil {
		for k, v := range body {
			form[k] = v
		}
	}

	s.mu.Lock()
	s.requests[OpToken]++
	now := s.now()
	var resp *apiResponse
	fault := s.takeFault(OpToken)
	switch {
	case fault != nil && fault.Kind != FaultDropAfter && fault.Kind != FaultHTMLAfter:
		resp = s.faultResponse(fault, OpToken)
	case s.tokenLimited(now):
		s.throttled[OpToken]++
		resp = tokenDenied()
	}
	s.mu.Unlock()
	if resp != nil {
		s.finish(w, req, resp)
		return
	}

	s.runBeforeHooks(req)
	s.mu.Lock()
	resp = s.refresh(form, s.now())
	s.mu.Unlock()
	if r := faultAfter(fault); r != nil {
		resp = r
	}
	s.finish(w, req, resp)
}

// tokenDenied is Zoho's answer to a refresh beyond the limit: HTTP 200 with "Access Denied"
// ("The status code for the requests that are made after exceeding the allowed limit remains 200.
// However, the message for such requests says "Access Denied"",
// https://help.zoho.com/portal/en/community/topic/kaizen-43-tokens-and-limitations).
func tokenDenied() *apiResponse {
	r := jsonResponse(http.StatusOK, oauthError{
		Error:            "Access Denied",
		ErrorDescription: "You have made too many requests continuously. Please try again after some time.",
	})
	r.code = "Access Denied"
	return r
}

// tokenLimited reports whether the refresh budget of the token window is
// spent. The caller holds s.mu.
func (s *Server) tokenLimited(now time.Time) bool {
	if s.opts.DisableRateLimits {
		return false
	}
	window := tokenRefreshLimit * s.opts.RateWindow
	cut := 0
	for cut < len(s.tokenWindow) && !s.tokenWindow[cut].After(now.Add(-window)) {
		cut++
	}
	s.tokenWindow = s.tokenWindow[cut:]
	limit := tokenRefreshLimit
	if v, ok := s.opts.Thresholds[OpToken]; ok {
		if v <= 0 {
			return false
		}
		limit = v
	}
	return len(s.tokenWindow) >= limit
}

// refresh runs the refresh-token grant. The caller holds s.mu.
func (s *Server) refresh(form url.Values, now time.Time) *apiResponse {
	oauthErr := func(code string) *apiResponse {
		r := jsonResponse(http.StatusOK, oauthError{Error: code})
		r.code = code
		return r
	}
	if s.opts.RefreshToken == "" {
		return oauthErr("invalid_code")
	}
	if form.Get("grant_type") != "refresh_token" {
		return oauthErr("unsupported_grant_type")
	}
	if form.Get("client_id") != s.opts.ClientID || form.Get("client_secret") != s.opts.ClientSecret {
		return oauthErr("invalid_client")
	}
	if s.refreshRevoked || form.Get("refresh_token") != s.opts.RefreshToken {
		return oauthErr("invalid_code")
	}
	tok := newZohoToken()
	s.minted[tok] = now.Add(s.opts.AccessTokenTTL)
	s.mintedOrder = append(s.mintedOrder, tok)
	s.issued = append(s.issued, tok)
	for len(s.mintedOrder) > maxLiveTokens {
		delete(s.minted, s.mintedOrder[0])
		s.mintedOrder = s.mintedOrder[1:]
	}
	s.tokenWindow = append(s.tokenWindow, now)
	s.tokenRefreshes++
	return jsonResponse(http.StatusOK, tokenJSON{
		AccessToken: tok,
		ExpiresIn:   int64(s.opts.AccessTokenTTL / time.Second),
		APIDomain:   apiDomain,
		TokenType:   "Bearer",
	})
}

// authorized checks an Authorization header ("Bearer <token>" or
// "Zoho-oauthtoken <token>"). The caller holds s.mu.
func (s *Server) authorized(header string) bool {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "Zoho-oauthtoken")) {
		return false
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return false
	}
	if tok == s.accessToken {
		return true
	}
	exp, ok := s.minted[tok]
	return ok && s.now().Before(exp)
}

// ExpireAccessTokens makes every access token minted by the token endpoint so
// far invalid (401). The static Options.AccessToken keeps working.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.minted = map[string]time.Time{}
	s.mintedOrder = nil
}

// RevokeRefreshToken makes the token endpoint answer {"error":"invalid_code"}
// from now on. Tokens already minted keep working until they expire.
func (s *Server) RevokeRefreshToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshRevoked = true
}
