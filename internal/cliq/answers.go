package cliq

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
)

// What a 2xx answer of each operation must hold for the client to read it, after the vendor's
// documents (shared/cliq-api.md, "Responses documented"). Unknown keys are ignored and optional
// keys may be missing; a body that is not JSON, JSON of another shape, a wrong type, or a missing
// key the client needs makes the answer unreadable (see check).
type answerShape int

const (
	// shapeEmpty: operations 3 to 8 answer 204 No Content. Tolerated: an empty body, or any JSON.
	shapeEmpty answerShape = iota
	// shapeChat: pin and unpin answer {"type","data":{"chat_id","category_id"}}. Tolerated: an
	// empty body; else a JSON object whose data is an object, whose keys are strings when present.
	shapeChat
	// shapeFolder: create answers {"url","type","data":{"category_id","state","symbol","title"}}.
	// Required: data, an object with a non-empty category_id (the client must name the new folder).
	shapeFolder
	// shapeFolders: the list answers {"url","type","data":[folder…]}. Required: data, a list; each
	// folder's category_id and each chat's chat_id. An empty body is unreadable: it is not "no
	// folders".
	shapeFolders
	// shapeChatList: the chat list (GET /chats) answers {"chats":[chat…]}. Required: chats, a
	// list; each chat's chat_id. An empty body is unreadable: it is not "no chats".
	shapeChatList
)

var answerShapes = map[Operation]answerShape{
	OpCreateFolder: shapeFolder,
	OpListFolders:  shapeFolders,
	OpPinChat:      shapeChat,
	OpUnpinChat:    shapeChat,
	OpListChats:    shapeChatList,
}

// checkAnswer reports whether a 2xx answer (status, Content-Type, body) is what op documents; if
// not, an *UnreadableAnswerError that says what is wrong, with the first bytes of the body cleaned
// of secrets (every value in secrets, and whatever looks like a credential).
func checkAnswer(op Operation, status int, contentType string, raw []byte, secrets []string) *UnreadableAnswerError {
	shape := answerShapes[op]
	body := bytes.TrimSpace(raw)
	unreadable := func(problem string) *UnreadableAnswerError {
		return unreadableAnswer(op, status, contentType, raw, problem, secrets)
	}
	if len(body) == 0 {
		if shape == shapeFolder || shape == shapeFolders || shape == shapeChatList {
			return unreadable("an empty body instead of JSON")
		}
		return nil
	}
	if !isJSONContentType(contentType) {
		if looksLikeHTML(body) {
			return unreadable("an HTML page instead of JSON")
		}
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return unreadable("a body of an unknown content type instead of JSON")
		}
		return unreadable("a " + mt + " body instead of JSON")
	}
	if problem := shapeProblem(shape, body); problem != "" {
		return unreadable(problem)
	}
	return nil
}

// shapeProblem says what in body does not match shape, or "" when it matches.
func shapeProblem(shape answerShape, body []byte) string {
	if !json.Valid(body) {
		var v any
		return describeJSONError(body, json.Unmarshal(body, &v))
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if shape != shapeEmpty {
		if err := json.Unmarshal(body, &env); err != nil {
			return "JSON that is not an object"
		}
	}
	missing := len(env.Data) == 0 || string(env.Data) == "null"
	switch shape {
	case shapeChatList:
		var list struct {
			Chats *[]ListedChat `json:"chats"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			return describeJSONError(body, err)
		}
		if list.Chats == nil {
			return "JSON without chats"
		}
		for i, ch := range *list.Chats {
			if ch.ChatID == "" {
				return fmt.Sprintf("JSON without chats[%d].chat_id", i)
			}
		}
	case shapeChat:
		if missing {
			return "JSON without data"
		}
		var data struct {
			ChatID     *string `json:"chat_id"`
			CategoryID *string `json:"category_id"`
		}
		if err := json.Unmarshal(env.Data, &data); err != nil {
			return describeJSONError(env.Data, prefixField("data", err))
		}
	case shapeFolder:
		if missing {
			return "JSON without data"
		}
		var f Folder
		if err := json.Unmarshal(env.Data, &f); err != nil {
			return describeJSONError(env.Data, prefixField("data", err))
		}
		if f.ID == "" {
			return "JSON without data.category_id"
		}
		if p := chatsProblem("data", f.Chats); p != "" {
			return p
		}
	case shapeFolders:
		if missing {
			return "JSON without data"
		}
		var folders []Folder
		if err := json.Unmarshal(env.Data, &folders); err != nil {
			return describeJSONError(env.Data, prefixField("data", err))
		}
		for i, f := range folders {
			if f.ID == "" {
				return fmt.Sprintf("JSON without data[%d].category_id", i)
			}
			if p := chatsProblem(fmt.Sprintf("data[%d]", i), f.Chats); p != "" {
				return p
			}
		}
	}
	return ""
}

func chatsProblem(path string, chats []Chat) string {
	for j, ch := range chats {
		if ch.ChatID == "" {
			return fmt.Sprintf("JSON without %s.chats[%d].chat_id", path, j)
		}
	}
	return ""
}

// fieldError is a JSON type error with the path of the field from the top of the answer.
type fieldError struct {
	path string
	err  *json.UnmarshalTypeError
}

func (e *fieldError) Error() string { return e.err.Error() }

func prefixField(prefix string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := prefix
		if te.Field != "" {
			path += "." + te.Field
		}
		return &fieldError{path: path, err: te}
	}
	return err
}

// describeJSONError turns a decoder error into words a person can act on.
func describeJSONError(body []byte, err error) string {
	var fe *fieldError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &fe):
		return fmt.Sprintf("JSON in which %s is %s, not %s", fe.path, jsonValueName(fe.err.Value), goTypeName(fe.err.Type.String()))
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("JSON in which %s is %s, not %s", te.Field, jsonValueName(te.Value), goTypeName(te.Type.String()))
		}
		return fmt.Sprintf("JSON of another shape (%s where %s was expected)", jsonValueName(te.Value), goTypeName(te.Type.String()))
	case looksLikeHTML(bytes.TrimSpace(body)):
		return "an HTML page instead of JSON"
	case errors.Is(err, io.ErrUnexpectedEOF) || isUnexpectedEnd(err):
		return "JSON that breaks off (the answer was cut short)"
	default:
		return "a body that is not JSON"
	}
}

func isUnexpectedEnd(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unexpected end of JSON input")
}

func jsonValueName(v string) string {
	switch v {
	case "object", "array":
		return "an " + v
	case "":
		return "a value"
	}
	if strings.HasPrefix(v, "number") {
		return "a number"
	}
	return "a " + v
}

func goTypeName(t string) string {
	switch {
	case t == "string" || strings.HasSuffix(t, "FlexString"):
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "float") || strings.HasSuffix(t, "FlexInt"):
		return "a number"
	}
	return "an object"
}

// isJSONContentType reports whether a Content-Type allows a JSON body: absent (tolerated), or
// application/json, text/json or a +json type, with any parameters.
func isJSONContentType(ct string) bool {
	if strings.TrimSpace(ct) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// looksLikeHTML reports whether a (trimmed) body starts as markup does.
func looksLikeHTML(body []byte) bool {
	return len(body) > 0 && body[0] == '<'
}

// unreadableAnswer builds the error for an answer that is not what op documents.
func unreadableAnswer(op Operation, status int, contentType string, body []byte, problem string, secrets []string) *UnreadableAnswerError {
	return &UnreadableAnswerError{
		Operation:   op,
		Status:      status,
		ContentType: contentType,
		Problem:     problem,
		Excerpt:     redactedExcerpt(body, secrets),
	}
}
