package cliq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// seededChatID is the id of a chat of the fake's seeded directory: the tests treat ids as opaque.
func seededChatID(name string) string {
	for _, c := range fakecliq.DemoChats() {
		if c.Name == name {
			return c.ChatID
		}
	}
	panic("no seeded chat named " + name)
}

func chatNames(chats []ListedChat) []string {
	var names []string
	for _, c := range chats {
		names = append(names, c.Name)
	}
	return names
}

// chatQueries returns the query of every chat list request the fake received, in order.
func chatQueries(fake *fakecliq.Server) []url.Values {
	var out []url.Values
	for _, r := range fake.RequestLog() {
		if r.Op == fakecliq.OpListChats {
			q, _ := url.ParseQuery(r.Query)
			out = append(out, q)
		}
	}
	return out
}

func TestListChatsSendsTheVendorsFilters(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	alpha, checklist := seededChatID("Project Alpha"), seededChatID("Alpha launch checklist")
	must(t, e.fake.PinChatOOB(seededChatID("proj-api"), DefaultFolderID))
	bothIDs := url.Values{"chat_ids": {strings.Join(slices.Sorted(slices.Values([]string{alpha, checklist})), ",")}}.Encode()
	yes, no := true, false
	cases := []struct {
		filter ChatFilter
		query  string // what goes on the wire, besides limit=100
		want   []string
	}{
		{ChatFilter{Name: "proj-"}, "name=proj-", []string{"proj-api", "proj-mobile", "proj-web"}},
		{ChatFilter{Name: "pro", Type: "channel"}, "name=pro&type=channel", []string{"Project Alpha", "proj-api", "proj-mobile", "proj-web"}},
		{ChatFilter{Name: "proj-", Pinned: &yes}, "name=proj-&pinned=true", []string{"proj-api"}},
		// The vendor documents pinned=true only: false is filtered here, from the read above without it.
		{ChatFilter{Name: "proj-", Pinned: &no}, "", []string{"proj-mobile", "proj-web"}},
		{ChatFilter{ChatIDs: []string{checklist, alpha, alpha}}, bothIDs, []string{"Alpha launch checklist", "Project Alpha"}}, // sorted, once each
		{ChatFilter{ParentChatID: alpha, Type: "threads"}, "parent_chid=" + alpha + "&type=threads", []string{"Alpha launch checklist"}},
	}
	for _, c := range cases {
		before := len(chatQueries(e.fake))
		got, err := e.client.ListChats(ctx, c.filter)
		must(t, err)
		if !slices.Equal(chatNames(got), c.want) {
			t.Errorf("%+v: %q, want %q", c.filter, chatNames(got), c.want)
		}
		sent := chatQueries(e.fake)[before:]
		if c.query == "" {
			if len(sent) != 0 {
				t.Errorf("%+v sent %v, want it served from an earlier read", c.filter, sent)
			}
			continue
		}
		want, _ := url.ParseQuery(c.query + "&limit=100")
		if len(sent) != 1 || sent[0].Encode() != want.Encode() {
			t.Errorf("%+v sent %v, want one request with %s", c.filter, sent, want.Encode())
		}
	}
	for _, ch := range e.fake.RequestLog() {
		if ch.Op == fakecliq.OpListChats && ch.Status != http.StatusOK {
			t.Errorf("%s?%s answered %d", ch.Path, ch.Query, ch.Status)
		}
	}
}

// One request per filter, however many callers ask at once, until the provider starts a new run
// (Invalidate); distinct filters are distinct requests.
func TestListChatsReadsEachFilterOnce(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	e.fake.SetLatency(fakecliq.OpListChats, 50*time.Millisecond) // the callers overlap on the wire
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := ChatFilter{Name: "proj-"}
			if i%2 == 1 {
				f = ChatFilter{ChatIDs: []string{seededChatID("Standup"), seededChatID("Project Alpha")}}
				if i%4 == 1 {
					f.ChatIDs = []string{seededChatID("Project Alpha"), seededChatID("Standup")} // the same chats
				}
			}
			chats, err := e.client.ListChats(ctx, f)
			if err == nil && len(chats) != 3 && len(chats) != 2 {
				err = fmt.Errorf("%+v listed %q", f, chatNames(chats))
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := e.count(OpListChats); n != 2 {
		t.Fatalf("20 callers with 2 distinct filters sent %d chat list requests, want 2", n)
	}
	_, err := e.client.ListChats(ctx, ChatFilter{Name: "proj-"})
	must(t, err)
	if n := e.count(OpListChats); n != 2 {
		t.Fatalf("a filter read before was read again: %d requests", n)
	}
	e.client.Invalidate()
	_, err = e.client.ListChats(ctx, ChatFilter{Name: "proj-"})
	must(t, err)
	if n := e.count(OpListChats); n != 3 {
		t.Fatalf("after Invalidate: %d requests, want 3", n)
	}
}

// Cliq answers at most 100 chats and offers no paging: an answer of 100 may be cut short, so it is
// refused rather than returned.
func TestListChatsRefusesAListThatMayBeCutShort(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	for i := range 120 {
		e.fake.AddChat(fakecliq.Chat{ChatID: fmt.Sprint(7200000 + i), ChatType: "channel", Name: fmt.Sprintf("team-%03d", i)})
	}
	_, err := e.client.ListChats(ctx, ChatFilter{Name: "team-"})
	var tooMany *TooManyChatsError
	if !errors.As(err, &tooMany) || tooMany.Filter.Name != "team-" {
		t.Fatalf("120 matching chats: err = %v, want a *TooManyChatsError", err)
	}
	chats, err := e.client.ListChats(ctx, ChatFilter{Name: "team-0"}) // team-000 … team-099: still 100
	if !errors.As(err, &tooMany) {
		t.Fatalf("exactly 100 matching chats: %d chats, err = %v, want a *TooManyChatsError", len(chats), err)
	}
	chats, err = e.client.ListChats(ctx, ChatFilter{Name: "team-1"}) // team-100 … team-119
	must(t, err)
	if len(chats) != 20 {
		t.Fatalf("20 matching chats: listed %d", len(chats))
	}
}

// Any number of distinct filters at once stay within the chat list's threshold of 30 a minute:
// the fake, which enforces the documented limit over a sliding (scaled) minute, throttles none.
func TestChatListsStayUnderTheThresholdAtAnyParallelism(t *testing.T) {
	window := 300 * time.Millisecond
	e := newTestEnv(t, fakecliq.Options{RateWindow: window, LockPeriod: 100 * window})
	ctx := testCtx(t)
	threshold := Threshold(OpListChats)
	if threshold != 30 || fakecliq.DefaultThreshold(fakecliq.OpListChats) != 30 {
		t.Fatalf("thresholds: client %d, fake %d, want the documented 30", threshold, fakecliq.DefaultThreshold(fakecliq.OpListChats))
	}
	n := 3*threshold + 7
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.client.ListChats(ctx, ChatFilter{Name: fmt.Sprintf("chat %d", i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if thr, locks := e.fake.ThrottledCount(fakecliq.OpListChats), e.fake.LockCount(fakecliq.OpListChats); thr != 0 || locks != 0 {
		t.Fatalf("the fake throttled %d chat list requests and locked the chat list %d times", thr, locks)
	}
	if got := e.count(OpListChats); got != n {
		t.Fatalf("chat list requests = %d, want %d (one per filter)", got, n)
	}
}

// A throttled chat list locks its class for the Chats module's ten minutes (twice the configured
// My Pins lock, however scaled), and no other class.
func TestAThrottledChatListLocksItsClassForTenMinutes(t *testing.T) {
	for _, lockPeriod := range []time.Duration{5 * time.Minute, 5 * time.Second} {
		rc, err := Config{AccessToken: "t", LockPeriod: lockPeriod}.resolve()
		must(t, err)
		b := newBudgets(rc, "test")
		now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
		b.now = func() time.Time { return now }
		class := operations[OpListChats].class
		release, err := b.acquire(context.Background(), OpListChats, class)
		must(t, err)
		release(true, true)
		var chatsLocked, pinsLocked time.Time
		must(t, b.store.update(context.Background(), func(all map[budgetClass]*budgetState) {
			chatsLocked = all[class].LockedUntil
			if st := all[operations[OpListFolders].class]; st != nil {
				pinsLocked = st.LockedUntil
			}
		}))
		if want := now.Add(2 * lockPeriod); !chatsLocked.Equal(want) {
			t.Errorf("LockPeriod %v: the chat list is locked until %v, want %v", lockPeriod, chatsLocked, want)
		}
		if !pinsLocked.IsZero() || b.free(context.Background(), OpListFolders) == 0 {
			t.Errorf("LockPeriod %v: a throttled chat list locked the folder list", lockPeriod)
		}
		if got := classLock(operations[OpPinChat].class, lockPeriod); got != lockPeriod {
			t.Errorf("LockPeriod %v: My Pins operations lock for %v", lockPeriod, got)
		}
	}
}

// The chat list neither shows nor changes pins, so it never waits for the gate that orders folder
// reads against writes.
func TestListChatsTakesNoPartInTheGate(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	must(t, e.client.gate.Acquire(ctx, gateWeight)) // as a folder read in flight holds it
	defer e.client.gate.Release(gateWeight)
	chats, err := e.client.ListChats(ctx, ChatFilter{Name: "Standup"})
	must(t, err)
	if len(chats) != 1 || chats[0].ChatType != "channel" || chats[0].ParticipantCount != 14 {
		t.Fatalf("listed %+v", chats)
	}
}

func TestListedChatReadsEitherPinFlag(t *testing.T) {
	for body, want := range map[string]ListedChat{
		`{"chat_id":"CT_1_2","name":"A","chat_type":"channel","participant_count":"3","pinned":true}`:         {ChatID: "CT_1_2", Name: "A", ChatType: "channel", ParticipantCount: 3, Pinned: true},
		`{"chat_id":1488288613043522033,"name":"B","chat_type":"bot","participant_count":1,"is_pinned":true}`: {ChatID: "1488288613043522033", Name: "B", ChatType: "bot", ParticipantCount: 1, Pinned: true},
		`{"chat_id":"9","name":"C","chat_type":"thread"}`:                                                     {ChatID: "9", Name: "C", ChatType: "thread"},
	} {
		var got ListedChat
		must(t, json.Unmarshal([]byte(body), &got))
		if got != want {
			t.Errorf("%s read as %+v, want %+v", body, got, want)
		}
	}
}

// The Chats module answers errors as {"error":{"code","message"}}, the My Pins module flat.
func TestErrorsOfEitherModuleAreRead(t *testing.T) {
	for body, want := range map[string][2]string{
		`{"error":{"code":"invalid_inputs","message":"limit must be from 1 to 100."}}`: {"invalid_inputs", "limit must be from 1 to 100."},
		`{"code":"max_pins_error","message":"Full."}`:                                  {"max_pins_error", "Full."},
		`{"error":"invalid_code","message":"No."}`:                                     {"", "No."},
		`{"message":"Too many requests within a certain time frame."}`:                 {"", "Too many requests within a certain time frame."},
	} {
		err := (&answer{status: http.StatusBadRequest, body: []byte(body)}).apiError(OpListChats)
		if err.Code != want[0] || err.Message != want[1] {
			t.Errorf("%s read as code %q, message %q; want %q, %q", body, err.Code, err.Message, want[0], want[1])
		}
	}
}

func TestAnUnreadableChatListIsReported(t *testing.T) {
	for body, problem := range map[string]string{
		``:                               "an empty body instead of JSON",
		`{"data":[]}`:                    "JSON without chats",
		`{"chats":[{"name":"no id"}]}`:   "JSON without chats[0].chat_id",
		`{"chats":{"chat_id":"1"}}`:      "JSON in which chats is an object, not a list",
		`{"chats":[{"chat_id":"1"}],"x"`: "JSON that breaks off (the answer was cut short)",
	} {
		err := checkAnswer(OpListChats, 200, "application/json", []byte(body), nil)
		if err == nil || err.Problem != problem {
			t.Errorf("%q: %v, want the problem %q", body, err, problem)
		}
	}
	if err := checkAnswer(OpListChats, 200, "application/json", []byte(`{"chats":[]}`), nil); err != nil {
		t.Errorf("no chats: %v", err)
	}
}

// After a throttled chat list the client waits out the Chats module's lock, twice the My Pins one:
// had it waited only LockPeriod, the fake (which locks the chat list for twice LockPeriod too)
// would throttle its next request as well.
func TestAThrottledChatListWaitsOutItsLock(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{LockPeriod: 300 * time.Millisecond})
	ctx := testCtx(t)
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListChats, Kind: fakecliq.FaultThrottle, Times: 1})
	chats, err := e.client.ListChats(ctx, ChatFilter{Name: "Standup"})
	must(t, err)
	if len(chats) != 1 {
		t.Fatalf("listed %q", chatNames(chats))
	}
	if req, thr := e.count(OpListChats), e.fake.ThrottledCount(fakecliq.OpListChats); req != 2 || thr != 1 {
		t.Fatalf("%d chat list requests, %d throttled; want 2 and 1 (one throttled, one after the whole lock)", req, thr)
	}
}

// Callers share a chat list read in flight; when the caller that sent it is cancelled, the others
// read again rather than fail with it.
func TestAChatListSharedWithACancelledCallerIsReadAgain(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	e.fake.SetLatency(fakecliq.OpListChats, 300*time.Millisecond)
	short, cancel := context.WithCancel(ctx)
	first := make(chan error, 1)
	go func() {
		_, err := e.client.ListChats(short, ChatFilter{Name: "proj-"})
		first <- err
	}()
	time.Sleep(50 * time.Millisecond) // the first caller's request is on the wire
	second := make(chan error, 1)
	go func() {
		chats, err := e.client.ListChats(ctx, ChatFilter{Name: "proj-"})
		if err == nil && len(chats) != 3 {
			err = fmt.Errorf("listed %q", chatNames(chats))
		}
		second <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-first; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled caller got %v", err)
	}
	must(t, <-second)
}
