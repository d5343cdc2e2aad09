package cliq

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestChatShapesOfBothModules decodes a chat as the My Pins page documents it and as the v3 Chats
// module does: the pin flag, the message id and the sender.
func TestChatShapesOfBothModules(t *testing.T) {
	cases := []struct {
		name, json                string
		pinned                    bool
		msgID, sender, senderName string
	}{
		{"my pins", `{"chat_id":"1","is_pinned":true,"last_message_info":{"id":"m1","sender":{"id":"55","name":"Ann"}}}`, true, "m1", "55", "Ann"},
		{"chats module", `{"chat_id":"1","pinned":true,"last_message_info":{"message_id":"m1","sender":"55"}}`, true, "m1", "55", ""},
		{"numeric sender id", `{"chat_id":"1","pinned":false,"last_message_info":{"message_id":1712345678901,"sender":60000001234567890123}}`, false, "1712345678901", "60000001234567890123", ""},
		{"null sender", `{"chat_id":"1","last_message_info":{"id":"m1","sender":null}}`, false, "m1", "", ""},
		{"both ids", `{"chat_id":"1","is_pinned":false,"pinned":true,"last_message_info":{"id":"m1","message_id":"m2","sender":{"id":55}}}`, true, "m1", "55", ""},
	}
	for _, tc := range cases {
		var ch Chat
		if err := json.Unmarshal([]byte(tc.json), &ch); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		lm := ch.LastMessageInfo
		if ch.ChatID != "1" || ch.IsPinned != tc.pinned || lm == nil || string(lm.ID) != tc.msgID || string(lm.Sender.ID) != tc.sender || lm.Sender.Name != tc.senderName {
			t.Errorf("%s: %+v %+v", tc.name, ch, lm)
		}
	}
	var ch Chat
	if err := json.Unmarshal([]byte(`{"chat_id":"1","last_message_info":{"sender":[1]}}`), &ch); err == nil {
		t.Error("a sender that is neither an id nor an object was accepted")
	}
}

// TestChatsModuleShapesThroughTheClient: a list read whose chats take the Chats module's shapes
// (the fake's reading) is read whole, with the sender's id and the message id.
func TestChatsModuleShapesThroughTheClient(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{Reading: fakecliq.Reading{ChatsModuleShapes: true}})
	id := e.fake.CreateFolderOOB("F", "", []string{"1488288613043522033", "1488288613043522034"})
	folders, err := e.client.ListFoldersDetailed(testCtx(t), IncludeFields{LastMessage: true, Recipients: true})
	must(t, err)
	i := slices.IndexFunc(folders, func(f Folder) bool { return f.ID == id })
	if i < 0 || len(folders[i].Chats) != 2 {
		t.Fatalf("folders %+v", folders)
	}
	for _, ch := range folders[i].Chats {
		lm := ch.LastMessageInfo
		if !ch.IsPinned || lm == nil || lm.ID == "" || lm.Sender.ID == "" || lm.Sender.Name != "" || lm.Content.Text == "" {
			t.Fatalf("chat %+v, last message %+v", ch, lm)
		}
	}
}

func TestErrorBodyShapes(t *testing.T) {
	for body, want := range map[string]errorBody{
		`{"code":"client_not_synced","message":"stale"}`:               {"client_not_synced", "stale"},
		`{"error":{"code":"client_not_synced","message":"stale"}}`:     {"client_not_synced", "stale"},
		`{"error":{"message":"Request was rejected"}}`:                 {"", "Request was rejected"},
		`{"code":"a","error":{"code":"b","message":"m"}}`:              {"a", "m"},
		`{"error":"invalid_code"}`:                                     {},
		`{"error":{"code":7}}`:                                         {},
		`{"message":"Too many requests within a certain time frame."}`: {"", "Too many requests within a certain time frame."},
	} {
		var got errorBody
		_ = json.Unmarshal([]byte(body), &got)
		if got != want {
			t.Errorf("%s: %+v, want %+v", body, got, want)
		}
	}
}

// TestNestedErrorsAreUnderstood: with errors in the Chats module's nested shape, client_not_synced
// still leads to a re-read, a 400 request_limit_exceeded is still throttling, and a coded error
// still names its code.
func TestNestedErrorsAreUnderstood(t *testing.T) {
	nested := fakecliq.Reading{NestedErrors: true}
	t.Run("client_not_synced", func(t *testing.T) {
		e := newTestEnv(t, fakecliq.Options{Reading: nested})
		ctx := testCtx(t)
		id := e.fake.CreateFolderOOB("F", "", []string{"1", "2", "3"})
		must(t, e.fake.PinChatOOB("2", DefaultFolderID))
		e.tick()
		_, err := e.client.ListFolders(ctx)
		must(t, err)
		must(t, e.fake.PinChatOOB("9", id)) // after our read: our replace is refused as not synced
		must(t, e.client.RemovePin(ctx, id, "2"))
		if got := e.chatIDs(t, id); !slices.Equal(got, []string{"1", "3", "9"}) {
			t.Fatalf("folder chats = %v, want [1 3 9]", got)
		}
		refused := slices.ContainsFunc(e.fake.RequestLog(), func(r fakecliq.LoggedRequest) bool { return r.Code == CodeClientNotSynced })
		if !refused || e.count(OpListFolders) != 2 {
			t.Fatalf("refused as not synced: %v; list requests = %d, want 2 (the first read and one re-read)", refused, e.count(OpListFolders))
		}
	})
	t.Run("request_limit_exceeded", func(t *testing.T) {
		e := newTestEnv(t, fakecliq.Options{Reading: nested, ThrottleStyle: "400", LockPeriod: 300 * time.Millisecond})
		e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultThrottle})
		start := time.Now()
		_, err := e.client.ListFolders(testCtx(t))
		must(t, err)
		if waited := time.Since(start); waited < 300*time.Millisecond {
			t.Fatalf("the client retried after %v, inside the lock period: the nested throttling answer was not seen", waited)
		}
		if n := e.count(OpListFolders); n != 2 {
			t.Fatalf("list requests = %d, want 2", n)
		}
	})
	t.Run("coded error", func(t *testing.T) {
		e := newTestEnv(t, fakecliq.Options{Reading: nested})
		e.fake.ForbidChat("1488288613043522099")
		err := e.client.PinChat(testCtx(t), "1488288613043522099", DefaultFolderID)
		if !HasCode(err, CodeOperationNotAllowed) || !strings.Contains(err.Error(), "operation_not_allowed") {
			t.Fatalf("pin of a forbidden chat: %v, want operation_not_allowed", err)
		}
	})
}
