package fakecliq

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

func TestParseSyncTime(t *testing.T) {
	base := time.Date(2025, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
	sec := base.Unix()
	tests := []struct {
		raw  string
		want time.Time
		err  bool
	}{
		{`"2025-03-01T12:00:00.5Z"`, base, false},
		{`"2025-03-01T12:00:00Z"`, base.Truncate(time.Second), false},
		{`"2025-03-01T13:00:00.500+01:00"`, base, false},
		{`"2025-03-01T13:00:00.500+0100"`, base, false},
		{`" 2025-03-01T12:00:00.500Z "`, base, false},
		{strconv.FormatInt(sec, 10), base.Truncate(time.Second), false},
		{strconv.FormatInt(sec, 10) + ".5", base, false},
		{strconv.FormatInt(base.UnixMilli(), 10), base, false},
		{`"` + strconv.FormatInt(base.UnixMilli(), 10) + `"`, base, false},
		{`"` + strconv.FormatInt(sec, 10) + `"`, base.Truncate(time.Second), false},
		{`"yesterday"`, time.Time{}, true},
		{`"2025-03-01"`, time.Time{}, true},
		{`-5`, time.Time{}, true},
		{`true`, time.Time{}, true},
		{`{}`, time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseSyncTime(json.RawMessage(tt.raw))
		if (err != nil) != tt.err || (!tt.err && !got.Equal(tt.want)) {
			t.Errorf("ParseSyncTime(%s) = %v, %v; want %v (err %v)", tt.raw, got, err, tt.want, tt.err)
		}
	}
}

// TestStaleness checks client_not_synced for reorder_chat and replace_chats:
// stale when the folder changed strictly after last_sync_time, at millisecond
// precision on the server clock.
func TestStaleness(t *testing.T) {
	clk := newClock()
	clk.Advance(500 * time.Millisecond) // 12:00:00.500
	skew := 2 * time.Hour
	h := newHarness(t, Options{DisableRateLimits: true, Now: clk.Now, ClockSkew: skew})
	id := h.create("A", "1", "2")
	created := clk.Now().Add(skew) // server clock
	ms := created.UnixMilli()

	tests := []struct {
		name  string
		sync  any
		stale bool
	}{
		{"iso equal", iso(created), false},
		{"iso 1ms before", iso(created.Add(-time.Millisecond)), true},
		{"iso seconds (floored)", created.Truncate(time.Second).Format(time.RFC3339), true},
		{"iso next second", created.Truncate(time.Second).Add(time.Second).Format(time.RFC3339), false},
		{"iso sub-ms before", iso(created.Add(-time.Microsecond)), true},
		{"iso later", iso(created.Add(time.Hour)), false},
		{"epoch ms equal", ms, false},
		{"epoch ms before", ms - 1, true},
		{"epoch ms string", strconv.FormatInt(ms, 10), false},
		{"epoch seconds floored", created.Unix(), true},
		{"epoch seconds fractional", float64(ms) / 1000, false},
		{"epoch seconds next", created.Unix() + 1, false},
		{"client clock (no skew)", iso(clk.Now()), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, body := range []map[string]any{
				{"chat_id": "2", "pin_above": "1"},
				{"chat_ids": []string{"1", "2"}},
			} {
				h.ok(h.s.SetFolderChatsOOB(id, []string{"1", "2"}))
				// Put the folder's modification time back at `created`.
				h.s.mu.Lock()
				f, _ := h.s.st.find(id)
				f.modified = created
				h.s.mu.Unlock()
				body["last_sync_time"] = tt.sync
				r := h.do("PUT", cats+"/"+id, body)
				if tt.stale {
					h.must(r, 400, "client_not_synced")
					if r.message() != msgNotSynced {
						t.Errorf("message %q", r.message())
					}
				} else {
					h.must(r, 204, "")
				}
			}
		})
	}
}

func TestStalenessMillisecondPrecision(t *testing.T) {
	clk := newClock()
	h := newHarness(t, Options{DisableRateLimits: true, Now: clk.Now})
	clk.Advance(500*time.Millisecond + 900*time.Microsecond) // modified at .500900
	id := h.create("A", "1", "2")
	// .500 is the same millisecond: not stale.
	h.must(h.do("PUT", cats+"/"+id, map[string]any{"chat_id": "1", "last_sync_time": "2025-03-01T12:00:00.500Z"}), 204, "")
	// That write bumped the folder to now (.500900); a client that saw it at
	// .499 is stale.
	h.must(h.do("PUT", cats+"/"+id, map[string]any{"chat_id": "1", "last_sync_time": "2025-03-01T12:00:00.499Z"}), 400, "client_not_synced")
}

// TestWhatMakesAFolderStale lists which changes make a folder (ops 6, 8) or
// the folder order (op 7) newer than a sync taken before them.
func TestWhatMakesAFolderStale(t *testing.T) {
	tests := []struct {
		name        string
		change      func(h *harness, a, b string)
		folderStale bool // reorder_chat / replace_chats on a
		orderStale  bool // reorder_folder
	}{
		{"nothing", func(h *harness, a, b string) {}, false, false},
		{"pin into a", func(h *harness, a, b string) {
			h.must(h.do("POST", "/api/v3/chats/9/pins", map[string]any{"category_id": a}), 200, "")
		}, true, false},
		{"pin into a chat already there", func(h *harness, a, b string) {
			h.must(h.do("POST", "/api/v3/chats/1/pins", map[string]any{"category_id": a}), 200, "")
		}, false, false},
		{"pin into b", func(h *harness, a, b string) {
			h.must(h.do("POST", "/api/v3/chats/9/pins", map[string]any{"category_id": b}), 200, "")
		}, false, false},
		{"unpin from a", func(h *harness, a, b string) { h.must(h.do("DELETE", "/api/v3/chats/1/pins", nil), 200, "") }, true, false},
		{"bulk unpin from a", func(h *harness, a, b string) { h.must(h.do("DELETE", cats+"?chat_ids=1", nil), 204, "") }, true, false},
		{"bulk unpin elsewhere", func(h *harness, a, b string) { h.must(h.do("DELETE", cats+"?chat_ids=5", nil), 204, "") }, false, false},
		{"modify a", func(h *harness, a, b string) {
			h.must(h.do("PUT", cats+"/"+a, map[string]any{"state": "collapsed"}), 204, "")
		}, true, false},
		{"modify b", func(h *harness, a, b string) { h.must(h.do("PUT", cats+"/"+b, map[string]any{"title": "z"}), 204, "") }, false, false},
		{"create folder", func(h *harness, a, b string) { h.create("C") }, false, true},
		{"delete b", func(h *harness, a, b string) { h.must(h.do("DELETE", cats+"/"+b, nil), 204, "") }, false, true},
		{"reorder b", func(h *harness, a, b string) {
			h.must(h.do("PUT", cats+"/"+b, map[string]any{"pin_above": a, "last_sync_time": future}), 204, "")
		}, false, true},
		{"reorder a", func(h *harness, a, b string) {
			h.must(h.do("PUT", cats+"/"+a, map[string]any{"last_sync_time": future}), 204, "")
		}, true, true},
		{"OOB rename a", func(h *harness, a, b string) { h.ok(h.s.RenameFolderOOB(a, "x")) }, true, false},
		{"OOB touch a", func(h *harness, a, b string) { h.s.TouchFolderOOB(a) }, true, false},
		{"OOB touch order", func(h *harness, a, b string) { h.s.TouchFolderOrderOOB() }, false, true},
		{"OOB move b", func(h *harness, a, b string) { h.ok(h.s.MoveFolderOOB(b, a)) }, false, true},
		{"OOB create", func(h *harness, a, b string) { h.s.CreateFolderOOB("x", "", nil) }, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			h := newHarness(t, Options{DisableRateLimits: true, Now: clk.Now})
			a := h.create("A", "1", "2")
			b := h.create("B", "5")
			sync := iso(clk.Now())
			clk.Advance(time.Millisecond)
			tt.change(h, a, b)
			clk.Advance(time.Millisecond)
			want := func(stale bool) (int, string) {
				if stale {
					return 400, "client_not_synced"
				}
				return 204, ""
			}
			st, code := want(tt.folderStale)
			h.must(h.do("PUT", cats+"/"+a, map[string]any{"chat_ids": []string{"2"}, "last_sync_time": sync}), st, code)
			st, code = want(tt.orderStale)
			// Reorder a folder other than a (its own replace just bumped a).
			target := b
			if _, ok := h.s.Folder(b); !ok {
				target = a
			}
			h.must(h.do("PUT", cats+"/"+target, map[string]any{"last_sync_time": sync}), st, code)
		})
	}
}

// TestWholeSecondSync checks the WholeSecondSync reading: a change is compared with
// last_sync_time after its time is floored to whole seconds, for all three checked operations.
func TestWholeSecondSync(t *testing.T) {
	tests := []struct {
		name   string
		change time.Duration // after 12:00:00.000, when the folder (and the order) changed
		sync   time.Duration // after 12:00:00.000
		stale  bool
	}{
		{"same second, later than the sync time", 700 * time.Millisecond, 300 * time.Millisecond, false},
		{"same second, sync time whole", 700 * time.Millisecond, 0, false},
		{"next second", 1100 * time.Millisecond, 900 * time.Millisecond, true},
		{"next second, sync time 1 ms before it", 1000 * time.Millisecond, 999 * time.Millisecond, true},
		{"earlier", 200 * time.Millisecond, 1500 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, reading := range []bool{false, true} {
				clk := newClock() // 12:00:00.000
				h := newHarness(t, Options{DisableRateLimits: true, Now: clk.Now, Reading: Reading{WholeSecondSync: reading}})
				a := h.create("A", "1", "2")
				b := h.create("B")
				changed := clk.Now().Add(tt.change)
				sync := iso(clk.Now().Add(tt.sync))
				// Msec precision (the default) is stale whenever the change is later than the sync.
				want := tt.stale
				if !reading {
					want = tt.change > tt.sync
				}
				for _, body := range []map[string]any{
					{"chat_id": "2", "pin_above": "1"},
					{"chat_ids": []string{"1", "2"}},
					{"pin_above": a}, // reorder_folder, sent to b
				} {
					target := a
					h.s.mu.Lock()
					if _, ok := body["pin_above"]; ok && body["chat_id"] == nil {
						target = b
						h.s.st.orderModified = changed
					}
					f, _ := h.s.st.find(a)
					f.modified = changed
					h.s.mu.Unlock()
					body["last_sync_time"] = sync
					r := h.do("PUT", cats+"/"+target, body)
					if want {
						h.must(r, 400, "client_not_synced")
					} else {
						h.must(r, 204, "")
					}
				}
			}
		})
	}
}
