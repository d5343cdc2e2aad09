package fakecliq

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults of Options.
const (
	DefaultRateWindow       = time.Minute
	DefaultLockPeriod       = 5 * time.Minute
	DefaultMaxFolders       = 50
	DefaultMaxPinsPerFolder = 100
	DefaultAccessTokenTTL   = time.Hour
)

// APIPrefix is the path prefix of the Cliq API; a client configured with the
// fake's root URL appends it.
const APIPrefix = "/api/v3"

// maxBodyBytes bounds the request bodies the fake reads.
const maxBodyBytes = 1 << 20

// maxLogEntries bounds the request log; older entries are dropped.
const maxLogEntries = 10000

// Options configure a Server. The zero value is a fake with the documented
// thresholds and limits, a random static access token and OAuth disabled.
type Options struct {
	// AccessToken is a static access token accepted forever (it survives
	// ExpireAccessTokens). "" generates a random one; read it back with
	// Server.AccessToken.
	AccessToken string
	// RateWindow is the length of the sliding rate-limit window, the vendor's
	// "minute" (default time.Minute). The token endpoint's window is ten
	// times this.
	RateWindow time.Duration
	// LockPeriod is how long an operation stays locked once its threshold is
	// exceeded (default 5*time.Minute).
	LockPeriod time.Duration
	// DisableRateLimits turns off every threshold (the token endpoint's too).
	// Injected FaultThrottle faults still lock.
	DisableRateLimits bool
	// Thresholds overrides per-operation thresholds (requests per RateWindow;
	// see DefaultThreshold; OpToken: refreshes per ten RateWindows). A value
	// <= 0 removes the limit of that op.
	Thresholds map[Op]int
	// ThrottleStyle is how a throttled request is answered: "429" (default,
	// the documented {"message":"Too many requests within a certain time
	// frame."}) or "400" (the field-reported {"code":"request_limit_exceeded",
	// "message":"You have exceeded the URL throttle limits."}).
	ThrottleStyle string
	// MaxFolders is the number of user folders (not counting the default one)
	// beyond which create answers max_folders_error (default 50).
	MaxFolders int
	// MaxPinsPerFolder is the number of chats a folder can hold before pin,
	// create and replace answer max_pins_error (default 100).
	MaxPinsPerFolder int
	// ClockSkew offsets the server clock from the real one (or from Now): it
	// shows in the Date header and in every timestamp the fake compares.
	ClockSkew time.Duration
	// ClientID, ClientSecret and RefreshToken are the OAuth credentials the
	// token endpoint accepts. RefreshToken "" disables OAuth: the token
	// endpoint then answers {"error":"invalid_code"}.
	ClientID, ClientSecret, RefreshToken string
	// AccessTokenTTL is the lifetime of tokens minted by the token endpoint
	// (default 1h).
	AccessTokenTTL time.Duration
	// OpenAPISpec is an optional path to the vendor OpenAPI document. When
	// set, every API request and response is validated against it and
	// violations are recorded (see ContractViolations).
	OpenAPISpec string
	// OmitEmptySymbol makes folder listings leave out "symbol" when a folder
	// has none, instead of sending "symbol":"" (the vendor does not document
	// which it does; clients must accept both).
	OmitEmptySymbol bool
	// Reading chooses how the fake answers where the vendor's documents are silent (the zero value
	// is the reading described in README.md), so clients can be tested under every reading.
	Reading Reading
	// Now overrides the real clock (tests); default time.Now. The server
	// clock is Now() + ClockSkew. Latency faults still sleep in real time.
	Now func() time.Time
}

// Server is the fake Cliq API. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	opts        Options
	accessToken string

	mu       sync.Mutex
	st       *store
	limiters map[Op]*limiter

	// OAuth
	minted         map[string]time.Time // access token -> expiry
	mintedOrder    []string             // minted tokens, oldest first
	issued         []string             // every token ever minted, for secret-leak tests
	refreshRevoked bool
	tokenWindow    []time.Time // successful refreshes inside the token window
	tokenRefreshes int

	// Inspection
	requests, throttled, locks map[Op]int
	log                        []LoggedRequest

	// Faults and hooks
	faults     []*Fault
	latency    map[Op]time.Duration
	latencyAll time.Duration
	before     []beforeHook
	executed   []beforeHook // AfterExecute
	after      []func(LoggedRequest)

	contract *contract
}

// Reading is one answer to the questions the vendor's documents leave open.
type Reading struct {
	// OneFolderPerChat: a chat sits in one folder at a time, so pinning it into a folder (pin,
	// create, replace) takes it out of every other. Default: it may sit in several.
	OneFolderPerChat bool
	// NewOnTop: new folders and new pins go to the top of their list. Default: the end.
	NewOnTop bool
	// UnpinAllEverywhere: deleting a folder with unpin_all=true unpins its chats from every folder.
	// Default: from that folder only.
	UnpinAllEverywhere bool
	// MyPinsRefusesReplace: replace_chats on the default folder (My Pins) answers 400
	// operation_not_allowed. Default: My Pins' chats can be replaced like any folder's.
	MyPinsRefusesReplace bool
	// EmptyFolderOmitsChats: with include_fields=chats, an empty folder is listed without a
	// "chats" key. Default: "chats": [].
	EmptyFolderOmitsChats bool
	// WholeSecondSync: the last_sync_time check of operations 6, 7 and 8 compares at second
	// precision: stale when the change time, floored to whole seconds, is later than
	// last_sync_time. So a change within the same second as last_sync_time goes unnoticed.
	// Default: millisecond precision.
	WholeSecondSync bool
}

// New returns a fake Cliq server with one empty default folder.
func New(opts Options) *Server {
	if opts.RateWindow <= 0 {
		opts.RateWindow = DefaultRateWindow
	}
	if opts.LockPeriod <= 0 {
		opts.LockPeriod = DefaultLockPeriod
	}
	if opts.MaxFolders <= 0 {
		opts.MaxFolders = DefaultMaxFolders
	}
	if opts.MaxPinsPerFolder <= 0 {
		opts.MaxPinsPerFolder = DefaultMaxPinsPerFolder
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if opts.ThrottleStyle != "400" {
		opts.ThrottleStyle = "429"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:        opts,
		accessToken: opts.AccessToken,
		limiters:    map[Op]*limiter{},
		minted:      map[string]time.Time{},
		requests:    map[Op]int{},
		throttled:   map[Op]int{},
		locks:       map[Op]int{},
		latency:     map[Op]time.Duration{},
	}
	if s.accessToken == "" {
		s.accessToken = newZohoToken()
	}
	s.st = newStore(s.now())
	s.st.reading = opts.Reading
	for _, op := range AllOps() {
		th := DefaultThreshold(op)
		if v, ok := opts.Thresholds[op]; ok {
			th = v
		}
		if opts.DisableRateLimits {
			th = 0
		}
		s.limiters[op] = &limiter{window: opts.RateWindow, lock: opts.LockPeriod, threshold: th}
	}
	if opts.OpenAPISpec != "" {
		s.contract = loadContract(opts.OpenAPISpec)
	}
	return s
}

// NewTestServer starts New(opts) on an httptest.Server listening on
// 127.0.0.1 and closes it when the test ends. Point a client at ts.URL (the
// root URL; the API lives under ts.URL+APIPrefix).
func NewTestServer(t testing.TB, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// AccessToken returns the static access token the server accepts.
func (s *Server) AccessToken() string { return s.accessToken }

// Now returns the server clock: Options.Now (or time.Now) plus ClockSkew.
func (s *Server) Now() time.Time { return s.now() }

func (s *Server) now() time.Time { return s.opts.Now().Add(s.opts.ClockSkew) }

// newZohoToken returns a random token shaped like Zoho's
// ("1000.<32 hex>.<32 hex>").
func newZohoToken() string {
	return "1000." + randomHex(16) + "." + randomHex(16)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// ---- Request log and counters ----

// LoggedRequest records one request the server received. Status is 0 when
// the connection was dropped without an answer; Code is the error code of
// the answer ("" when none). Secrets (the token endpoint's client_secret and
// refresh_token) are redacted; headers are not recorded.
type LoggedRequest struct {
	Time   time.Time // server clock when the request arrived
	Op     Op        // "" when the URL or method matched no operation
	Method string
	Path   string
	Query  string // raw query
	Body   string
	Status int
	Code   string
}

// RequestCount returns how many requests were routed to op, whatever their
// outcome (unauthenticated, throttled, failed and dropped included).
func (s *Server) RequestCount(op Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[op]
}

// ThrottledCount returns how many requests to op were answered as throttled
// (for OpToken: "Access Denied").
func (s *Server) ThrottledCount(op Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled[op]
}

// LockCount returns how many times op got locked for the lock period.
func (s *Server) LockCount(op Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.locks[op]
}

// TokenRefreshes returns how many access tokens the token endpoint minted.
func (s *Server) TokenRefreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRefreshes
}

// IssuedAccessTokens returns every access token the token endpoint has minted, so tests can search
// logs and state for them.
func (s *Server) IssuedAccessTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// RequestLog returns a copy of the request log (the last 10000 requests),
// oldest first.
func (s *Server) RequestLog() []LoggedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]LoggedRequest(nil), s.log...)
}

// ResetCounts zeroes the request, throttle, lock and refresh counters and
// empties the request log. It changes neither the account state nor the rate
// limiter (see ResetRateLimits) nor the contract violations.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = map[Op]int{}
	s.throttled = map[Op]int{}
	s.locks = map[Op]int{}
	s.tokenRefreshes = 0
	s.log = nil
}

// ---- Request pipeline ----

// apiRequest is a request as the handlers see it.
type apiRequest struct {
	op       Op
	method   string
	path     string
	rawQuery string
	query    url.Values
	header   http.Header
	body     []byte
	tooLarge bool
	id       string // CATEGORY_ID or CHAT_ID from the path
	fields   map[string]json.RawMessage
	badJSON  bool // the PUT body is not a JSON object
	arrived  time.Time
}

// apiResponse is an answer before it is written.
type apiResponse struct {
	status     int
	body       []byte // nil: no body (204)
	code       string
	drop       bool // close the connection without answering
	noContract bool // a deliberate deviation from the spec: skip response validation
	// contentType overrides the JSON content type of a body ("none": no header).
	contentType string
}

const (
	msgInvalidURL    = "The URL you've sent is wrong. It's possible that the resource you've requested has been moved to another URL."
	msgBadMethod     = "The requested resource does not support the HTTP method used. For example, requesting List of all customers API with PUT as the HTTP method."
	msgUnauthorized  = "Request was rejected because of invalid AuthToken."
	msgTooMany       = "Too many requests within a certain time frame."
	msgThrottled400  = "You have exceeded the URL throttle limits."
	msgServerError   = "Cliq server encountered an error which prevents it from fulfilling the request."
	codeThrottled400 = "request_limit_exceeded"
)

func jsonResponse(status int, v any) *apiResponse {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return &apiResponse{status: status, body: b}
}

// errorResponse is a coded error: {"code","message"} (either may be empty).
func errorResponse(status int, code, message string) *apiResponse {
	type errBody struct {
		Code    string `json:"code,omitempty"`
		Message string `json:"message,omitempty"`
	}
	r := jsonResponse(status, errBody{Code: code, Message: message})
	r.code = code
	return r
}

func badRequest(code, message string) *apiResponse {
	return errorResponse(http.StatusBadRequest, code, message)
}

func noContent() *apiResponse { return &apiResponse{status: http.StatusNoContent} }

func (s *Server) throttledResponse() *apiResponse {
	if s.opts.ThrottleStyle == "400" {
		r := errorResponse(http.StatusBadRequest, codeThrottled400, msgThrottled400)
		r.noContract = true // field-reported, not in the vendor's error-code enum
		return r
	}
	return errorResponse(http.StatusTooManyRequests, "", msgTooMany)
}

// ServeHTTP answers one request: route, latency, authentication, rate limit,
// faults, hooks, execution, answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &apiRequest{
		method:   r.Method,
		path:     r.URL.Path,
		rawQuery: r.URL.RawQuery,
		query:    r.URL.Query(),
		header:   r.Header.Clone(),
		arrived:  s.now(),
	}
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		req.body = body
		req.tooLarge = err != nil || len(body) > maxBodyBytes
	}
	if req.path == tokenPath {
		s.serveToken(w, r, req)
		return
	}
	if resp := s.route(req); resp != nil {
		s.finish(w, req, resp)
		return
	}
	s.sleep(r.Context(), req.op)

	s.mu.Lock()
	s.requests[req.op]++
	if !s.authorized(r.Header.Get("Authorization")) {
		s.mu.Unlock()
		s.finish(w, req, errorResponse(http.StatusUnauthorized, "", msgUnauthorized))
		return
	}
	if resp := s.admit(req.op); resp != nil {
		s.mu.Unlock()
		s.finish(w, req, resp)
		return
	}
	fault := s.takeFault(req.op)
	var resp *apiResponse
	if fault != nil {
		resp = s.faultResponse(fault, req.op)
	}
	s.mu.Unlock()
	if resp != nil {
		s.finish(w, req, resp)
		return
	}

	s.runBeforeHooks(req)
	s.mu.Lock()
	resp = s.execute(req)
	s.mu.Unlock()
	s.runHooks(&s.executed, req)
	if r := faultAfter(fault); r != nil {
		resp = r
	}
	s.finish(w, req, resp)
}

// admit applies the rate limiter to op; it returns the throttled answer, or
// nil when the request may run. The caller holds s.mu.
func (s *Server) admit(op Op) *apiResponse {
	l := s.limiters[op]
	ok, locked := l.admit(s.now())
	if ok {
		return nil
	}
	s.throttled[op]++
	if locked {
		s.locks[op]++
	}
	return s.throttledResponse()
}

// route decides the operation of req (setting req.op, req.id and, for PUT,
// req.fields). It returns a 404/405 answer when nothing matches.
func (s *Server) route(req *apiRequest) *apiResponse {
	rest, ok := strings.CutPrefix(req.path, APIPrefix+"/")
	if !ok {
		return errorResponse(http.StatusNotFound, "", msgInvalidURL)
	}
	parts := strings.Split(rest, "/")
	badMethod := errorResponse(http.StatusMethodNotAllowed, "", msgBadMethod)
	switch {
	case len(parts) == 1 && parts[0] == "pin-categories":
		switch req.method {
		case http.MethodGet:
			req.op = OpListFolders
		case http.MethodPost:
			req.op = OpCreateFolder
		case http.MethodDelete:
			req.op = OpBulkUnpin
		default:
			return badMethod
		}
	case len(parts) == 2 && parts[0] == "pin-categories" && parts[1] != "":
		req.id = parts[1]
		switch req.method {
		case http.MethodPut:
			req.op = classifyPut(req)
		case http.MethodDelete:
			req.op = OpDeleteFolder
		default:
			return badMethod
		}
	case len(parts) == 3 && parts[0] == "chats" && parts[1] != "" && parts[2] == "pins":
		req.id = parts[1]
		switch req.method {
		case http.MethodPost:
			req.op = OpPinChat
		case http.MethodDelete:
			req.op = OpUnpinChat
		default:
			return badMethod
		}
	default:
		return errorResponse(http.StatusNotFound, "", msgInvalidURL)
	}
	return nil
}

// finish writes (or drops) the answer, logs it, checks it against the
// contract and runs the AfterRequest hooks.
func (s *Server) finish(w http.ResponseWriter, req *apiRequest, resp *apiResponse) {
	entry := LoggedRequest{
		Time:   req.arrived,
		Op:     req.op,
		Method: req.method,
		Path:   req.path,
		Query:  req.rawQuery,
		Body:   string(req.body),
		Status: resp.status,
		Code:   resp.code,
	}
	if req.op == OpToken {
		entry.Query = redactForm(req.rawQuery)
		entry.Body = redactForm(string(req.body))
	}
	if resp.drop {
		entry.Status, entry.Code = 0, ""
	}
	s.mu.Lock()
	s.log = append(s.log, entry)
	if len(s.log) > maxLogEntries {
		s.log = append([]LoggedRequest(nil), s.log[len(s.log)-maxLogEntries:]...)
	}
	after := append([]func(LoggedRequest){}, s.after...)
	s.mu.Unlock()

	if s.contract != nil && req.op.valid() {
		s.contract.check(req, resp)
	}
	defer func() {
		for _, fn := range after {
			fn(entry)
		}
	}()
	if resp.drop {
		dropConnection(w)
		return
	}
	h := w.Header()
	h.Set("Date", s.now().UTC().Format(http.TimeFormat))
	switch {
	case resp.contentType == "none":
	case resp.contentType != "":
		h.Set("Content-Type", resp.contentType)
	case resp.body != nil:
		h.Set("Content-Type", "application/json;charset=UTF-8")
	}
	w.WriteHeader(resp.status)
	if resp.body != nil {
		_, _ = w.Write(resp.body)
	}
}

// dropConnection closes the client connection without answering.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	// HTTP/2, or a ResponseWriter that cannot be hijacked: abort the handler,
	// which makes net/http reset the stream or close the connection.
	panic(http.ErrAbortHandler)
}

// sleep waits for the latency configured for op (or until ctx ends).
func (s *Server) sleep(ctx context.Context, op Op) {
	s.mu.Lock()
	d, ok := s.latency[op]
	if !ok {
		d = s.latencyAll
	}
	s.mu.Unlock()
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// redactForm hides the secrets of a form-encoded string.
func redactForm(s string) string {
	if s == "" {
		return ""
	}
	v, err := url.ParseQuery(s)
	if err != nil {
		return "<unparsable form redacted>"
	}
	for _, k := range []string{"client_secret", "refresh_token", "code"} {
		if v.Has(k) {
			v.Set(k, "REDACTED")
		}
	}
	return v.Encode()
}
