package fakecliq

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestChatsModuleShapes: with Reading.ChatsModuleShapes, listed chats carry "pinned",
// last_message_info "message_id" and "sender" as an id, as the v3 Chats module documents.
func TestChatsModuleShapes(t *testing.T) {
	for _, v3 := range []bool{false, true} {
		h := newHarness(t, Options{Reading: Reading{ChatsModuleShapes: v3}})
		h.create("F", "1488288613043522033")
		r := h.must(h.do(http.MethodGet, "/api/v3/pin-categories?include_fields=chats,last_message_info", nil), 200, "")
		var body struct {
			Data []struct {
				Chats []map[string]json.RawMessage `json:"chats"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatal(err)
		}
		chat := body.Data[1].Chats[0]
		var lm map[string]json.RawMessage
		if err := json.Unmarshal(chat["last_message_info"], &lm); err != nil {
			t.Fatal(err)
		}
		_, hasPinned := chat["pinned"]
		_, hasIsPinned := chat["is_pinned"]
		_, hasMessageID := lm["message_id"]
		_, hasID := lm["id"]
		senderIsString := strings.HasPrefix(string(lm["sender"]), `"`)
		if hasPinned != v3 || hasIsPinned == v3 || hasMessageID != v3 || hasID == v3 || senderIsString != v3 {
			t.Fatalf("ChatsModuleShapes=%v: chat %s", v3, r.body)
		}
	}
}

// TestNestedErrors: with Reading.NestedErrors, every error answer (coded, generic, throttling)
// is {"error": {"code", "message"}}; the token endpoint keeps Zoho's OAuth shape.
func TestNestedErrors(t *testing.T) {
	h := newHarness(t, Options{Reading: Reading{NestedErrors: true}, ThrottleStyle: "400"})
	check := func(r result, status int, code string) {
		t.Helper()
		var body struct {
			Error *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
			Code string `json:"code"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil || r.status != status || body.Error == nil || body.Error.Code != code || body.Error.Message == "" || body.Code != "" {
			t.Fatalf("answer %d %s, want %d nested %q", r.status, r.body, status, code)
		}
	}
	check(h.do(http.MethodDelete, "/api/v3/pin-categories/default", nil), 400, "operation_not_allowed")
	check(h.do(http.MethodGet, "/api/v3/nowhere", nil), 404, "")
	check(h.doAuth(http.MethodGet, "/api/v3/pin-categories", nil, "Bearer wrong"), 401, "")
	h.s.InjectFault(Fault{Op: OpListFolders, Kind: FaultThrottle})
	check(h.do(http.MethodGet, "/api/v3/pin-categories", nil), 400, "request_limit_exceeded")
}

// TestNetworkPrefix: with Options.Network, the API is served under /network/{name} only.
func TestNetworkPrefix(t *testing.T) {
	h := newHarness(t, Options{Network: "zylkerclients"})
	h.must(h.do(http.MethodGet, "/network/zylkerclients/api/v3/pin-categories", nil), 200, "")
	h.must(h.do(http.MethodGet, "/api/v3/pin-categories", nil), 404, "")
	h.must(h.do(http.MethodGet, "/network/other/api/v3/pin-categories", nil), 404, "")
	h.must(h.do(http.MethodGet, "/network/zylkerclientsx/api/v3/pin-categories", nil), 404, "")
}
