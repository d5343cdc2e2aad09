package cliq

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/singleflight"
)

// ChatsLimit is the most chats Cliq's chat list (GET /chats) answers at once. The vendor
// describes no paging beyond it, so an answer of this many chats may leave some out.
const ChatsLimit = 100

// ChatFilter selects chats of the chat list by the vendor's query parameters. Zero fields do not
// filter.
type ChatFilter struct {
	Name         string   // a part of the name (name)
	Type         string   // the vendor's type: dm, channel, bot or threads (type)
	Pinned       *bool    // pinned chats, or chats not pinned (see ListChats)
	ChatIDs      []string // these chats only (chat_ids)
	ParentChatID string   // the threads of this chat (parent_chid)
}

// query is the filter's query string, with limit=ChatsLimit. The vendor documents pinned=true
// only, so the client never sends pinned=false: it filters the answer instead. Chat ids are sent
// sorted and once each, so that filters that select the same chats share one read.
func (f ChatFilter) query() string {
	q := url.Values{}
	q.Set("limit", fmt.Sprint(ChatsLimit))
	if f.Name != "" {
		q.Set("name", f.Name)
	}
	if f.Type != "" {
		q.Set("type", f.Type)
	}
	if f.Pinned != nil && *f.Pinned {
		q.Set("pinned", "true")
	}
	if len(f.ChatIDs) > 0 {
		ids := slices.Clone(f.ChatIDs)
		slices.Sort(ids)
		q.Set("chat_ids", strings.Join(slices.Compact(ids), ","))
	}
	if f.ParentChatID != "" {
		q.Set("parent_chid", f.ParentChatID)
	}
	return q.Encode() // keys sorted: one key per filter
}

// ListedChat is a chat as the chat list describes it.
type ListedChat struct {
	ChatID           string
	Name             string
	ChatType         string // e.g. direct_message, group_chat, channel, bot, thread
	ParticipantCount int64
	Pinned           bool
}

// UnmarshalJSON reads a chat of the chat list. The pin flag is "pinned" in the Chats module and
// "is_pinned" in the My Pins module: either is read. Ids may come as numbers.
func (c *ListedChat) UnmarshalJSON(b []byte) error {
	var v struct {
		ChatID           FlexString `json:"chat_id"`
		Name             string     `json:"name"`
		ChatType         string     `json:"chat_type"`
		ParticipantCount FlexInt    `json:"participant_count"`
		Pinned           *bool      `json:"pinned"`
		IsPinned         *bool      `json:"is_pinned"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = ListedChat{ChatID: string(v.ChatID), Name: v.Name, ChatType: v.ChatType, ParticipantCount: int64(v.ParticipantCount)}
	switch {
	case v.Pinned != nil:
		c.Pinned = *v.Pinned
	case v.IsPinned != nil:
		c.Pinned = *v.IsPinned
	}
	return nil
}

// TooManyChatsError is a chat list that may be cut short: Cliq answered ChatsLimit chats, the most
// it sends, and offers no way to ask for the rest.
type TooManyChatsError struct {
	Filter ChatFilter
}

func (e *TooManyChatsError) Error() string {
	return fmt.Sprintf("Cliq answered %d chats for this filter, the most it sends at once, and offers no paging, so more chats may match "+
		"and the list would be cut short", ChatsLimit)
}

// chatLists serves the chat list: one request per filter in flight, shared by its callers, and
// its answer kept until Invalidate, so that every data source of a Terraform run with the same
// filter costs one request.
type chatLists struct {
	flights singleflight.Group

	mu    sync.Mutex
	gen   int                     // bumped by forget: an answer read before it is not kept
	known map[string][]ListedChat // by query
}

func (l *chatLists) get(query string) ([]ListedChat, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	chats, ok := l.known[query]
	return chats, ok
}

func (l *chatLists) generation() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.gen
}

func (l *chatLists) keep(query string, gen int, chats []ListedChat) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gen != l.gen {
		return
	}
	if l.known == nil {
		l.known = map[string][]ListedChat{}
	}
	l.known[query] = chats
}

// forget drops every answer kept: the next read of each filter asks Cliq again.
func (l *chatLists) forget() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen++
	l.known = nil
}

// ListChats lists the caller's chats that f selects (GET /chats), in Cliq's order. Callers with
// the same filter share one request, and its answer serves them until Invalidate. It fails with a
// *TooManyChatsError when Cliq answers ChatsLimit chats: some may be missing, and a list cut short
// is never returned. With f.Pinned false, the chats that are not pinned are kept from the answer.
func (c *Client) ListChats(ctx context.Context, f ChatFilter) ([]ListedChat, error) {
	query := f.query()
	chats, ok := c.chatLists.get(query)
	if !ok {
		var err error
		if chats, err = c.fetchChats(ctx, query); err != nil {
			return nil, err
		}
	}
	if len(chats) >= ChatsLimit {
		return nil, &TooManyChatsError{Filter: f}
	}
	out := make([]ListedChat, 0, len(chats))
	for _, ch := range chats {
		if f.Pinned == nil || ch.Pinned == *f.Pinned {
			out = append(out, ch)
		}
	}
	return out, nil
}

// fetchChats reads the chat list for query, sharing the request with concurrent callers (shared,
// as fetch does for the folder list).
func (c *Client) fetchChats(ctx context.Context, query string) ([]ListedChat, error) {
	return shared(ctx, &c.chatLists.flights, query, func() ([]ListedChat, error) {
		gen := c.chatLists.generation()
		ans, err := c.do(ctx, call{op: OpListChats, path: "/chats", rawQuery: query})
		if err != nil {
			return nil, err
		}
		var body struct {
			Chats []ListedChat `json:"chats"`
		}
		if err := ans.decode(OpListChats, &body); err != nil {
			return nil, err
		}
		c.chatLists.keep(query, gen, body.Chats)
		return body.Chats, nil
	})
}
