package fakecliq

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GET /api/v3/chats, the Chats module's chat list (shared/cliq-api.md, "Finding chats"): the
// caller's chats, filtered by the vendor's query parameters, at most `limit` (at most 100) an
// answer and no paging. Threshold 30 a minute, lock period 10 minutes (twice Options.LockPeriod,
// so that a time-scaled fake scales it alike).
//
// Where the vendor is silent the fake reads it so:
//   - the caller's chats are the registered ones (AddChat and the seeded directory, see
//     DemoChats) and every pinned chat, less those the caller is denied (DenyChat);
//   - `name` matches a part of the name, ignoring case; `type=dm` is chat_type direct_message,
//     `threads` is thread, `channel` and `bot` their own; `guests` and `muted` match nothing (the
//     fake has no guests and mutes nothing); `pinned=true` keeps pinned chats, `pinned=false` does
//     not filter (the vendor documents only true); `chat_ids` keeps the chats listed;
//     `parent_chid` keeps the threads of that chat; `joined`, `closed`, `drafts`, `modified_*`
//     are checked for their type only;
//   - the chats come sorted by name, then id; without `limit`, at most defaultChatsLimit;
//   - a bad parameter is answered 400 in the Chats module's shape {"error":{"code","message"}}.

// Limits of the chat list.
const (
	maxChatsLimit     = 100
	defaultChatsLimit = 50 // the vendor documents no default: a client that wants 100 must ask
	chatsLockFactor   = 2  // the Chats module's lock (10 minutes) against the My Pins one (5)
)

// chatTypeFilters maps the vendor's `type` values to the chat_type they keep ("" = none).
var chatTypeFilters = map[string]string{
	"dm":      "direct_message",
	"channel": "channel",
	"bot":     "bot",
	"threads": "thread",
	"guests":  "",
	"muted":   "",
}

// DemoChats is the chat directory every fake starts with: realistic names and types, so that
// configurations (examples/, `make demo`) can find chats by name. Ids are opaque strings to
// clients; their format follows the fake's chat ids.
func DemoChats() []Chat {
	return []Chat{
		{ChatID: "CT_1847392056173920481_P87610301-C4", ChatType: "channel", Name: "Standup", ParticipantCount: 14},
		{ChatID: "CT_1847392056173920481_P87610302-C4", ChatType: "channel", Name: "Project Alpha", ParticipantCount: 9},
		{ChatID: "CT_1847392056173920481_P87610303-C4", ChatType: "channel", Name: "proj-web", ParticipantCount: 7},
		{ChatID: "CT_1847392056173920481_P87610304-C4", ChatType: "channel", Name: "proj-api", ParticipantCount: 6},
		{ChatID: "CT_1847392056173920481_P87610305-C4", ChatType: "channel", Name: "proj-mobile", ParticipantCount: 5},
		{ChatID: "CT_1847392056173920481_P87610306-C4", ChatType: "channel", Name: "Announcements", ParticipantCount: 120},
		{ChatID: "CT_1847392056173920481_748291640", ChatType: "direct_message", Name: "Priya Raman", ParticipantCount: 2},
		{ChatID: "CT_1847392056173920481_748291642", ChatType: "direct_message", Name: "Tim Harrison", ParticipantCount: 2},
		{ChatID: "CT_1847392056173920481_748291651", ChatType: "group_chat", Name: "Design review", ParticipantCount: 4},
		{ChatID: "CT_1847392056173920481_55622671-B2", ChatType: "bot", Name: "Deploy Bot", ParticipantCount: 1},
		{ChatID: "CT_1847392056173920481_60002085341-T-1291567019566818590", ChatType: "thread", Name: "Alpha launch checklist", ParticipantCount: 5, ParentChatID: "CT_1847392056173920481_P87610302-C4"},
	}
}

// seedChats registers DemoChats. The caller holds s.mu or owns s.
func (s *Server) seedChats() {
	for _, c := range DemoChats() {
		s.st.chats[c.ChatID] = c
	}
}

// chatsLimiter is the rate limiter of the chat list.
func (s *Server) chatsLimiter() *limiter {
	th := DefaultThreshold(OpListChats)
	if v, ok := s.opts.Thresholds[OpListChats]; ok {
		th = v
	}
	if s.opts.DisableRateLimits {
		th = 0
	}
	return &limiter{window: s.opts.RateWindow, lock: chatsLockFactor * s.opts.LockPeriod, threshold: th}
}

type listedChatJSON struct {
	ChatID           string      `json:"chat_id"`
	Name             string      `json:"name"`
	ChatType         string      `json:"chat_type"`
	ParticipantCount int         `json:"participant_count"`
	CreatedTime      string      `json:"created_time"`
	LastModifiedTime string      `json:"last_modified_time"`
	Pinned           bool        `json:"pinned"`
	Removed          bool        `json:"removed"`
	Creator          creatorJSON `json:"creator"`
}

type creatorJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type chatsModuleError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func chatsBadParam(message string) *apiResponse {
	var body chatsModuleError
	body.Error.Code, body.Error.Message = "invalid_inputs", message
	r := jsonResponse(http.StatusBadRequest, body)
	r.code = body.Error.Code
	return r
}

// listChats answers GET /chats. The caller holds s.mu.
func (s *Server) listChats(req *apiRequest) *apiResponse {
	q := req.query
	for _, key := range []string{"pinned", "joined", "muted", "closed", "drafts"} {
		if v := q.Get(key); v != "" && v != "true" && v != "false" {
			return chatsBadParam(fmt.Sprintf("%s must be true or false, not %q.", key, v))
		}
	}
	for _, key := range []string{"modified_before", "modified_after"} {
		if v := q.Get(key); v != "" {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return chatsBadParam(fmt.Sprintf("%s must be a time in epoch milliseconds, not %q.", key, v))
			}
		}
	}
	limit := defaultChatsLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxChatsLimit {
			return chatsBadParam(fmt.Sprintf("limit must be a number from 1 to %d, not %q.", maxChatsLimit, v))
		}
		limit = n
	}
	wantType, typed := "", q.Has("type")
	if typed {
		t, ok := chatTypeFilters[q.Get("type")]
		if !ok {
			return chatsBadParam(fmt.Sprintf("type must be one of dm, channel, bot, threads, guests or muted, not %q.", q.Get("type")))
		}
		wantType = t
	}
	var ids []string
	if v := q.Get("chat_ids"); v != "" {
		ids = strings.Split(v, ",")
	}
	name := strings.ToLower(q.Get("name"))
	parent := q.Get("parent_chid")
	pinnedOnly := q.Get("pinned") == "true"
	nothing := q.Get("muted") == "true" || q.Get("closed") == "true" || q.Get("drafts") == "true" || (typed && wantType == "")

	pinned := map[string]bool{}
	for _, f := range s.st.folders {
		for _, id := range f.chats {
			pinned[id] = true
		}
	}
	all := map[string]Chat{}
	for id, c := range s.st.chats {
		all[id] = c
	}
	for id := range pinned {
		if _, ok := all[id]; !ok {
			all[id] = s.st.chat(id)
		}
	}
	var found []Chat
	for id, c := range all {
		switch {
		case nothing, s.st.denied[id],
			typed && c.ChatType != wantType,
			pinnedOnly && !pinned[id],
			ids != nil && !slices.Contains(ids, id),
			parent != "" && c.ParentChatID != parent,
			name != "" && !strings.Contains(strings.ToLower(c.Name), name):
			continue
		}
		found = append(found, c)
	}
	slices.SortFunc(found, func(a, b Chat) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ChatID, b.ChatID))
	})
	if len(found) > limit {
		found = found[:limit]
	}
	out := make([]listedChatJSON, 0, len(found))
	for _, c := range found {
		h := chatHash(c.ChatID)
		created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h%(365*24*60)) * time.Minute)
		out = append(out, listedChatJSON{
			ChatID: c.ChatID, Name: c.Name, ChatType: c.ChatType, ParticipantCount: c.ParticipantCount,
			CreatedTime:      created.Format("2006-01-02T15:04:05.000Z"),
			LastModifiedTime: created.Add(24 * time.Hour).Format("2006-01-02T15:04:05.000Z"),
			Pinned:           pinned[c.ChatID],
			Creator:          creatorJSON{ID: "70027934", Name: "Tim Harrison"},
		})
	}
	body, err := json.Marshal(map[string]any{"chats": out})
	if err != nil {
		panic(err)
	}
	return &apiResponse{status: http.StatusOK, body: body}
}
