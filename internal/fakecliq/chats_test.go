package fakecliq

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// listedNames lists GET /api/v3/chats?query and returns the chats' names, in order, and their
// pinned flags by name.
func (h *harness) listedNames(query string) ([]string, map[string]bool) {
	h.t.Helper()
	r := h.must(h.do("GET", "/api/v3/chats?"+query, nil), 200, "")
	chats, _ := r.json["chats"].([]any)
	var names []string
	pinned := map[string]bool{}
	for _, c := range chats {
		m := c.(map[string]any)
		name := m["name"].(string)
		names = append(names, name)
		pinned[name], _ = m["pinned"].(bool)
		for _, key := range []string{"chat_id", "chat_type", "participant_count", "created_time", "last_modified_time", "removed", "creator"} {
			if _, ok := m[key]; !ok {
				h.t.Fatalf("chat %v lacks %s", m, key)
			}
		}
	}
	return names, pinned
}

// demoID is the id of a chat of DemoChats: the tests treat ids as opaque.
func demoID(name string) string {
	for _, c := range DemoChats() {
		if c.Name == name {
			return c.ChatID
		}
	}
	panic("no demo chat named " + name)
}

func TestListChatsFilters(t *testing.T) {
	h := newHarness(t, Options{})
	alpha, thread := demoID("Project Alpha"), demoID("Alpha launch checklist")
	h.ok(h.s.PinChatOOB(demoID("Standup"), ""))
	h.ok(h.s.PinChatOOB("1488288613043522001", "")) // not in the directory: listed with invented details
	h.s.DenyChat(demoID("Tim Harrison"))            // no longer one of the caller's chats

	all, _ := h.listedNames("limit=100")
	want := []string{"Alpha launch checklist", "Announcements", "Chat 1488288613043522001", "Deploy Bot", "Design review",
		"Priya Raman", "Project Alpha", "Standup", "proj-api", "proj-mobile", "proj-web"}
	if !slices.Equal(all, want) {
		t.Fatalf("all chats = %q, want %q", all, want)
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"name=pro", []string{"Project Alpha", "proj-api", "proj-mobile", "proj-web"}}, // a part, any case
		{"name=PROJ-&type=channel", []string{"proj-api", "proj-mobile", "proj-web"}},
		{"type=dm", []string{"Chat 1488288613043522001", "Priya Raman"}}, // the invented chat is a direct message
		{"type=bot", []string{"Deploy Bot"}},
		{"type=threads", []string{"Alpha launch checklist"}},
		{"type=muted", nil},
		{"pinned=true", []string{"Chat 1488288613043522001", "Standup"}},
		{"pinned=false&name=standup", []string{"Standup"}}, // only true filters
		{"chat_ids=" + alpha + "," + thread, []string{"Alpha launch checklist", "Project Alpha"}},
		{"parent_chid=" + alpha, []string{"Alpha launch checklist"}},
		{"name=proj&limit=2", []string{"Project Alpha", "proj-api"}},
		{"name=nothing-like-this", nil},
	}
	for _, c := range cases {
		got, _ := h.listedNames(c.query)
		if !slices.Equal(got, c.want) {
			t.Errorf("?%s = %q, want %q", c.query, got, c.want)
		}
	}
	if _, pinned := h.listedNames("name=standup"); !pinned["Standup"] {
		t.Error("Standup is pinned but listed with pinned=false")
	}
}

func TestListChatsAnswersAtMostTheLimit(t *testing.T) {
	h := newHarness(t, Options{})
	for i := range 130 {
		h.s.AddChat(Chat{ChatID: fmt.Sprint(7100000 + i), ChatType: "channel", Name: fmt.Sprintf("bulk-%03d", i)})
	}
	if got, _ := h.listedNames("name=bulk-&limit=100"); len(got) != 100 || got[0] != "bulk-000" || got[99] != "bulk-099" {
		t.Fatalf("limit=100 listed %d chats (%q…)", len(got), got[:min(len(got), 3)])
	}
	if got, _ := h.listedNames("name=bulk-"); len(got) != defaultChatsLimit {
		t.Fatalf("without limit: %d chats, want %d", len(got), defaultChatsLimit)
	}
	for _, bad := range []string{"limit=101", "limit=0", "limit=x", "type=group", "pinned=yes", "modified_after=yesterday"} {
		r := h.do("GET", "/api/v3/chats?"+bad, nil)
		e, _ := r.json["error"].(map[string]any)
		if r.status != 400 || e["code"] != "invalid_inputs" || e["message"] == "" {
			t.Errorf("?%s answered %d %s, want 400 with {\"error\":{\"code\":\"invalid_inputs\",\"message\":…}}", bad, r.status, r.body)
		}
	}
	h.must(h.do("POST", "/api/v3/chats", nil), 405, "")
}

// The Chats module's threshold is 30 a minute and its lock period 10 minutes: twice the My Pins
// lock, so that a time-scaled fake scales both alike.
func TestListChatsRateLimitAndTenMinuteLock(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{Now: clk.Now})
	for range 30 {
		h.must(h.do("GET", "/api/v3/chats?name=a", nil), 200, "")
	}
	h.must(h.do("GET", "/api/v3/chats?name=a", nil), 429, "")
	if h.s.LockCount(OpListChats) != 1 || h.s.RequestCount(OpListChats) != 31 {
		t.Fatalf("locks %d, requests %d", h.s.LockCount(OpListChats), h.s.RequestCount(OpListChats))
	}
	if d := h.s.LockedFor(OpListChats); d != 10*time.Minute {
		t.Fatalf("LockedFor = %v, want 10m", d)
	}
	h.must(h.do("GET", cats, nil), 200, "") // the My Pins operations are not locked with it
	clk.Advance(10*time.Minute - time.Millisecond)
	h.must(h.do("GET", "/api/v3/chats", nil), 429, "")
	clk.Advance(time.Millisecond)
	h.must(h.do("GET", "/api/v3/chats", nil), 200, "")

	scaled := newHarness(t, Options{LockPeriod: 5 * time.Second, Thresholds: map[Op]int{OpListChats: 1}})
	scaled.must(scaled.do("GET", "/api/v3/chats", nil), 200, "")
	scaled.must(scaled.do("GET", "/api/v3/chats", nil), 429, "")
	if d := scaled.s.LockedFor(OpListChats); d <= 5*time.Second || d > 10*time.Second {
		t.Fatalf("with LockPeriod 5s the chat list is locked for %v, want 10s", d)
	}
}
