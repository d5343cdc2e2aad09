package fakecliq

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const cats = "/api/v3/pin-categories"

func TestCreateFolder(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	r := h.must(h.do("POST", cats, map[string]any{"title": "Work", "symbol": ":razz:", "chat_ids": []string{"12", "11"}}), 200, "")
	var got struct {
		URL, Type string
		Data      map[string]string
	}
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"category_id": "4000000020001", "state": "expanded", "symbol": ":razz:", "title": "Work"}
	if got.URL != "/v3/pin-categories" || got.Type != "pin_categories" || !reflect.DeepEqual(got.Data, want) {
		t.Fatalf("response %s", r.body)
	}
	if c := h.chats("4000000020001"); !reflect.DeepEqual(c, []string{"12", "11"}) {
		t.Fatalf("chats %v", c)
	}
	// Next ids increment; new folders go to the end; symbol may be omitted.
	r = h.must(h.do("POST", cats, map[string]any{"title": "Play"}), 200, "")
	if id := r.json["data"].(map[string]any)["category_id"]; id != "4000000020002" {
		t.Fatalf("second id %v", id)
	}
	if o := h.order(); !reflect.DeepEqual(o, []string{"default", "4000000020001", "4000000020002"}) {
		t.Fatalf("order %v", o)
	}
	if f, _ := h.s.Folder("4000000020002"); f.Symbol != "" || f.State != "expanded" || len(f.ChatIDs) != 0 {
		t.Fatalf("folder %+v", f)
	}
}

func TestCreateFolderErrors(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(1000 + i)
		}
		return out
	}
	tests := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"no body", nil, 400, "param_missing"},
		{"empty object", map[string]any{}, 400, "param_missing"},
		{"null title", `{"title":null,"symbol":"x"}`, 400, "param_missing"},
		{"empty title", map[string]any{"title": "", "symbol": "x"}, 400, "param_missing"},
		{"bad json", `{"title":`, 400, "operation_failed"},
		{"json array", `["title"]`, 400, "operation_failed"},
		{"title not string", map[string]any{"title": 5}, 400, "operation_failed"},
		{"title 255", map[string]any{"title": long(255)}, 200, ""},
		{"title 256", map[string]any{"title": long(256)}, 400, "operation_failed"},
		{"symbol 50", map[string]any{"title": "t", "symbol": long(50)}, 200, ""},
		{"symbol 51", map[string]any{"title": "t", "symbol": long(51)}, 400, "operation_failed"},
		{"symbol not string", map[string]any{"title": "t", "symbol": true}, 400, "operation_failed"},
		{"chat_ids 100", map[string]any{"title": "t", "chat_ids": ids(100)}, 200, ""},
		{"chat_ids 101", map[string]any{"title": "t", "chat_ids": ids(101)}, 400, "operation_failed"},
		{"chat_ids not array", map[string]any{"title": "t", "chat_ids": "1,2"}, 400, "operation_failed"},
		{"chat id with a space", map[string]any{"title": "t", "chat_ids": []string{"CT_1 2"}}, 400, "operation_failed"},
		{"chat id with a slash", map[string]any{"title": "t", "chat_ids": []string{"CT_1/2"}}, 400, "operation_failed"},
		{"chat id empty", map[string]any{"title": "t", "chat_ids": []string{""}}, 400, "operation_failed"},
		{"chat ids as Cliq issues them", map[string]any{"title": "t", "chat_ids": []string{"CT_1847392056173920481_748291635", "CT_1207124526552602256_60002085329-T-1291567019566818579", "1488288613043522033"}}, 200, ""},
		{"duplicate chat ids", map[string]any{"title": "t", "chat_ids": []string{"1", "1"}}, 400, "operation_failed"},
		{"forbidden chat", map[string]any{"title": "t", "chat_ids": []string{"1", "666"}}, 400, "operation_not_allowed"},
		{"denied chat", map[string]any{"title": "t", "chat_ids": []string{"777"}}, 400, "operation_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{DisableRateLimits: true})
			h.s.ForbidChat("666")
			h.s.DenyChat("777")
			h.must(h.do("POST", cats, tt.body), tt.status, tt.code)
			if n := len(h.s.Folders()); (tt.status == 200) != (n == 2) {
				t.Fatalf("%d folders after %d", n, tt.status)
			}
			if tt.status == 400 && h.s.RequestLog()[0].Code != tt.code {
				t.Fatalf("logged code %q", h.s.RequestLog()[0].Code)
			}
		})
	}
}

func TestCreateFolderLimits(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true, MaxFolders: 2, MaxPinsPerFolder: 2})
	h.must(h.do("POST", cats, map[string]any{"title": "t", "chat_ids": []string{"1", "2", "3"}}), 400, "max_pins_error")
	h.create("a", "1", "2")
	h.create("b")
	h.must(h.do("POST", cats, map[string]any{"title": "c"}), 400, "max_folders_error")
	if n := len(h.s.Folders()); n != 3 {
		t.Fatalf("%d folders", n)
	}
	h.must(h.do("DELETE", cats+"/4000000020002", nil), 204, "")
	h.create("c")
}

func TestListFolders(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	h.s.AddChat(Chat{ChatID: "1488288613043522033", ChatType: "channel", Name: "Product Launch", ParticipantCount: 12})
	a := h.create("A", "1488288613043522033", "13")
	h.create("B")
	h.must(h.do("POST", "/api/v3/chats/21/pins", nil), 200, "")

	tests := []struct {
		query string
		want  string
	}{
		{"", `[{"category_id":"default"},{"category_id":"` + a + `","state":"expanded","symbol":":smile:","title":"A"},{"category_id":"4000000020002","state":"expanded","symbol":":smile:","title":"B"}]`},
		{"?include_fields=recipients_summary,last_message_info", `[{"category_id":"default"},{"category_id":"` + a + `","state":"expanded","symbol":":smile:","title":"A"},{"category_id":"4000000020002","state":"expanded","symbol":":smile:","title":"B"}]`},
		{"?include_fields=bogus", `[{"category_id":"default"},{"category_id":"` + a + `","state":"expanded","symbol":":smile:","title":"A"},{"category_id":"4000000020002","state":"expanded","symbol":":smile:","title":"B"}]`},
		{"?include_fields=chats", `[{"category_id":"default","chats":[{"chat_id":"21","chat_type":"direct_message","name":"Chat 21","participant_count":2,"is_pinned":true}]},` +
			`{"category_id":"` + a + `","state":"expanded","symbol":":smile:","title":"A","chats":[{"chat_id":"1488288613043522033","chat_type":"channel","name":"Product Launch","participant_count":12,"is_pinned":true},{"chat_id":"13","chat_type":"direct_message","name":"Chat 13","participant_count":2,"is_pinned":true}]},` +
			`{"category_id":"4000000020002","state":"expanded","symbol":":smile:","title":"B","chats":[]}]`},
	}
	for _, tt := range tests {
		r := h.must(h.do("GET", cats+tt.query, nil), 200, "")
		var env struct {
			URL, Type string
			Data      json.RawMessage
		}
		if err := json.Unmarshal(r.body, &env); err != nil {
			t.Fatal(err)
		}
		if env.URL != "/v3/pin-categories" || env.Type != "pin_categories" || string(env.Data) != tt.want {
			t.Errorf("GET %s:\n got %s\nwant %s", tt.query, env.Data, tt.want)
		}
	}

	// recipients_summary and last_message_info need chats too.
	r := h.must(h.do("GET", cats+"?include_fields=chats,%20recipients_summary,last_message_info", nil), 200, "")
	var env struct {
		Data []struct {
			Chats []chatJSON `json:"chats"`
		}
	}
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatal(err)
	}
	c := env.Data[1].Chats[0]
	if len(c.RecipientsSummary) != 3 || c.RecipientsSummary[0].Name == "" || c.LastMessageInfo == nil ||
		c.LastMessageInfo.Content.Text == "" || c.LastMessageInfo.Sender.ID == "" || c.LastMessageInfo.Time == "" {
		t.Fatalf("extras missing: %+v", c)
	}
	r2 := h.must(h.do("GET", cats+"?include_fields=chats,recipients_summary,last_message_info", nil), 200, "")
	if string(r.body) != string(r2.body) {
		t.Fatal("extras are not deterministic")
	}
	r = h.must(h.do("GET", cats+"?include_fields=chats,recipients_summary", nil), 200, "")
	if strings.Contains(string(r.body), "last_message_info") || !strings.Contains(string(r.body), "recipients_summary") {
		t.Fatalf("body %s", r.body)
	}
}

func TestOmitEmptySymbol(t *testing.T) {
	for _, omit := range []bool{false, true} {
		h := newHarness(t, Options{OmitEmptySymbol: omit})
		h.must(h.do("POST", cats, map[string]any{"title": "t", "symbol": ""}), 200, "")
		r := h.must(h.do("GET", cats, nil), 200, "")
		if strings.Contains(string(r.body), `"symbol":""`) == omit {
			t.Errorf("OmitEmptySymbol=%v: %s", omit, r.body)
		}
	}
}

func TestChatDirectory(t *testing.T) {
	s := New(Options{})
	for id, typ := range map[string]string{
		"100": "channel", "101": "direct_message", "102": "group_chat", "103": "bot", "7": "bot", "1488288613043522033": "direct_message",
		"CT_1207124526552602256_60002085329-T-1291567019566818579": "thread",
		"CT_1847392056173920481_55622663-B2":                       "bot",
		"CT_2243173626687865223_P87610291-C4":                      "channel",
		"general-chat":                                             "unknown",
	} {
		c := s.st.chat(id)
		if c.ChatType != typ || c.Name != "Chat "+id || c.ParticipantCount < 1 {
			t.Errorf("chat %s = %+v, want type %s", id, c, typ)
		}
	}
	if typ := s.st.chat("CT_1847392056173920481_748291635").ChatType; typ != "direct_message" && typ != "group_chat" {
		t.Errorf("the glossary's chat is a %s, want a direct message or a group chat", typ)
	}
	s.AddChat(Chat{ChatID: "100", Name: "General"})
	if c := s.st.chat("100"); c.Name != "General" || c.ChatType != "channel" || c.ParticipantCount < 3 {
		t.Errorf("registered chat %+v", c)
	}
	for _, id := range []string{"", " ", "1 2", "CT_1\t2", "a/b", "a?b", "a#b", "\x00", strings.Repeat("1", 256)} {
		if isChatID(id) {
			t.Errorf("isChatID(%q)", id)
		}
	}
	for _, id := range []string{"1", strings.Repeat("1", 255), "CT_1207124526552602256_60002085329-T-1291567019566818579", "CT_1%2_x+y:z"} {
		if !isChatID(id) {
			t.Errorf("!isChatID(%q)", id)
		}
	}
}

// The fake issues chats with ids in the form Cliq gives their type, and lists them with that type.
func TestNewChatIssuesCliqForms(t *testing.T) {
	s := New(Options{})
	forms := map[string]*regexp.Regexp{
		"direct_message": regexp.MustCompile(`^CT_[0-9]{19}_[0-9]+$`),
		"group_chat":     regexp.MustCompile(`^CT_[0-9]{19}_[0-9]+$`),
		"thread":         regexp.MustCompile(`^CT_[0-9]{19}_[0-9]+-T-[0-9]{19}$`),
		"bot":            regexp.MustCompile(`^CT_[0-9]{19}_[0-9]+-B2$`),
		"channel":        regexp.MustCompile(`^CT_[0-9]{19}_P[0-9]+-C4$`),
	}
	seen := map[string]bool{}
	for _, typ := range ChatTypes {
		for range 2 {
			c := s.NewChat(typ, "")
			if seen[c.ChatID] {
				t.Errorf("NewChat(%q) issued %s twice", typ, c.ChatID)
			}
			seen[c.ChatID] = true
			if re := forms[typ]; re != nil && !re.MatchString(c.ChatID) {
				t.Errorf("NewChat(%q) = %s, not in the form %s", typ, c.ChatID, re)
			}
			if !strings.HasPrefix(c.ChatID, "CT_") || !isChatID(c.ChatID) {
				t.Errorf("NewChat(%q) = %s, not a CT_ chat id", typ, c.ChatID)
			}
			if got := s.st.chat(c.ChatID); got.ChatType != typ || got.Name == "" {
				t.Errorf("chat %s = %+v, want type %s", c.ChatID, got, typ)
			}
			if typ != "direct_message" && typ != "group_chat" && typ != "entity_chat" && typ != "crossproduct_custom_chat" && typ != "unknown" && chatTypeOfID(c.ChatID) != typ {
				t.Errorf("the id %s of a %s reads as a %s", c.ChatID, typ, chatTypeOfID(c.ChatID))
			}
		}
	}
	if c := s.NewChat("", "Ada"); c.ChatType != "direct_message" || c.Name != "Ada" {
		t.Errorf("NewChat(\"\", Ada) = %+v", c)
	}
}

// Ids travel escaped: the fake splits the path before it decodes it, so that an id is one segment
// whatever it holds, and lists the chat under its decoded id.
func TestChatIDsInPathsAreDecoded(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	for _, id := range []string{
		"CT_1207124526552602256_60002085329-T-1291567019566818579",
		"CT_2243173626687865223_P87610291-C4",
		"CT_1%2F2&x=y+z",
	} {
		h.must(h.do("POST", "/api/v3/chats/"+url.PathEscape(id)+"/pins", nil), 200, "")
		if got := h.chats("default"); got[len(got)-1] != id {
			t.Fatalf("pinned %q, My Pins holds %q", id, got)
		}
	}
	h.must(h.do("DELETE", cats+"?chat_ids="+url.QueryEscape("CT_1%2F2&x=y+z")+","+url.QueryEscape("CT_2243173626687865223_P87610291-C4"), nil), 204, "")
	if got := h.chats("default"); !reflect.DeepEqual(got, []string{"CT_1207124526552602256_60002085329-T-1291567019566818579"}) {
		t.Fatalf("after the bulk unpin My Pins holds %q", got)
	}
	h.must(h.do("DELETE", "/api/v3/chats/"+url.PathEscape("CT_1207124526552602256_60002085329-T-1291567019566818579")+"/pins", nil), 200, "")
	// An escaped "/" is part of one segment: not a chat id, rather than another path.
	h.must(h.do("POST", "/api/v3/chats/a%2Fb/pins", nil), 400, "chat_operation_failed")
}

func TestBulkUnpin(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	a := h.create("A", "1", "2", "3")
	b := h.create("B", "2", "4")
	h.must(h.do("POST", "/api/v3/chats/2/pins", nil), 200, "")
	h.must(h.do("DELETE", cats+"?chat_ids=2,%203,99", nil), 204, "")
	if !reflect.DeepEqual(h.chats(a), []string{"1"}) || !reflect.DeepEqual(h.chats(b), []string{"4"}) || len(h.chats("default")) != 0 {
		t.Fatalf("after bulk unpin: %+v", h.s.Folders())
	}
	many := make([]string, 26)
	for i := range many {
		many[i] = fmt.Sprint(i + 1)
	}
	tests := []struct{ query, code string }{
		{"", "operation_failed"},
		{"?chat_ids=", "operation_failed"},
		{"?chat_ids=1,,2", "operation_failed"},
		{"?chat_ids=a%23b", "operation_failed"},
		{"?chat_ids=" + strings.Join(many, ","), "operation_failed"},
	}
	for _, tt := range tests {
		h.must(h.do("DELETE", cats+tt.query, nil), 400, tt.code)
	}
	if !reflect.DeepEqual(h.chats(a), []string{"1"}) {
		t.Fatal("failed bulk unpin changed state")
	}
	h.must(h.do("DELETE", cats+"?chat_ids="+strings.Join(many[:25], ","), nil), 204, "")
	if len(h.chats(a)) != 0 || len(h.chats(b)) != 0 {
		t.Fatalf("25 ids not all unpinned: %+v", h.s.Folders())
	}
}

func TestDeleteFolder(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	h.must(h.do("POST", "/api/v3/chats/2/pins", nil), 200, "")
	a := h.create("A", "1", "2", "3")
	b := h.create("B", "4")
	h.must(h.do("DELETE", cats+"/"+a, nil), 204, "")
	if got := h.chats("default"); !reflect.DeepEqual(got, []string{"2", "1", "3"}) {
		t.Fatalf("default after delete: %v", got)
	}
	h.must(h.do("DELETE", cats+"/"+b+"?unpin_all=true", nil), 204, "")
	if got := h.chats("default"); !reflect.DeepEqual(got, []string{"2", "1", "3"}) || len(h.s.Folders()) != 1 {
		t.Fatalf("after unpin_all delete: %+v", h.s.Folders())
	}
	c := h.create("C", "5")
	h.must(h.do("DELETE", cats+"/"+c+"?unpin_all=false", nil), 204, "")
	if got := h.chats("default"); !reflect.DeepEqual(got, []string{"2", "1", "3", "5"}) {
		t.Fatalf("after unpin_all=false: %v", got)
	}
	d := h.create("D")
	tests := []struct{ path, code string }{
		{cats + "/default", "operation_not_allowed"},
		{cats + "/" + a, "operation_failed"},
		{cats + "/123", "operation_failed"},
		{cats + "/" + d + "?unpin_all=yes", "operation_failed"},
	}
	for _, tt := range tests {
		h.must(h.do("DELETE", tt.path, nil), 400, tt.code)
	}
	if _, ok := h.s.Folder(d); !ok {
		t.Fatal("D deleted by a failed request")
	}
}

func TestPutClassification(t *testing.T) {
	tests := []struct {
		name   string
		body   any
		op     Op
		status int
		code   string
	}{
		{"modify", map[string]any{"title": "x"}, OpModifyFolder, 204, ""},
		{"modify state", map[string]any{"state": "collapsed"}, OpModifyFolder, 204, ""},
		{"modify ignores last_sync_time", map[string]any{"symbol": "", "last_sync_time": 1}, OpModifyFolder, 204, ""},
		{"reorder chat", map[string]any{"chat_id": "1", "last_sync_time": "2100-01-01T00:00:00Z"}, OpReorderChat, 204, ""},
		{"reorder folder", map[string]any{"last_sync_time": "2100-01-01T00:00:00Z"}, OpReorderFolder, 204, ""},
		{"replace", map[string]any{"chat_ids": []string{"2"}, "last_sync_time": "2100-01-01T00:00:00Z"}, OpReplaceChats, 204, ""},
		{"replace+title", map[string]any{"chat_ids": []string{}, "title": "x", "last_sync_time": 1}, OpReplaceChats, 400, "invalid_inputs"},
		{"replace+symbol", map[string]any{"chat_ids": []string{}, "symbol": "x"}, OpReplaceChats, 400, "invalid_inputs"},
		{"replace+state", map[string]any{"chat_ids": []string{}, "state": "expanded"}, OpReplaceChats, 400, "invalid_inputs"},
		{"replace+chat_id", map[string]any{"chat_ids": []string{}, "chat_id": "1"}, OpReplaceChats, 400, "invalid_inputs"},
		{"replace+pin_above", map[string]any{"chat_ids": []string{}, "pin_above": "1"}, OpReplaceChats, 400, "invalid_inputs"},
		{"reorder chat+title", map[string]any{"chat_id": "1", "title": "x"}, OpReorderChat, 400, "invalid_inputs"},
		{"modify+pin_above", map[string]any{"title": "x", "pin_above": "1"}, OpModifyFolder, 400, "invalid_inputs"},
		{"null keys are absent", `{"title":"x","pin_above":null}`, OpModifyFolder, 204, ""},
		{"empty object", map[string]any{}, OpModifyFolder, 400, "operation_failed"},
		{"empty body", nil, OpModifyFolder, 400, "operation_failed"},
		{"unknown keys only", map[string]any{"colour": "red"}, OpModifyFolder, 400, "operation_failed"},
		{"not json", "title=x", OpModifyFolder, 400, "operation_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{DisableRateLimits: true})
			h.create("A")
			id := h.create("B", "1", "2")
			h.s.ResetCounts()
			h.must(h.do("PUT", cats+"/"+id, tt.body), tt.status, tt.code)
			if h.s.RequestCount(tt.op) != 1 {
				t.Fatalf("not counted as %s: %+v", tt.op, h.s.RequestLog())
			}
		})
	}
}

func TestModifyFolder(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	id := h.create("A")
	h.must(h.do("PUT", cats+"/"+id, map[string]any{"title": "B", "symbol": ":x:", "state": "collapsed"}), 204, "")
	if f, _ := h.s.Folder(id); f.Title != "B" || f.Symbol != ":x:" || f.State != "collapsed" {
		t.Fatalf("folder %+v", f)
	}
	h.must(h.do("PUT", cats+"/"+id, map[string]any{"symbol": ""}), 204, "")
	if f, _ := h.s.Folder(id); f.Title != "B" || f.Symbol != "" || f.State != "collapsed" {
		t.Fatalf("symbol not removed: %+v", f)
	}
	tests := []struct {
		name, path string
		body       any
		code       string
	}{
		{"unknown folder", cats + "/999", map[string]any{"title": "x"}, "operation_failed"},
		{"default folder", cats + "/default", map[string]any{"title": "x"}, "operation_not_allowed"},
		{"bad state", cats + "/" + id, map[string]any{"state": "open"}, "operation_failed"},
		{"empty title", cats + "/" + id, map[string]any{"title": ""}, "operation_failed"},
		{"long title", cats + "/" + id, map[string]any{"title": strings.Repeat("x", 256)}, "operation_failed"},
		{"long symbol", cats + "/" + id, map[string]any{"symbol": strings.Repeat("x", 51)}, "operation_failed"},
		{"title not string", cats + "/" + id, map[string]any{"title": 1}, "operation_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.must(h.do("PUT", tt.path, tt.body), 400, tt.code)
		})
	}
	if f, _ := h.s.Folder(id); f.Title != "B" || f.State != "collapsed" {
		t.Fatalf("failed modify changed the folder: %+v", f)
	}
}

const future = "2100-01-01T00:00:00Z"

func TestReorderChat(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	id := h.create("A", "1", "2", "3", "4")
	put := func(body map[string]any) result {
		body["last_sync_time"] = future
		return h.do("PUT", cats+"/"+id, body)
	}
	h.must(put(map[string]any{"chat_id": "4", "pin_above": "2"}), 204, "")
	if got := h.chats(id); !reflect.DeepEqual(got, []string{"1", "4", "2", "3"}) {
		t.Fatalf("after pin_above: %v", got)
	}
	h.must(put(map[string]any{"chat_id": "1"}), 204, "")
	if got := h.chats(id); !reflect.DeepEqual(got, []string{"4", "2", "3", "1"}) {
		t.Fatalf("after move to end: %v", got)
	}
	h.must(put(map[string]any{"chat_id": "1", "pin_above": "4"}), 204, "")
	if got := h.chats(id); !reflect.DeepEqual(got, []string{"1", "4", "2", "3"}) {
		t.Fatalf("after move to top: %v", got)
	}
	// Chats of the default folder can be reordered too.
	h.must(h.do("POST", "/api/v3/chats/8/pins", nil), 200, "")
	h.must(h.do("POST", "/api/v3/chats/9/pins", nil), 200, "")
	h.must(h.do("PUT", cats+"/default", map[string]any{"chat_id": "9", "pin_above": "8", "last_sync_time": future}), 204, "")
	if got := h.chats("default"); !reflect.DeepEqual(got, []string{"9", "8"}) {
		t.Fatalf("default: %v", got)
	}
	tests := []struct {
		name string
		body map[string]any
	}{
		{"chat not in folder", map[string]any{"chat_id": "9"}},
		{"pin_above itself", map[string]any{"chat_id": "1", "pin_above": "1"}},
		{"pin_above not in folder", map[string]any{"chat_id": "1", "pin_above": "9"}},
		{"bad chat id", map[string]any{"chat_id": "x"}},
		{"chat id not string", map[string]any{"chat_id": 1}},
		{"missing last_sync_time", map[string]any{"chat_id": "1", "last_sync_time": nil}},
		{"bad last_sync_time", map[string]any{"chat_id": "1", "last_sync_time": "yesterday"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{"last_sync_time": future}
			for k, v := range tt.body {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			h.must(h.do("PUT", cats+"/"+id, body), 400, "operation_failed")
		})
	}
	if got := h.chats(id); !reflect.DeepEqual(got, []string{"1", "4", "2", "3"}) {
		t.Fatalf("failed reorders changed the folder: %v", got)
	}
}

func TestReorderFolder(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	a, b, c := h.create("A"), h.create("B"), h.create("C")
	put := func(id string, body map[string]any) result {
		body["last_sync_time"] = future
		return h.do("PUT", cats+"/"+id, body)
	}
	h.must(put(c, map[string]any{"pin_above": a}), 204, "")
	if got := h.order(); !reflect.DeepEqual(got, []string{"default", c, a, b}) {
		t.Fatalf("order %v", got)
	}
	h.must(put(c, map[string]any{}), 204, "")
	if got := h.order(); !reflect.DeepEqual(got, []string{"default", a, b, c}) {
		t.Fatalf("order after move to end %v", got)
	}
	tests := []struct {
		name, id string
		body     map[string]any
		code     string
	}{
		{"default folder", "default", map[string]any{"pin_above": a}, "operation_not_allowed"},
		{"above default", b, map[string]any{"pin_above": "default"}, "operation_not_allowed"},
		{"above itself", b, map[string]any{"pin_above": b}, "operation_failed"},
		{"above unknown", b, map[string]any{"pin_above": "42"}, "operation_failed"},
		{"unknown folder", "42", map[string]any{"pin_above": a}, "operation_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.must(put(tt.id, tt.body), 400, tt.code)
		})
	}
	h.must(h.do("PUT", cats+"/"+b, map[string]any{"pin_above": a}), 400, "operation_failed") // no last_sync_time
	if got := h.order(); !reflect.DeepEqual(got, []string{"default", a, b, c}) {
		t.Fatalf("failed reorders changed the order: %v", got)
	}
}

func TestReplaceChats(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true, MaxPinsPerFolder: 3})
	id := h.create("A", "1", "2")
	other := h.create("B", "2")
	put := func(id string, chats any) result {
		return h.do("PUT", cats+"/"+id, map[string]any{"chat_ids": chats, "last_sync_time": future})
	}
	h.must(put(id, []string{"3", "1"}), 204, "")
	if got := h.chats(id); !reflect.DeepEqual(got, []string{"3", "1"}) {
		t.Fatalf("chats %v", got)
	}
	if got := h.chats(other); !reflect.DeepEqual(got, []string{"2"}) {
		t.Fatalf("other folder changed: %v", got)
	}
	h.must(put("default", []string{"5"}), 204, "")
	if got := h.chats("default"); !reflect.DeepEqual(got, []string{"5"}) {
		t.Fatalf("default %v", got)
	}
	h.must(put(id, []string{}), 204, "")
	if got := h.chats(id); len(got) != 0 {
		t.Fatalf("not emptied: %v", got)
	}
	h.s.ForbidChat("666")
	h.s.DenyChat("777")
	tests := []struct {
		name  string
		id    string
		chats any
		code  string
	}{
		{"too many for folder", id, []string{"1", "2", "3", "4"}, "max_pins_error"},
		{"over 100", id, make([]string, 101), "operation_failed"},
		{"forbidden", id, []string{"666"}, "operation_not_allowed"},
		{"denied", id, []string{"777"}, "operation_not_allowed"},
		{"not a chat id", id, []string{"a#b"}, "operation_failed"},
		{"duplicates", id, []string{"1", "1"}, "operation_failed"},
		{"not array", id, "1", "operation_failed"},
		{"unknown folder", "42", []string{"1"}, "operation_failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.must(put(tt.id, tt.chats), 400, tt.code)
		})
	}
	h.must(h.do("PUT", cats+"/"+id, map[string]any{"chat_ids": []string{"1"}}), 400, "operation_failed") // no last_sync_time
	if got := h.chats(id); len(got) != 0 {
		t.Fatalf("failed replaces changed the folder: %v", got)
	}
	// A chat pinned before it was forbidden may stay.
	h.ok(h.s.SetFolderChatsOOB(id, nil))
	if err := h.s.PinChatOOB("666", id); err != nil {
		t.Fatal(err)
	}
	h.must(put(id, []string{"666", "1"}), 204, "")
}

func TestPinChat(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true, MaxPinsPerFolder: 2})
	a := h.create("A")
	tests := []struct {
		name, chat string
		body       any
		category   string
	}{
		{"no body", "1", nil, "default"},
		{"empty object", "2", map[string]any{}, "default"},
		{"explicit default", "3", map[string]any{"category_id": "default"}, "default"},
		{"folder", "1", map[string]any{"category_id": a}, a},
		{"empty category", "4", map[string]any{"category_id": ""}, "default"},
	}
	for _, tt := range tests {
		if tt.name == "explicit default" || tt.name == "empty category" {
			h.ok(h.s.SetFolderChatsOOB("default", nil))
		}
		r := h.must(h.do("POST", "/api/v3/chats/"+tt.chat+"/pins", tt.body), 200, "")
		if string(r.body) != `{"type":"chat.pin","data":{"chat_id":"`+tt.chat+`","category_id":"`+tt.category+`"}}` {
			t.Errorf("%s: %s", tt.name, r.body)
		}
	}
	// Pinned in two folders at once; pinning again is a no-op.
	h.ok(h.s.SetFolderChatsOOB("default", []string{"1"}))
	h.must(h.do("POST", "/api/v3/chats/1/pins", map[string]any{"category_id": a}), 200, "")
	if !reflect.DeepEqual(h.chats("default"), []string{"1"}) || !reflect.DeepEqual(h.chats(a), []string{"1"}) {
		t.Fatalf("folders %+v", h.s.Folders())
	}
	h.must(h.do("POST", "/api/v3/chats/5/pins", map[string]any{"category_id": a}), 200, "")
	if got := h.chats(a); !reflect.DeepEqual(got, []string{"1", "5"}) {
		t.Fatalf("not appended: %v", got)
	}
	h.s.DenyChat("777")
	h.s.ForbidChat("666")
	errs := []struct {
		name, chat string
		body       any
		code       string
	}{
		{"full", "6", map[string]any{"category_id": a}, "max_pins_error"},
		{"unknown folder", "6", map[string]any{"category_id": "42"}, "operation_failed"},
		{"denied", "777", nil, "chat_access_denied"},
		{"forbidden", "666", nil, "operation_not_allowed"},
		{"bad chat id", "a%20b", nil, "chat_operation_failed"},
		{"bad body", "6", "{", "operation_failed"},
		{"category not string", "6", map[string]any{"category_id": 5}, "operation_failed"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			h.must(h.do("POST", "/api/v3/chats/"+tt.chat+"/pins", tt.body), 400, tt.code)
		})
	}
	// Already there: success even when full.
	h.must(h.do("POST", "/api/v3/chats/5/pins", map[string]any{"category_id": a}), 200, "")
}

func TestUnpinChat(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	a := h.create("A", "1", "2")
	h.must(h.do("POST", "/api/v3/chats/1/pins", nil), 200, "")
	r := h.must(h.do("DELETE", "/api/v3/chats/1/pins", nil), 200, "")
	if string(r.body) != `{"type":"chat.unpin","data":{"chat_id":"1"}}` {
		t.Fatalf("body %s", r.body)
	}
	if !reflect.DeepEqual(h.chats(a), []string{"2"}) || len(h.chats("default")) != 0 {
		t.Fatalf("folders %+v", h.s.Folders())
	}
	h.must(h.do("DELETE", "/api/v3/chats/1/pins", nil), 400, "chat_operation_failed")
	h.must(h.do("DELETE", "/api/v3/chats/x1/pins", nil), 400, "chat_operation_failed")
	if err := h.s.PinChatOOB("777", a); err != nil {
		t.Fatal(err)
	}
	h.s.DenyChat("777")
	h.must(h.do("DELETE", "/api/v3/chats/777/pins", nil), 400, "chat_access_denied")
	h.s.ForbidChat("2")
	h.must(h.do("DELETE", "/api/v3/chats/2/pins", nil), 200, "")
}

func TestTooLargeBody(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	big := `{"title":"` + strings.Repeat("x", maxBodyBytes) + `"}`
	h.must(h.do("POST", cats, big), 400, "operation_failed")
	id := h.create("A")
	h.must(h.do("PUT", cats+"/"+id, big), 400, "operation_failed")
}

// The folder list gives each chat the type its id says, unregistered chats included: a thread's
// chat_type is "thread".
func TestListedChatTypesFollowTheIDs(t *testing.T) {
	h := newHarness(t, Options{DisableRateLimits: true})
	want := map[string]string{
		"CT_1207124526552602256_60002085329-T-1291567019566818579": "thread",
		"CT_1847392056173920481_55622663-B2":                       "bot",
		"CT_1847392056173920481_P87610291-C4":                      "channel",
	}
	issued := h.s.NewChat("thread", "Launch checklist")
	want[issued.ChatID] = "thread"
	for id := range want {
		h.must(h.do("POST", "/api/v3/chats/"+url.PathEscape(id)+"/pins", nil), 200, "")
	}
	r := h.must(h.do("GET", cats+"?include_fields=chats", nil), 200, "")
	var got struct {
		Data []struct {
			Chats []struct {
				ChatID   string `json:"chat_id"`
				ChatType string `json:"chat_type"`
				Name     string `json:"name"`
			} `json:"chats"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Data) == 0 || len(got.Data[0].Chats) != len(want) {
		t.Fatalf("My Pins listed as %s", r.body)
	}
	for _, c := range got.Data[0].Chats {
		if c.ChatType != want[c.ChatID] {
			t.Errorf("chat %s listed as a %q, want %q", c.ChatID, c.ChatType, want[c.ChatID])
		}
		if c.ChatID == issued.ChatID && c.Name != "Launch checklist" {
			t.Errorf("the issued thread is listed as %q", c.Name)
		}
	}
}
