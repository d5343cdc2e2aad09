package fakecliq

import (
	"fmt"
	"regexp"
	"strconv"
	"unicode"
)

// Chat ids as Cliq issues them (shared/cliq-api.md, "From the vendor's wider documents"): the
// glossary's "CT_1847392056173920481_748291635", threads "CT_…_60002085329-T-1291567019566818579",
// bot chats "CT_…_55622663-B2", channel chats "CT_…_P87610291-C4", and plain digits (the My Pins
// page). The fake issues the CT_ forms (NewChat) and accepts any id that can travel as one path
// segment or query value.

// ChatTypes are the chat types the vendor lists for a chat's chat_type.
var ChatTypes = []string{"direct_message", "group_chat", "channel", "bot", "thread", "entity_chat", "crossproduct_custom_chat", "unknown"}

// maxChatIDLen bounds a chat id. The vendor documents none; its longest example, a thread's, has 56
// characters.
const maxChatIDLen = 255

// isChatID reports whether id can be a Cliq chat id: 1 to 255 characters, none of them whitespace,
// a control character, "/", "?" or "#" (which would change the request's URL).
func isChatID(id string) bool {
	if id == "" || len(id) > maxChatIDLen {
		return false
	}
	for _, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' || r == '?' || r == '#' || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}

var (
	threadChatID  = regexp.MustCompile(`^CT_.+-T-[0-9]+$`)
	botChatID     = regexp.MustCompile(`^CT_.+-B[0-9]*$`)
	channelChatID = regexp.MustCompile(`^CT_.+-C[0-9]*$`)
	plainCTChatID = regexp.MustCompile(`^CT_[0-9]+_[0-9]+$`)
	digitsChatID  = regexp.MustCompile(`^[0-9]+$`)
)

// chatTypeOfID is the chat type an unregistered chat gets from the form of its id: thread, bot and
// channel ids say so; another CT_ id is a direct message or, for about half of them, a group chat;
// digits cycle channel, direct_message, group_chat, bot with the id's value modulo 4; any other
// form is "unknown".
func chatTypeOfID(id string) string {
	switch {
	case threadChatID.MatchString(id):
		return "thread"
	case botChatID.MatchString(id):
		return "bot"
	case channelChatID.MatchString(id):
		return "channel"
	case plainCTChatID.MatchString(id):
		if chatHash(id)%2 == 0 {
			return "direct_message"
		}
		return "group_chat"
	case digitsChatID.MatchString(id):
		// The id's value modulo 4 only depends on its last two digits.
		n, _ := strconv.Atoi(id[max(0, len(id)-2):])
		return [...]string{"channel", "direct_message", "group_chat", "bot"}[n%4]
	}
	return "unknown"
}

// issuedChatID is the id of the n-th chat the fake issues of chatType, in the form Cliq gives that
// type: numbered after the glossary's example ids.
func issuedChatID(chatType string, n int) string {
	org := 1847392056173920481 + int64(n)
	switch chatType {
	case "bot":
		return fmt.Sprintf("CT_%d_%d-B2", org, 55622663+n)
	case "channel":
		return fmt.Sprintf("CT_%d_P%d-C4", org, 87610291+n)
	case "thread":
		return fmt.Sprintf("CT_%d_%d-T-%d", org, 60002085329+int64(n), 1291567019566818579+int64(n))
	}
	return fmt.Sprintf("CT_%d_%d", org, 748291635+n)
}

// NewChat issues a chat of chatType (one of ChatTypes; "" is direct_message) named name ("" for an
// invented name): it registers the chat with an id in the form Cliq issues for that type, unused so
// far, and returns it.
func (s *Server) NewChat(chatType, name string) Chat {
	if chatType == "" {
		chatType = "direct_message"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := ""
	for n := len(s.st.chats) + 1; ; n++ {
		if id = issuedChatID(chatType, n); !s.st.known(id) {
			break
		}
	}
	c := s.st.chat(id)
	c.ChatType = chatType
	if name != "" {
		c.Name = name
	}
	s.st.chats[id] = c
	return c
}

// known reports whether chatID is registered or pinned anywhere.
func (st *store) known(chatID string) bool {
	if _, ok := st.chats[chatID]; ok {
		return true
	}
	for _, f := range st.folders {
		if f.has(chatID) {
			return true
		}
	}
	return false
}
