package cliq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const logSubsystem = "cliq"

const maxRetries = 3

// call is one request to the API.
type call struct {
	op       Operation
	path     string // below /api/v3, e.g. /pin-categories/4000000020001
	rawQuery string
	body     any // JSON-encoded when not nil
	// settle, if set, records a successful answer in the snapshot. It runs inside the gate (see
	// doc.go, rule 2), at most once, after the answer was checked.
	settle func(*answer)
	// afterWait, if set, runs before the request leaves after any wait of do's (for its budget, a
	// throttle lock, a retry), holding the budget slot but not the gate: a request whose reason to
	// be sent is a read (the unpin from My Pins, doc.go rule 3) reads again there. An error stops it.
	afterWait func(ctx context.Context) error
}

// answer is a response that arrived.
type answer struct {
	status      int
	date        time.Time // the server's clock (Date header), falling back to the local clock
	dated       bool      // the Date header was there: date is the server's clock
	body        []byte
	contentType string // the Content-Type header, "" when absent
}

// logContext adds the cliq log subsystem and masks every secret the client holds, in both the
// subsystem and the provider's root logger.
func (c *Client) logContext(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem)
	secrets := c.creds.secrets()
	ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
	ctx = tflog.MaskMessageStrings(ctx, secrets...)
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
	ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
	return tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem, "authorization", "Authorization")
}

// do sends a call within its budget. It refreshes the token once after a 401, waits out a lock
// after a throttling answer, and retries reads after server and transport errors. A write whose
// outcome is unknown returns an *AmbiguousError: the caller decides, after a read, whether to repeat.
// A success answer that is not what the operation documents (see checkAnswer) leaves a write's
// outcome unknown too; a read sends once more, then fails with an *UnreadableAnswerError.
func (c *Client) do(ctx context.Context, cl call) (*answer, error) {
	ctx = c.logContext(ctx)
	spec := operations[cl.op]
	isRead := spec.method == http.MethodGet
	refreshed := false
	throttles, retries, unreadable := 0, 0, 0
	leave := func() {}
	defer func() { leave() }()
	for attempt := 0; ; attempt++ {
		leave()
		release, waited, err := c.budgets.take(ctx, cl.op, spec.class)
		slotTaken(ctx, cl.op) // a slot claimed for this request is now counted by the budget itself
		if err != nil {
			return nil, err
		}
		tok, err := c.creds.token(ctx)
		if err != nil {
			release(false, false)
			return nil, err
		}
		if cl.afterWait != nil && (waited || attempt > 0) {
			if err := cl.afterWait(ctx); err != nil {
				release(false, false)
				return nil, err
			}
		}
		// The gate (doc.go, rule 2) is held from before the request leaves until its answer is
		// settled into the snapshot; it is left before any wait. Nothing leaves once ctx is done.
		entered, err := func() {}, ctx.Err() // the chat list neither shows nor changes pins: no gate
		if cl.op != OpListChats {
			entered, err = c.enterGate(ctx, cl.op == OpListFolders)
		}
		if err != nil {
			release(false, false)
			return nil, err
		}
		leave = entered
		start := time.Now()
		ans, err := c.sendInFlight(ctx, spec.method, cl, tok)
		if err != nil {
			release(true, false)
			tflog.SubsystemDebug(ctx, logSubsystem, "Cliq request failed", map[string]any{
				"operation": string(cl.op), "method": spec.method, "path": cl.path, "error": err.Error(), "duration_ms": time.Since(start).Milliseconds(),
			})
			if ctx.Err() == nil && isRead && retries < maxRetries {
				retries++
				leave()
				if err := c.backoff(ctx, retries); err != nil {
					return nil, err
				}
				continue
			}
			if isRead {
				return nil, fmt.Errorf("cliq %s: %w", cl.op, err)
			}
			return nil, &AmbiguousError{Operation: cl.op, Err: err}
		}
		apiErr := ans.apiError(cl.op)
		throttled := apiErr != nil && apiErr.IsThrottled()
		release(true, throttled)
		fields := map[string]any{
			"operation": string(cl.op), "method": spec.method, "path": cl.path, "status": ans.status, "duration_ms": time.Since(start).Milliseconds(),
		}
		if apiErr != nil && apiErr.Code != "" {
			fields["code"] = apiErr.Code
		}
		tflog.SubsystemDebug(ctx, logSubsystem, "Cliq request", fields)
		switch {
		case apiErr == nil:
			uerr := checkAnswer(cl.op, ans.status, ans.contentType, ans.body, c.creds.secrets())
			if uerr == nil {
				if cl.settle != nil {
					cl.settle(ans) // still inside the gate
				}
				return ans, nil
			}
			tflog.SubsystemWarn(ctx, logSubsystem, "Cliq's answer cannot be read", map[string]any{
				"operation": string(cl.op), "status": ans.status, "content_type": ans.contentType, "problem": uerr.Problem, "excerpt": uerr.Excerpt,
			})
			if !isRead {
				// The write may or may not have taken effect: the caller settles it by reading.
				return nil, &AmbiguousError{Operation: cl.op, Err: uerr}
			}
			if unreadable > 0 || ctx.Err() != nil {
				return nil, uerr
			}
			unreadable++
			leave()
			if err := c.backoff(ctx, 1); err != nil {
				return nil, err
			}
		case throttled:
			throttles++
			tflog.SubsystemWarn(ctx, logSubsystem, "Cliq throttled a request; the operation is locked for the lock period", map[string]any{
				"operation": string(cl.op), "lock_period": c.budgets.locks[spec.class].String(),
			})
			if throttles > maxRetries {
				return nil, apiErr
			}
		case ans.status == http.StatusUnauthorized && !refreshed && c.creds.invalidate(tok):
			// Refresh once and send again. Only once: Zoho allows about ten refreshes in ten
			// minutes, and a token rejected right after a refresh means something else is wrong.
			refreshed = true
		case ans.status >= 500 && isRead && retries < maxRetries:
			retries++
			leave()
			if err := c.backoff(ctx, retries); err != nil {
				return nil, err
			}
		case ans.status >= 500:
			if isRead {
				return nil, apiErr
			}
			return nil, &AmbiguousError{Operation: cl.op, Err: apiErr}
		default:
			return nil, apiErr
		}
	}
}

func (c *Client) send(ctx context.Context, method string, cl call, tok string) (*answer, error) {
	u := *c.cfg.apiBase
	// cl.path is escaped already (an id may hold any character but "/", see paths.go): join it to
	// the base's escaped path, so that an escaped character stays one.
	u.RawPath = u.EscapedPath() + cl.path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, err
	}
	u.Path = p
	u.RawQuery = cl.rawQuery
	var body io.Reader
	if cl.body != nil {
		data, err := json.Marshal(cl.body)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	ans := &answer{status: resp.StatusCode, body: data, date: time.Now(), contentType: resp.Header.Get("Content-Type")}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		ans.date, ans.dated = d, true
	}
	return ans, nil
}

// apiError is the error an answer carries, or nil for a 2xx.
func (a *answer) apiError(op Operation) *APIError {
	if a.status >= 200 && a.status < 300 {
		return nil
	}
	var eb errorBody
	_ = json.Unmarshal(a.body, &eb) // either key may be missing; a non-JSON body leaves both empty
	apiErr := &APIError{Operation: op, Status: a.status, Code: eb.Code, Message: strings.TrimSpace(eb.Message)}
	if a.dated {
		apiErr.Date = a.date // only Cliq's clock: the local one says nothing of when Cliq saw a change
	}
	return apiErr
}

// decode reads a success body into out; an empty body is success with nothing to read. Client.do
// has checked the body against what op documents (see checkAnswer), so this fails only for a type
// that asks more of the body than the check does.
func (a *answer) decode(op Operation, out any) error {
	if out == nil || len(bytes.TrimSpace(a.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(a.body, out); err != nil {
		return unreadableAnswer(op, a.status, a.contentType, a.body, describeJSONError(a.body, err), nil)
	}
	return nil
}

func (c *Client) backoff(ctx context.Context, attempt int) error {
	d := c.cfg.RetryBaseDelay << (attempt - 1)
	if d > 30*time.Second {
		d = 30 * time.Second
	}
	d += time.Duration(rand.Int64N(int64(c.cfg.RetryBaseDelay)))
	return c.sleep(ctx, d)
}

// errIsRetryableAfterRead reports whether a write's failure should be settled by reading the list:
// its outcome is unknown, or the server found our view of the folder stale.
func errIsRetryableAfterRead(err error) bool {
	return IsAmbiguous(err) || HasCode(err, CodeClientNotSynced)
}

var errNotConverged = errors.New("the change did not take effect after repeated attempts")
