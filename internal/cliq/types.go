package cliq

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// DefaultFolderID is the id of the built-in "My Pins" section.
const DefaultFolderID = "default"

// Folder is a chat folder ("pin category") as Cliq lists it. The default folder carries only its ID
// and Chats.
type Folder struct {
	ID     string `json:"category_id"`
	Title  string `json:"title,omitempty"`
	Symbol string `json:"symbol,omitempty"`
	State  string `json:"state,omitempty"`
	Chats  []Chat `json:"chats,omitempty"`

	// chatsUnlisted is set when Cliq's answer left out the folder's chats key. The vendor does
	// not say whether it does so for an empty folder only: the client then takes the folder as
	// empty for reading, but never rewrites its list of chats (doc.go, rule 1).
	chatsUnlisted bool
}

// UnmarshalJSON decodes a folder, noting whether its chats were listed.
func (f *Folder) UnmarshalJSON(b []byte) error {
	var v struct {
		ID     string  `json:"category_id"`
		Title  string  `json:"title"`
		Symbol string  `json:"symbol"`
		State  string  `json:"state"`
		Chats  *[]Chat `json:"chats"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Folder{ID: v.ID, Title: v.Title, Symbol: v.Symbol, State: v.State}
	if v.Chats != nil {
		f.Chats = *v.Chats
	}
	f.chatsUnlisted = v.Chats == nil
	return nil
}

// IsDefault reports whether f is the built-in My Pins section.
func (f Folder) IsDefault() bool { return f.ID == DefaultFolderID }

// ChatIDs lists the ids of the folder's chats in order.
func (f Folder) ChatIDs() []string {
	ids := make([]string, len(f.Chats))
	for i, ch := range f.Chats {
		ids[i] = ch.ChatID
	}
	return ids
}

// HasChat reports whether chatID is pinned in f.
func (f Folder) HasChat(chatID string) bool {
	for _, ch := range f.Chats {
		if ch.ChatID == chatID {
			return true
		}
	}
	return false
}

// Chat is a pinned chat. RecipientsSummary and LastMessageInfo are present only when asked for.
// The pin flag is read from "is_pinned" (My Pins) or "pinned" (the v3 Chats module's chat object).
type Chat struct {
	ChatID            string       `json:"chat_id"`
	ChatType          string       `json:"chat_type,omitempty"`
	Name              string       `json:"name,omitempty"`
	ParticipantCount  FlexInt      `json:"participant_count,omitempty"`
	IsPinned          bool         `json:"is_pinned,omitempty"`
	RecipientsSummary []Recipient  `json:"recipients_summary,omitempty"`
	LastMessageInfo   *LastMessage `json:"last_message_info,omitempty"`
}

// UnmarshalJSON decodes a chat in My Pins' shape or the Chats module's.
func (c *Chat) UnmarshalJSON(b []byte) error {
	type plain Chat
	var v struct {
		plain
		Pinned *bool `json:"pinned"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = Chat(v.plain)
	if v.Pinned != nil && *v.Pinned {
		c.IsPinned = true
	}
	return nil
}

// Recipient is one entry of a chat's recipients_summary.
type Recipient struct {
	ID   FlexString `json:"id"`
	Name string     `json:"name"`
}

// LastMessage is a chat's last_message_info. The vendor documents no types for its fields: ids and
// time are taken as strings or numbers alike. My Pins documents the message id as "id" and the
// sender as {id, name}; the v3 Chats module's chat object as "message_id" and the sender's id alone.
type LastMessage struct {
	ID      FlexString `json:"id"`
	Type    string     `json:"type"`
	Time    FlexString `json:"time"`
	Content struct {
		Text string `json:"text"`
	} `json:"content"`
	Sender MessageSender `json:"sender"`
}

// UnmarshalJSON decodes last_message_info in either shape.
func (m *LastMessage) UnmarshalJSON(b []byte) error {
	type plain LastMessage
	var v struct {
		plain
		MessageID FlexString `json:"message_id"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*m = LastMessage(v.plain)
	if m.ID == "" {
		m.ID = v.MessageID
	}
	return nil
}

// MessageSender is a last message's sender: {id, name}, or the sender's id alone (Name is then "").
type MessageSender struct {
	ID   FlexString `json:"id"`
	Name string     `json:"name"`
}

func (s *MessageSender) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] != '{' {
		*s = MessageSender{}
		return s.ID.UnmarshalJSON(b) // a string or number id, or null
	}
	type plain MessageSender
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = MessageSender(v)
	return nil
}

// FlexString decodes a JSON string, or a number as its literal text (ids and epoch times beyond
// 2^53 keep every digit); null is "".
type FlexString string

func (s *FlexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = ""
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = FlexString(str)
		return nil
	}
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		return err
	}
	*s = FlexString(num)
	return nil
}

// FlexInt decodes a JSON number or a numeric string: the OpenAPI document says integer, but Zoho
// APIs are known to send numbers as strings at times.
type FlexInt int64

func (n *FlexInt) UnmarshalJSON(b []byte) error {
	var num json.Number
	if err := json.Unmarshal(b, &num); err != nil {
		var s string
		if err2 := json.Unmarshal(b, &s); err2 != nil {
			return err
		}
		num = json.Number(s)
	}
	if num == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		f, ferr := num.Float64()
		if ferr != nil {
			return err
		}
		v = int64(f)
	}
	*n = FlexInt(v)
	return nil
}

// IncludeFields selects extra detail for a list read.
type IncludeFields struct {
	Recipients  bool // recipients_summary
	LastMessage bool // last_message_info
}

func (f IncludeFields) query() string {
	q := "chats"
	if f.Recipients {
		q += ",recipients_summary"
	}
	if f.LastMessage {
		q += ",last_message_info"
	}
	return q
}

// Request and response bodies, after the vendor's OpenAPI document.

type listResponse struct {
	Data []Folder `json:"data"`
}

type createFolderRequest struct {
	Title   string   `json:"title"`
	Symbol  string   `json:"symbol"` // always sent: the reference page marks it required; "" = none
	ChatIDs []string `json:"chat_ids,omitempty"`
}

type createFolderResponse struct {
	Data Folder `json:"data"`
}

type modifyFolderRequest struct {
	Title  *string `json:"title,omitempty"`
	Symbol *string `json:"symbol,omitempty"`
	State  *string `json:"state,omitempty"`
}

type reorderChatRequest struct {
	ChatID       string `json:"chat_id"`
	PinAbove     string `json:"pin_above,omitempty"`
	LastSyncTime string `json:"last_sync_time"`
}

type reorderFolderRequest struct {
	PinAbove     string `json:"pin_above,omitempty"`
	LastSyncTime string `json:"last_sync_time"`
}

type replaceChatsRequest struct {
	ChatIDs      []string `json:"chat_ids"`
	LastSyncTime string   `json:"last_sync_time"`
}

type pinChatRequest struct {
	CategoryID string `json:"category_id,omitempty"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// UnmarshalJSON reads both documented error shapes: My Pins' flat {"code", "message"} and the
// Chats module's (same scopes) nested {"error": {"code", "message"}}.
func (e *errorBody) UnmarshalJSON(b []byte) error {
	type flat errorBody
	var v struct {
		flat
		Error json.RawMessage `json:"error"`
	}
	err := json.Unmarshal(b, &v)
	*e = errorBody(v.flat)
	var nested flat
	if len(v.Error) > 0 && v.Error[0] == '{' && json.Unmarshal(v.Error, &nested) == nil {
		if e.Code == "" {
			e.Code = nested.Code
		}
		if e.Message == "" {
			e.Message = nested.Message
		}
	}
	return err
}
