package cliq

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Vendor error codes documented for the My Pins API.
const (
	CodeParamMissing        = "param_missing"
	CodeOperationNotAllowed = "operation_not_allowed"
	CodeMaxFolders          = "max_folders_error"
	CodeClientNotSynced     = "client_not_synced"
	CodeInvalidInputs       = "invalid_inputs"
	CodeMaxPins             = "max_pins_error"
	CodeChatAccessDenied    = "chat_access_denied"
	CodeOperationFailed     = "operation_failed"
	CodeChatOperationFailed = "chat_operation_failed"
	CodeRequestLimit        = "request_limit_exceeded"
)

var remediations = map[string]string{
	CodeParamMissing:        "A required field was not sent; this is a provider bug, please report it.",
	CodeOperationNotAllowed: "The account may not do this: check that you may pin every chat listed, and note that the default \"My Pins\" folder cannot be deleted or changed.",
	CodeMaxFolders:          "The account holds the maximum number of chat folders: delete a folder (in Cliq or from your configuration) or declare fewer folders.",
	CodeClientNotSynced:     "The folder changed on the server while Terraform was working on it; run the apply again.",
	CodeInvalidInputs:       "The request mixed chat_ids with other changes; this is a provider bug, please report it.",
	CodeMaxPins:             "The folder holds the maximum number of pinned chats: unpin a chat from it or pin this chat into another folder.",
	CodeChatAccessDenied:    "The authenticated user is not a participant of this chat: join the chat first, or remove it from the configuration.",
	CodeOperationFailed:     "Cliq could not carry out the request; check that every folder id and chat id exists, then retry.",
	CodeChatOperationFailed: "Cliq could not carry out the chat operation; check that the chat exists and is pinned, then retry.",
	CodeRequestLimit:        "Cliq's rate limit was exceeded; the provider waits for the lock period and retries.",
}

// APIError is an answer from Cliq that was not a success.
type APIError struct {
	Operation Operation
	Status    int       // HTTP status
	Code      string    // vendor error code, may be empty
	Message   string    // vendor message, may be empty
	Date      time.Time // the answer's Date (server clock), zero when unknown
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("cliq %s: HTTP %d", e.Operation, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if r := e.Remediation(); r != "" {
		msg += ". " + r
	}
	return msg
}

// Remediation says what the user can do about the error.
func (e *APIError) Remediation() string {
	if r, ok := remediations[e.Code]; ok {
		return r
	}
	switch e.Status {
	case http.StatusUnauthorized:
		return "The access token was rejected: check the credentials and that they belong to the data centre of the account."
	case http.StatusForbidden:
		return "The token lacks a scope: mint it with ZohoCliq.Chats.READ,ZohoCliq.Chats.CREATE,ZohoCliq.Chats.UPDATE,ZohoCliq.Chats.DELETE."
	case http.StatusNotFound:
		return "Cliq does not know this URL: check api_url and data_center."
	case http.StatusTooManyRequests:
		return remediations[CodeRequestLimit]
	}
	if e.Status >= 500 {
		return "Cliq had a server error; retry later."
	}
	return ""
}

// HasCode reports whether err is an APIError with the given vendor code.
func HasCode(err error, code string) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Code == code
}

// IsThrottled reports whether an answer means the operation is rate-limited: HTTP 429, or HTTP 400
// with request_limit_exceeded as reported from the field.
func (e *APIError) IsThrottled() bool {
	return e.Status == http.StatusTooManyRequests || e.Code == CodeRequestLimit
}

// AmbiguousError reports a write whose outcome is unknown: the connection dropped, the request timed
// out or the server failed after it may have committed the change.
type AmbiguousError struct {
	Operation Operation
	Err       error
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("cliq %s: outcome unknown: %v", e.Operation, e.Err)
}

func (e *AmbiguousError) Unwrap() error { return e.Err }

// IsAmbiguous reports whether err leaves the outcome of a write unknown.
func IsAmbiguous(err error) bool {
	var amb *AmbiguousError
	return errors.As(err, &amb)
}

// ErrFolderNotFound means the folder addressed no longer exists. Cliq answers a PUT or DELETE on a
// deleted folder with HTTP 400 (not 404), so the client confirms with a read before saying so.
var ErrFolderNotFound = errors.New("chat folder not found")

// UnreadableAnswerError is a success answer (2xx) whose body is not what the operation documents:
// a proxy's or load balancer's HTML page, a body cut short, JSON of another shape. For a write it
// comes wrapped in an *AmbiguousError (the write may have taken effect); a read fails with it after
// one more try.
type UnreadableAnswerError struct {
	Operation   Operation
	Status      int
	ContentType string // as sent, "" when absent
	Problem     string // what the body is instead, e.g. "an HTML page instead of JSON"
	Excerpt     string // the first bytes of the body, with anything that could be a secret removed
}

func (e *UnreadableAnswerError) Error() string {
	ct := e.ContentType
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		ct = mt
	} else if ct == "" {
		ct = "no content type"
	} else {
		ct = redactedExcerpt([]byte(ct), nil)
	}
	msg := fmt.Sprintf("Cliq answered %s (%s) with %s (HTTP %d, %s)", operationNouns[e.Operation], e.Operation, e.Problem, e.Status, ct)
	if e.Excerpt != "" {
		msg += ": `" + e.Excerpt + "`"
	}
	return msg + ". A proxy or an outage between you and Cliq may cause this; try again, and retry later if it persists."
}

// operationNouns names each operation's request as a person would.
var operationNouns = map[Operation]string{
	OpCreateFolder:  "a folder create",
	OpListFolders:   "the folder list",
	OpBulkUnpin:     "a bulk unpin",
	OpModifyFolder:  "a folder change",
	OpDeleteFolder:  "a folder delete",
	OpReorderChat:   "a chat move",
	OpReorderFolder: "a folder move",
	OpReplaceChats:  "a replace of a folder's chats",
	OpPinChat:       "a pin",
	OpUnpinChat:     "an unpin",
	OpListChats:     "the chat list",
}

// excerptRunes is how much of an unreadable body an error shows.
const excerptRunes = 80

// excerptWindow is how much of a body is cleaned before the excerpt is cut from it.
const excerptWindow = 16 << 10

var (
	// "Bearer <token>", "Zoho-oauthtoken <token>", "Basic <credentials>".
	authSchemeRe = regexp.MustCompile(`(?i)\b(bearer|zoho-oauthtoken|basic)(\s+|%20|\+)[^\s"'<>,;&]+`)
	// key=value and "key": "value" pairs whose key names a credential.
	credentialRe = regexp.MustCompile(`(?i)((?:access|refresh|id|auth)[_-]?token|token|client[_-]?secret|secret|password|passwd|api[_-]?key|authorization|cookie|session[_-]?id)(["']?\s*(?:[:=]|%3d)\s*["']?)[^\s"'&<>,;}]+`)
	// Long opaque runs of letters and digits, as tokens, keys and session ids are.
	opaqueRe = regexp.MustCompile(`[A-Za-z0-9._~+/=-]{24,}`)
)

const redacted = "[redacted]"

// redactedExcerpt returns the first excerptRunes characters of body on one line, with every value of
// secrets and whatever looks like a credential replaced by [redacted], and control characters and
// backquotes (which would break the quoting of the excerpt) replaced by spaces.
func redactedExcerpt(body []byte, secrets []string) string {
	window, cut := cutWord(body, excerptWindow)
	s := strings.ToValidUTF8(string(window), "\uFFFD")
	for _, secret := range secrets {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	s = strings.Map(func(r rune) rune {
		if r == '`' || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	// Only the start is shown: the patterns need not scan the rest (they are slow on long input).
	var more bool
	s, more = cutWordString(s, 4*excerptRunes)
	cut = cut || more
	s = authSchemeRe.ReplaceAllString(s, "$1 "+redacted)
	s = credentialRe.ReplaceAllString(s, "$1$2"+redacted)
	s = opaqueRe.ReplaceAllStringFunc(s, func(m string) string {
		if strings.ContainsAny(m, "0123456789") && strings.IndexFunc(m, unicode.IsLetter) >= 0 {
			return redacted
		}
		return m
	})
	if r := []rune(s); len(r) > excerptRunes {
		s = string(r[:excerptRunes]) + "…"
	} else if cut {
		s += "…"
	}
	return s
}

// cutWord returns at most the first n bytes of b, and whether it cut. A cut drops the word it falls
// in: a secret there is no longer whole, and neither its value nor a pattern would recognise it.
func cutWord(b []byte, n int) ([]byte, bool) {
	if len(b) <= n {
		return b, false
	}
	b = b[:n]
	if i := bytes.LastIndexAny(b, " \t\r\n<>\"'"); i >= 0 {
		return b[:i], true
	}
	return nil, true
}

func cutWordString(s string, n int) (string, bool) {
	b, cut := cutWord([]byte(s), n)
	return string(b), cut
}
