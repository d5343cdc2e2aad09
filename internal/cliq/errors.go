package cliq

import (
	"errors"
	"fmt"
	"net/http"
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
	Status    int    // HTTP status
	Code      string // vendor error code, may be empty
	Message   string // vendor message, may be empty
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
