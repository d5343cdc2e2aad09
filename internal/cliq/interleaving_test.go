package cliq

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestNoHandMadeChangeIsEverUndone searches interleavings for a counterexample to the client's
// promise (doc.go). Each random schedule runs a wave of concurrent operations (add, remove and
// move pins, set a folder's chats with or without a new title, order folders, create and delete
// folders) under a random reading of what the vendor leaves open, while a simulated person pins,
// takes out, reorders and carries chats and reorders folders. The person meets the operations:
// their folder and chat are mostly drawn from an operation's targets, and their changes are timed
// by that operation's own requests (just before one of its writes lands, right after one is
// answered, after a list read made while it runs, between Cliq reading the list and dating its
// answer). Some schedules start with no snapshot or right after a write of the client's own, list
// reads are held at the server so that writes queue behind them, callers are cancelled at those
// moments, and one request may be disturbed (lost answer, dropped connection, 5xx, a proxy page).
// Then, against what the fake returned for each hand-made change (ChangeByHand: the folders just
// before and after it):
//  1. every (folder, chat) pin that no operation targets is as the person left it;
//  2. every pair of chats in a folder, and every pair of folders, whose place no operation targets
//     is in the order the person left it;
//  3. every operation that reported success is on the server where the person did not change the
//     same thing (a set of a folder nobody touched holds exactly the configured chats; each
//     successful create made exactly one folder); an operation fails only where it must: it was
//     cancelled, the person touched its folder, or the error says why it may not proceed;
//  4. Cliq refused a request as client_not_synced only where somebody else changed that folder;
//  5. no request carrying a cancelled operation's change arrived after the operation returned;
//  6. no request was throttled.
//
// A failing schedule prints its worker's seed, a shrunk trace and the wave's requests;
// `go test ./internal/cliq -run TestNoHandMadeChangeIsEverUndone -rapid.seed=N` replays it (on one
// worker). `make test` runs INTERLEAVING_SCHEDULES schedules (default 320) on
// INTERLEAVING_WORKERS workers side by side (default 32: a schedule mostly sleeps, waiting for the
// seconds of Cliq's clock that proofs need, and costs little CPU); `make interleavings` many more.
func TestNoHandMadeChangeIsEverUndone(t *testing.T) {
	schedules, workers := 320, 32
	if v, err := strconv.Atoi(os.Getenv("INTERLEAVING_SCHEDULES")); err == nil && v > 0 {
		schedules = v
	}
	if v, err := strconv.Atoi(os.Getenv("INTERLEAVING_WORKERS")); err == nil && v > 0 {
		workers = v
	}
	replay := false
	if f := flag.Lookup("rapid.seed"); f != nil && f.Value.String() != f.DefValue {
		workers, replay = 1, true // every worker draws the same schedules from one seed
	}
	// An explicit -rapid.checks is each worker's count; otherwise the schedules are shared out.
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		must(t, flag.Set("rapid.checks", strconv.Itoa((schedules+workers-1)/workers)))
		defer func() { _ = flag.Set("rapid.checks", f.DefValue) }()
	}
	tally := &scheduleTally{}
	start := time.Now()
	// Workers are goroutines, not parallel subtests, which -parallel (GOMAXPROCS) would hold to a
	// few at a time. rapid reports through t, which is safe for concurrent use; a worker that
	// fails ends its own goroutine (FailNow).
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { rapid.Check(t, func(rt *rapid.T) { runSchedule(rt, tally) }) })
	}
	wg.Wait()
	t.Logf("%d schedules in %v on %d workers:\n%s", tally.n("schedules"), time.Since(start).Round(time.Millisecond), workers, tally)
	if t.Failed() {
		return
	}
	// A run that exercised nothing proves nothing.
	need := []string{"schedules", "operations succeeded", "hand-made changes", "hand-made changes timed by an operation's request"}
	if !replay && tally.n("schedules") >= 300 { // (-short runs a fifth)
		need = append(need, "hand-made pin", "hand-made take-out", "hand-made move-chat", "hand-made move-folder", "hand-made carry",
			"callers cancelled at a request", "faults that hit a request", "chat pairs in the person's order checked",
			"folder pairs in the person's order checked", "list reads during a wave", "schedules under WholeSecondSync",
			"schedules under OneFolderPerChat", "schedules under NewOnTop")
	}
	for _, k := range need {
		if tally.n(k) == 0 {
			t.Errorf("the schedules exercised nothing of %q", k)
		}
	}
}

// scheduleTally counts what the schedules exercised, so that a run that tests nothing fails and
// one that passes says what it tried.
type scheduleTally struct {
	mu     sync.Mutex
	counts map[string]int
}

func (s *scheduleTally) add(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[string]int{}
	}
	s.counts[k]++
}

func (s *scheduleTally) n(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[k]
}

func (s *scheduleTally) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.counts))
	for k := range s.counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-55s %d\n", k, s.counts[k])
	}
	return b.String()
}

// Chats the schedules use: the person and the operations draw from the same few, so they meet.
var scheduleChats = []string{"101", "102", "103", "104", "105", "106"}

type pair struct{ folder, chat string }

// scheduledOp is one operation of the client's wave.
type scheduledOp struct {
	index     int
	kind      string // add, remove, move, set, order, create, delete
	folder    string // add, remove, set, delete; move: from
	to        string // move: to
	chat      string
	want      []string // set: the configured chats; order: the folder ids
	prior     []string // set: the chats the plan saw (the state's list)
	retitle   bool     // set: the plan changes the folder's title too
	unpinAll  bool
	cancelAt  time.Duration // > 0: the caller is cancelled this long after the wave starts
	title     string        // create: the new folder's title
	madeID    string        // create: the id it returned
	err       error
	cancel    context.CancelFunc
	running   atomic.Bool
	cancelled bool
	returned  time.Time // server clock, when the operation returned
}

func (o *scheduledOp) String() string {
	s := fmt.Sprintf("op %d %s(%s", o.index, o.kind, o.folder)
	switch o.kind {
	case "add", "remove":
		s += ", " + o.chat
	case "move":
		s += " -> " + o.to + ", " + o.chat
	case "set":
		s += fmt.Sprintf(", %v -> %v, retitle=%v", o.prior, o.want, o.retitle)
	case "order":
		s += fmt.Sprintf("%v -> %v", o.prior, o.want)
	case "create":
		s += o.title
	case "delete":
		s += fmt.Sprintf(", unpin_all=%v", o.unpinAll)
	}
	s += ")"
	if o.cancelAt > 0 {
		s += fmt.Sprintf(" cancelled after %v", o.cancelAt)
	}
	return s
}

// folders are the folders the operation writes to.
func (o *scheduledOp) folders() []string {
	switch o.kind {
	case "move":
		return []string{o.folder, o.to}
	case "order":
		return slices.Clone(o.want)
	case "create":
		return nil
	}
	return []string{o.folder}
}

// added and removed are a set's additions and removals (state -> config).
func (o *scheduledOp) added() []string {
	return slices.DeleteFunc(slices.Clone(o.want), func(c string) bool { return slices.Contains(o.prior, c) })
}

func (o *scheduledOp) removed() []string {
	return slices.DeleteFunc(slices.Clone(o.prior), func(c string) bool { return slices.Contains(o.want, c) })
}

// targets are the (folder, chat) pins the operation may change. Under OneFolderPerChat a pin
// takes the chat out of every other folder, which the plan then targets too. For a delete, My
// Pins receives only the chats the folder holds when it goes (intoDeleted: those the person put
// there during the wave); a delete with unpin_all receives only the latter.
func (o *scheduledOp) targets(reading fakecliq.Reading, all []string, initial map[string][]string, intoDeleted []string) []pair {
	everywhere := func(c string) []pair {
		var out []pair
		for _, f := range all {
			out = append(out, pair{f, c})
		}
		return out
	}
	switch o.kind {
	case "add", "move":
		out := []pair{{o.folder, o.chat}}
		if o.kind == "move" {
			out = append(out, pair{o.to, o.chat})
		}
		if reading.OneFolderPerChat {
			out = append(out, everywhere(o.chat)...)
		}
		return out
	case "remove":
		return []pair{{o.folder, o.chat}}
	case "set":
		var out []pair
		for _, c := range append(o.added(), o.removed()...) {
			out = append(out, pair{o.folder, c})
		}
		if reading.OneFolderPerChat {
			for _, c := range o.added() {
				out = append(out, everywhere(c)...)
			}
		}
		return out
	case "delete":
		var out []pair
		for _, c := range scheduleChats {
			out = append(out, pair{o.folder, c})
		}
		moved := slices.Clone(intoDeleted)
		if !o.unpinAll {
			moved = append(moved, initial[o.folder]...)
		}
		for _, c := range moved {
			out = append(out, pair{DefaultFolderID, c})
		}
		return out
	}
	return nil
}

// movesChats returns, per folder, the chats whose place among the others the operation may
// change: those it adds or removes, and for a set those in a pair whose order the plan changes.
// Pairs of other chats keep the order the person left them in (issue 18).
func (o *scheduledOp) movesChats(targets []pair) map[string][]string {
	out := map[string][]string{}
	for _, p := range targets {
		out[p.folder] = append(out[p.folder], p.chat)
	}
	if o.kind == "set" {
		for i, a := range o.want {
			for _, b := range o.want[i+1:] {
				ia, ib := slices.Index(o.prior, a), slices.Index(o.prior, b)
				if ia >= 0 && ib >= 0 && ia > ib {
					out[o.folder] = append(out[o.folder], a, b)
				}
			}
		}
	}
	return out
}

// owns reports whether request r is one of the operation's own writes.
func (o *scheduledOp) owns(r fakecliq.LoggedRequest) bool {
	pinPath := func(chat string) string { return APIPathPrefix + "/chats/" + chat + "/pins" }
	folderPath := func(f string) bool { return r.Path == APIPathPrefix+"/pin-categories/"+f }
	var body struct {
		CategoryID string `json:"category_id"`
		Title      string `json:"title"`
	}
	_ = json.Unmarshal([]byte(r.Body), &body)
	switch o.kind {
	case "add":
		return r.Op == fakecliq.OpPinChat && r.Path == pinPath(o.chat)
	case "remove":
		return r.Op == fakecliq.OpUnpinChat && r.Path == pinPath(o.chat) || folderPath(o.folder) && r.Op != fakecliq.OpModifyFolder
	case "move":
		return (r.Op == fakecliq.OpPinChat || r.Op == fakecliq.OpUnpinChat) && r.Path == pinPath(o.chat) || folderPath(o.folder) && r.Op == fakecliq.OpReplaceChats
	case "set", "delete":
		return folderPath(o.folder) || r.Op == fakecliq.OpPinChat && body.CategoryID == o.folder
	case "order":
		return r.Op == fakecliq.OpReorderFolder
	case "create":
		return r.Op == fakecliq.OpCreateFolder && body.Title == o.title
	}
	return false
}

// personAction is one thing the simulated person does (or one cancellation), at a moment.
type personAction struct {
	trigger string // before-write, after-write, read-held, after-read, read-undated, delay
	op      *scheduledOp
	n       int // which of the operation's writes or reads (1-based), or the delay in milliseconds
	change  fakecliq.HandChange
	cancel  bool // cancel op instead of changing anything
	// move-chat: the positions (modulo the folder's length when the person acts) of the chat
	// moved and of where it goes among the others
	moveFrom, moveTo int

	done          atomic.Bool
	seq           int // the order in which the person acted
	at            time.Time
	before, after map[string][]string // chats per folder just before and after the change
	orderBefore   []string
	orderAfter    []string
}

func (a *personAction) String() string {
	when := a.trigger
	if a.trigger == "delay" {
		when += fmt.Sprintf(" %dms", a.n)
	} else {
		when += fmt.Sprintf(" #%d of op %d", a.n, a.op.index)
	}
	if a.cancel {
		return fmt.Sprintf("cancel op %d at %s", a.op.index, when)
	}
	c := a.change
	return fmt.Sprintf("person %s chat=%s folder=%s to=%s above=%s at %s", c.Kind, c.Chat, c.Folder, c.To, c.Above, when)
}

func (a *personAction) changed() bool {
	return !slices.Equal(a.orderBefore, a.orderAfter) || len(a.changedFolders()) > 0
}

func (a *personAction) changedFolders() []string {
	var out []string
	if a.change.Kind == fakecliq.HandMoveFolder && !slices.Equal(a.orderBefore, a.orderAfter) {
		out = append(out, a.change.Folder) // Cliq counts a folder's move as a change of it
	}
	for f, chats := range a.after {
		if !slices.Equal(chats, a.before[f]) {
			out = append(out, f)
		}
	}
	return out
}

func byFolder(folders []fakecliq.Folder) (map[string][]string, []string) {
	m := map[string][]string{}
	var order []string
	for _, f := range folders {
		m[f.ID] = f.ChatIDs
		order = append(order, f.ID)
	}
	return m, order
}

// schedule is one random schedule: a fake account, a client, the wave and the person.
type schedule struct {
	rt      *rapid.T
	tally   *scheduleTally
	reading fakecliq.Reading
	fake    *fakecliq.Server
	client  *Client
	managed []string // folders Terraform manages
	own     []string // the person's own folders
	all     []string // every folder there at the start, My Pins last
	initial map[string][]string
	order0  []string
	ops     []*scheduledOp
	actions []*personAction
	faults  []fakecliq.Fault

	personMu  sync.Mutex // the person makes one change at a time
	personSeq int

	hookMu                                sync.Mutex
	writes, writesAnswered, reads, undate map[*scheduledOp]int
	readsAnswered                         map[*scheduledOp]int
	readHold                              time.Duration
}

func runSchedule(rt *rapid.T, tally *scheduleTally) {
	s := &schedule{rt: rt, tally: tally}
	s.reading = fakecliq.Reading{
		MyPinsRefusesReplace:  rapid.Bool().Draw(rt, "My Pins refuses replace_chats"),
		EmptyFolderOmitsChats: rapid.Bool().Draw(rt, "empty folders listed without chats"),
		OneFolderPerChat:      rapid.Bool().Draw(rt, "a chat in one folder at a time"),
		NewOnTop:              rapid.Bool().Draw(rt, "new folders and pins on top"),
		UnpinAllEverywhere:    rapid.Bool().Draw(rt, "unpin_all reaches every folder"),
		WholeSecondSync:       rapid.Bool().Draw(rt, "the sync check compares whole seconds"),
	}
	for name, on := range map[string]bool{"OneFolderPerChat": s.reading.OneFolderPerChat, "NewOnTop": s.reading.NewOnTop,
		"WholeSecondSync": s.reading.WholeSecondSync, "MyPinsRefusesReplace": s.reading.MyPinsRefusesReplace} {
		if on {
			tally.add("schedules under " + name)
		}
	}
	s.env()
	ctx, cancelAll := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancelAll()

	// Three folders Terraform may manage, two of the person's own, and My Pins.
	s.managed = []string{
		s.fake.CreateFolderOOB("A", "", drawChats(rt, "A")),
		s.fake.CreateFolderOOB("B", "", drawChats(rt, "B")),
		s.fake.CreateFolderOOB("C", "", drawChats(rt, "C")),
	}
	s.own = []string{s.fake.CreateFolderOOB("P", "", drawChats(rt, "P")), s.fake.CreateFolderOOB("Q", "", drawChats(rt, "Q"))}
	for _, c := range drawChats(rt, "My Pins") {
		s.must(s.fake.PinChatOOB(c, DefaultFolderID))
	}
	s.all = append(append(slices.Clone(s.managed), s.own...), DefaultFolderID)
	s.initial, s.order0 = byFolder(s.fake.Folders())
	advance(s.fake, time.Second+readMargin) // the client's first read proves the set-up (as testEnv.tick)

	switch start := rapid.SampledFrom([]string{"read", "no snapshot", "own write"}).Draw(rt, "the wave starts with"); start {
	case "read":
		_, err := s.client.ListFolders(ctx)
		s.must(err)
	case "own write":
		// A write of the client's own just before the wave: the folder's proof ends with it.
		_, err := s.client.ListFolders(ctx)
		s.must(err)
		f := rapid.SampledFrom(s.managed).Draw(rt, "folder written before the wave")
		s.must(s.client.ModifyFolder(ctx, f, ptr("renamed"), nil, nil))
	}
	s.ops = s.drawOps()
	s.actions = s.drawActions()
	s.faults = s.drawFaults()
	for _, o := range s.ops {
		rt.Logf("%v", o)
	}
	for _, a := range s.actions {
		rt.Logf("%v", a)
	}
	for _, f := range s.faults {
		rt.Logf("fault: %v on the next %s", f.Kind, f.Op)
		s.fake.InjectFault(f)
	}
	if rapid.Bool().Draw(rt, "list reads held at the server") {
		s.readHold = time.Duration(rapid.IntRange(5, 80).Draw(rt, "list read hold ms")) * time.Millisecond
	}
	logStart := len(s.fake.RequestLog())
	s.hook()

	var wg sync.WaitGroup
	start := time.Now()
	opCtxs := map[*scheduledOp]context.Context{}
	for _, o := range s.ops { // every cancel is set before any request can fire a hook
		opCtxs[o], o.cancel = context.WithCancel(ctx)
	}
	for _, o := range s.ops {
		opCtx, cancel := opCtxs[o], o.cancel
		if o.cancelAt > 0 {
			time.AfterFunc(o.cancelAt, cancel)
		}
		o.running.Store(true)
		wg.Go(func() {
			defer cancel()
			o.err = runOp(opCtx, s.client, o)
			o.cancelled = opCtx.Err() != nil && o.err != nil
			o.returned = s.fake.Now()
			o.running.Store(false)
		})
	}
	for _, a := range s.actions {
		if a.trigger == "delay" {
			wg.Go(func() {
				time.Sleep(time.Until(start.Add(time.Duration(a.n) * time.Millisecond)))
				s.act(a)
			})
		}
	}
	wg.Wait()
	time.Sleep(20 * time.Millisecond) // let the last hooks finish
	s.fake.ClearHooks()
	s.fake.ClearFaults()
	s.check(logStart)
}

// env is a fake account and a client at the vendor's limits, with a one-second minute.
func (s *schedule) env() {
	var extra atomic.Int64
	s.fake = fakecliq.New(fakecliq.Options{
		RateWindow: time.Second, LockPeriod: 5 * time.Second, Reading: s.reading,
		Now: func() time.Time { return time.Now().Add(time.Duration(extra.Load())) },
	})
	clocks.Store(s.fake, &extra)
	srv := httptest.NewServer(s.fake)
	s.rt.Cleanup(srv.Close)
	s.rt.Cleanup(func() { clocks.Delete(s.fake) })
	c, err := New(Config{APIURL: srv.URL, AccessToken: s.fake.AccessToken(), RateWindow: time.Second, LockPeriod: 5 * time.Second,
		RetryBaseDelay: 5 * time.Millisecond, BatchDelay: time.Duration(rapid.IntRange(0, 40).Draw(s.rt, "batch delay ms")) * time.Millisecond})
	s.must(err)
	s.client = c
}

func (s *schedule) must(err error) {
	if err != nil {
		s.rt.Fatalf("set-up: %v", err)
	}
}

var clocks sync.Map // *fakecliq.Server -> *atomic.Int64: how far its clock runs ahead

func advance(fake *fakecliq.Server, d time.Duration) {
	v, _ := clocks.Load(fake)
	v.(*atomic.Int64).Add(int64(d))
}

func drawChats(rt *rapid.T, label string) []string {
	return rapid.SliceOfNDistinct(rapid.SampledFrom(scheduleChats), 0, 3, rapid.ID[string]).Draw(rt, "chats in "+label)
}

func (s *schedule) drawOps() []*scheduledOp {
	rt := s.rt
	n := rapid.IntRange(1, 3).Draw(rt, "operations")
	var ops []*scheduledOp
	owned := map[string]bool{} // folders a set or delete owns alone
	taken := map[pair]bool{}
	targets := append(slices.Clone(s.managed), DefaultFolderID)
	for i := range n {
		o := &scheduledOp{index: i, kind: rapid.SampledFrom([]string{"add", "remove", "move", "set", "set", "order", "create", "delete"}).Draw(rt, fmt.Sprintf("op %d", i))}
		o.folder = rapid.SampledFrom(targets).Draw(rt, fmt.Sprintf("op %d folder", i))
		o.chat = rapid.SampledFrom(scheduleChats).Draw(rt, fmt.Sprintf("op %d chat", i))
		if len(ops) > 0 && rapid.Bool().Draw(rt, fmt.Sprintf("op %d meets an earlier one", i)) {
			o.chat = rapid.SampledFrom(ops).Draw(rt, fmt.Sprintf("op %d meets", i)).chat // e.g. a pin and a removal of one chat
		}
		switch o.kind {
		case "remove":
			if len(s.initial[o.folder]) > 0 {
				o.chat = rapid.SampledFrom(s.initial[o.folder]).Draw(rt, fmt.Sprintf("op %d pinned chat", i))
			}
		case "move":
			if len(s.initial[o.folder]) > 0 {
				o.chat = rapid.SampledFrom(s.initial[o.folder]).Draw(rt, fmt.Sprintf("op %d pinned chat", i))
			}
			o.to = rapid.SampledFrom(targets).Draw(rt, fmt.Sprintf("op %d to", i))
			if o.to == o.folder {
				continue
			}
		case "set", "delete":
			if o.folder == DefaultFolderID {
				continue
			}
			o.prior = slices.Clone(s.initial[o.folder])
			o.want = s.drawWant(i, o.prior)
			o.retitle = rapid.Bool().Draw(rt, fmt.Sprintf("op %d retitle", i))
			o.unpinAll = rapid.Bool().Draw(rt, fmt.Sprintf("op %d unpin_all", i))
		case "order":
			if slices.ContainsFunc(ops, func(other *scheduledOp) bool { return other.kind == "order" }) {
				continue
			}
			o.folder = ""
			listed := rapid.SliceOfNDistinct(rapid.SampledFrom(s.managed), 1, 3, rapid.ID[string]).Draw(rt, fmt.Sprintf("op %d listed", i))
			o.want = rapid.Permutation(listed).Draw(rt, fmt.Sprintf("op %d order", i))
			if rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("op %d updates", i)) != 0 {
				// An update from the state's list (the set up's order of the listed folders).
				o.prior = slices.DeleteFunc(slices.Clone(s.order0), func(f string) bool { return !slices.Contains(listed, f) })
			}
		case "create":
			o.folder, o.title = "", fmt.Sprintf("New-%d", i)
		}
		mine := o.drawTargets(s)
		clash := slices.ContainsFunc(o.folders(), func(f string) bool { return owned[f] })
		for _, p := range mine {
			clash = clash || taken[p] || owned[p.folder]
		}
		if clash || (o.kind == "set" || o.kind == "delete") && slices.ContainsFunc(ops, func(other *scheduledOp) bool {
			return slices.Contains(other.folders(), o.folder) ||
				slices.ContainsFunc(other.drawTargets(s), func(p pair) bool { return p.folder == o.folder })
		}) {
			continue // Terraform never plans two changes of one pin, or one besides a folder's whole list
		}
		if o.kind == "delete" && slices.ContainsFunc(ops, func(other *scheduledOp) bool { return other.kind == "order" }) ||
			o.kind == "order" && slices.ContainsFunc(ops, func(other *scheduledOp) bool { return other.kind == "delete" }) {
			continue // the order resource would list the folder being deleted
		}
		for _, p := range mine {
			taken[p] = true
		}
		if o.kind == "set" || o.kind == "delete" {
			owned[o.folder] = true
		}
		if o.kind == "delete" {
			owned[DefaultFolderID] = true // it receives the deleted folder's chats
		}
		if rapid.IntRange(0, 9).Draw(rt, fmt.Sprintf("op %d cancelled by the clock", i)) == 0 {
			o.cancelAt = time.Duration(rapid.IntRange(1, 300).Draw(rt, fmt.Sprintf("op %d cancel after ms", i))) * time.Millisecond
		}
		o.index = len(ops)
		ops = append(ops, o)
	}
	if len(ops) == 0 { // every draw clashed: one pin
		ops = append(ops, &scheduledOp{kind: "add", folder: s.managed[0], chat: scheduleChats[0]})
	}
	return ops
}

// drawTargets are the pins an operation may reach, as the draw keeps operations apart: a delete
// may move any chat into My Pins.
func (o *scheduledOp) drawTargets(s *schedule) []pair {
	if o.kind == "delete" {
		return o.targets(s.reading, s.all, s.initial, scheduleChats)
	}
	return o.targets(s.reading, s.all, s.initial, nil)
}

// drawWant is a set's configured chats: mostly a small change of the state's list (the plan
// changes only the title, adds one, drops one, moves one), sometimes any list.
func (s *schedule) drawWant(i int, prior []string) []string {
	rt := s.rt
	want := slices.Clone(prior)
	others := slices.DeleteFunc(slices.Clone(scheduleChats), func(c string) bool { return slices.Contains(prior, c) })
	switch rapid.SampledFrom([]string{"same", "add one", "drop one", "move one", "any"}).Draw(rt, fmt.Sprintf("op %d plan", i)) {
	case "add one":
		if len(others) > 0 {
			c := rapid.SampledFrom(others).Draw(rt, fmt.Sprintf("op %d adds", i))
			want = slices.Insert(want, rapid.IntRange(0, len(want)).Draw(rt, fmt.Sprintf("op %d adds at", i)), c)
		}
	case "drop one":
		if len(want) > 0 {
			at := rapid.IntRange(0, len(want)-1).Draw(rt, fmt.Sprintf("op %d drops", i))
			want = slices.Delete(want, at, at+1)
		}
	case "move one":
		if len(want) > 1 {
			from := rapid.IntRange(0, len(want)-1).Draw(rt, fmt.Sprintf("op %d moves", i))
			c := want[from]
			want = slices.Delete(want, from, from+1)
			want = slices.Insert(want, rapid.IntRange(0, len(want)).Draw(rt, fmt.Sprintf("op %d moves to", i)), c)
		}
	case "any":
		want = drawChats(rt, fmt.Sprintf("op %d want", i))
	}
	return want
}

// drawActions draws the person's changes and the cancellations, each timed by one operation's
// requests (or by the clock), mostly on that operation's folders and chats.
func (s *schedule) drawActions() []*personAction {
	rt := s.rt
	n := rapid.IntRange(1, 4).Draw(rt, "hand-made changes")
	var out []*personAction
	userFolders := append(slices.Clone(s.managed), s.own...)
	for i := range n + 1 {
		label := func(what string) string { return fmt.Sprintf("change %d %s", i, what) }
		a := &personAction{op: rapid.SampledFrom(s.ops).Draw(rt, label("meets"))}
		if i == n { // at most one cancellation at a request's moment
			if rapid.IntRange(0, 3).Draw(rt, "cancel at a request") != 0 {
				break
			}
			a.cancel = true
			a.trigger = rapid.SampledFrom([]string{"read-held", "before-write", "after-read"}).Draw(rt, label("when"))
			a.n = rapid.IntRange(1, 2).Draw(rt, label("at request"))
			out = append(out, a)
			break
		}
		a.trigger = rapid.SampledFrom([]string{"before-write", "before-write", "after-write", "after-read", "read-undated", "delay"}).Draw(rt, label("when"))
		if a.trigger == "delay" {
			a.n = rapid.IntRange(0, 400).Draw(rt, label("after ms"))
		} else {
			a.n = rapid.IntRange(1, 2).Draw(rt, label("at request"))
		}
		kind := rapid.SampledFrom([]fakecliq.HandChangeKind{fakecliq.HandPin, fakecliq.HandPin, fakecliq.HandTakeOut,
			fakecliq.HandMoveChat, fakecliq.HandMoveChat, fakecliq.HandMoveFolder, fakecliq.HandCarry}).Draw(rt, label("kind"))
		folders := slices.DeleteFunc(a.op.folders(), func(f string) bool { return !slices.Contains(s.all, f) })
		opsChat := a.op.chat != "" && a.op.kind != "set" && a.op.kind != "order" && a.op.kind != "create" &&
			rapid.Bool().Draw(rt, label("the operation's chat"))
		if opsChat && kind == fakecliq.HandPin {
			// The classic race: the operation's chat pinned by hand into a folder it does not target.
			folders = slices.DeleteFunc(slices.Clone(s.all), func(f string) bool { return slices.Contains(a.op.folders(), f) })
		} else if kind == fakecliq.HandMoveFolder {
			folders = slices.DeleteFunc(folders, func(f string) bool { return f == DefaultFolderID })
			if len(folders) == 0 || rapid.Bool().Draw(rt, label("own folder")) {
				folders = userFolders
			}
		} else if len(folders) == 0 || rapid.IntRange(0, 3).Draw(rt, label("elsewhere")) == 0 {
			folders = s.all
		}
		c := fakecliq.HandChange{Kind: kind, Folder: rapid.SampledFrom(folders).Draw(rt, label("folder"))}
		chats := scheduleChats
		if kind != fakecliq.HandPin && len(s.initial[c.Folder]) > 0 {
			chats = s.initial[c.Folder]
		}
		if opsChat {
			c.Chat = a.op.chat
		} else {
			c.Chat = rapid.SampledFrom(chats).Draw(rt, label("chat"))
		}
		switch kind {
		case fakecliq.HandMoveChat:
			a.moveFrom = rapid.IntRange(0, 5).Draw(rt, label("moves the chat at"))
			a.moveTo = rapid.IntRange(0, 5).Draw(rt, label("moves it to"))
		case fakecliq.HandMoveFolder:
			c.Above = rapid.SampledFrom(append(slices.Clone(userFolders), "")).Draw(rt, label("above"))
		case fakecliq.HandCarry:
			c.To = rapid.SampledFrom(s.all).Draw(rt, label("to"))
		}
		a.change = c
		out = append(out, a)
	}
	return out
}

// drawFaults disturbs at most one request: a lost answer, a dropped connection, a 5xx, a proxy's
// page. The client must settle each (a read decides) and carry on.
func (s *schedule) drawFaults() []fakecliq.Fault {
	rt := s.rt
	if rapid.IntRange(0, 2).Draw(rt, "fault") != 0 {
		return nil
	}
	ops := []fakecliq.Op{fakecliq.OpPinChat, fakecliq.OpReplaceChats, fakecliq.OpReorderChat, fakecliq.OpReorderFolder,
		fakecliq.OpDeleteFolder, fakecliq.OpUnpinChat, fakecliq.OpModifyFolder, fakecliq.OpListFolders}
	if slices.ContainsFunc(s.ops, func(o *scheduledOp) bool { return o.kind == "create" }) {
		ops = append(ops, fakecliq.OpCreateFolder, fakecliq.OpCreateFolder, fakecliq.OpCreateFolder)
	}
	f := fakecliq.Fault{
		Op:   rapid.SampledFrom(ops).Draw(rt, "fault on"),
		Kind: rapid.SampledFrom([]fakecliq.FaultKind{fakecliq.FaultDropAfter, fakecliq.FaultDropBefore, fakecliq.FaultStatus, fakecliq.FaultHTMLAfter}).Draw(rt, "fault kind"),
	}
	if f.Kind == fakecliq.FaultStatus {
		f.Status = rapid.SampledFrom([]int{500, 502, 503}).Draw(rt, "fault status")
	}
	return []fakecliq.Fault{f}
}

// act makes the change by hand, as Cliq's app would, or cancels the operation.
func (s *schedule) act(a *personAction) {
	if a.cancel {
		if !a.done.Swap(true) {
			a.op.cancel()
			s.tally.add("callers cancelled at a request")
		}
		return
	}
	s.personMu.Lock()
	defer s.personMu.Unlock()
	if a.done.Load() {
		return
	}
	change := a.change
	if change.Kind == fakecliq.HandMoveChat {
		// Which chat goes where is drawn as positions, resolved against the folder as it is now,
		// so that the move moves something.
		f, _ := s.fake.Folder(change.Folder)
		if n := len(f.ChatIDs); n >= 2 {
			from, to := a.moveFrom%n, a.moveTo%n
			change.Chat = f.ChatIDs[from]
			others := slices.Delete(slices.Clone(f.ChatIDs), from, from+1)
			change.Above = ""
			if to < len(others) {
				change.Above = others[to]
			}
		}
	}
	before, after, err := s.fake.ChangeByHand(change)
	if err != nil {
		return // its folder is gone
	}
	s.personSeq++
	a.seq, a.at = s.personSeq, s.fake.Now()
	a.before, a.orderBefore = byFolder(before)
	a.after, a.orderAfter = byFolder(after)
	a.done.Store(true)
}

// hook makes each request-timed change or cancellation at its moment.
func (s *schedule) hook() {
	s.writes, s.writesAnswered, s.reads, s.undate, s.readsAnswered = map[*scheduledOp]int{}, map[*scheduledOp]int{}, map[*scheduledOp]int{}, map[*scheduledOp]int{}, map[*scheduledOp]int{}
	// count bumps the counter of each running (reads) or owning (writes) operation and returns
	// the actions due at that moment.
	count := func(trigger string, r fakecliq.LoggedRequest, counter map[*scheduledOp]int) []*personAction {
		s.hookMu.Lock()
		defer s.hookMu.Unlock()
		var due []*personAction
		for _, o := range s.ops {
			mine := o.owns(r)
			if r.Op == fakecliq.OpListFolders {
				mine = o.running.Load()
			}
			if !mine {
				continue
			}
			counter[o]++
			for _, a := range s.actions {
				if a.op == o && a.trigger == trigger && a.n == counter[o] && !a.done.Load() {
					due = append(due, a)
				}
			}
		}
		return due
	}
	fire := func(due []*personAction) bool {
		for _, a := range due {
			s.act(a)
			if a.done.Load() && !a.cancel {
				s.tally.add("hand-made changes timed by an operation's request")
			}
		}
		return len(due) > 0
	}
	s.fake.BeforeExecute("", func(r fakecliq.LoggedRequest) {
		switch r.Op {
		case fakecliq.OpToken:
		case fakecliq.OpListFolders:
			if slices.ContainsFunc(s.ops, func(o *scheduledOp) bool { return o.running.Load() }) {
				s.tally.add("list reads during a wave")
			}
			if fire(count("read-held", r, s.reads)) || s.readHold > 0 {
				time.Sleep(s.readHold + 10*time.Millisecond) // the read is held while its caller goes
			}
		default:
			fire(count("before-write", r, s.writes))
		}
	})
	// read-undated: after Cliq read the list, and before it dated the answer, which then falls in
	// the next second: the change is newer than what the read shows, and older than its Date (what
	// readMargin is for).
	s.fake.AfterExecute(fakecliq.OpListFolders, func(r fakecliq.LoggedRequest) {
		if fire(count("read-undated", r, s.undate)) {
			now := s.fake.Now()
			time.Sleep(now.Truncate(time.Second).Add(time.Second).Sub(now) + 5*time.Millisecond)
		}
	})
	s.fake.AfterRequest(func(r fakecliq.LoggedRequest) {
		switch r.Op {
		case fakecliq.OpToken, "":
		case fakecliq.OpListFolders:
			fire(count("after-read", r, s.readsAnswered))
		default:
			fire(count("after-write", r, s.writesAnswered))
		}
	})
}

func runOp(ctx context.Context, c *Client, o *scheduledOp) error {
	switch o.kind {
	case "add":
		return c.AddPin(ctx, o.folder, o.chat)
	case "remove":
		return c.RemovePin(ctx, o.folder, o.chat)
	case "move":
		return c.MovePin(ctx, o.chat, o.folder, o.to)
	case "set":
		if o.retitle {
			if err := c.ModifyFolder(ctx, o.folder, ptr(fmt.Sprintf("T%d", o.index)), nil, nil); err != nil {
				return err
			}
		}
		return c.SetFolderChats(ctx, o.folder, o.prior, o.want)
	case "order":
		if o.prior == nil { // a new cliq_pin_folder_order: the listed folders on top
			return c.SetFolderOrder(ctx, o.want)
		}
		return c.UpdateFolderOrder(ctx, o.prior, o.want)
	case "create":
		f, err := c.CreateFolder(ctx, o.title, "", nil)
		o.madeID = f.ID
		return err
	case "delete":
		return c.DeleteFolder(ctx, o.folder, o.unpinAll)
	}
	return fmt.Errorf("unknown operation %q", o.kind)
}

// relation is how two items stand in a list: "" when not both there, else "<" or ">".
func relation(list []string, x, y string) string {
	i, j := slices.Index(list, x), slices.Index(list, y)
	switch {
	case i < 0 || j < 0:
		return ""
	case i < j:
		return "<"
	}
	return ">"
}

// check is the oracle, run on the server's state once the wave is over.
func (s *schedule) check(logStart int) {
	rt := s.rt
	final, finalOrder := byFolder(s.fake.Folders())
	var acted []*personAction // the person's changes that changed something, in order
	for _, a := range s.actions {
		if !a.cancel && a.done.Load() && a.changed() {
			acted = append(acted, a)
			s.tally.add("hand-made changes")
			s.tally.add("hand-made " + string(a.change.Kind))
		}
	}
	slices.SortFunc(acted, func(a, b *personAction) int { return a.seq - b.seq })
	handTouched := func(folder string) bool {
		return slices.ContainsFunc(acted, func(a *personAction) bool { return slices.Contains(a.changedFolders(), folder) })
	}
	orderTouched := slices.ContainsFunc(acted, func(a *personAction) bool { return !slices.Equal(a.orderBefore, a.orderAfter) })
	// touchedPin: the person changed whether chat sits in folder.
	touchedPin := func(p pair) bool {
		return slices.ContainsFunc(acted, func(a *personAction) bool {
			return slices.Contains(a.before[p.folder], p.chat) != slices.Contains(a.after[p.folder], p.chat)
		})
	}
	// wordOn returns the person's last word on how x and y stand in list (per the function), or
	// the initial state, and whether anybody had a word.
	wordOn := func(list func(before bool, a *personAction) []string, initial []string, x, y string) (string, bool) {
		for i := len(acted) - 1; i >= 0; i-- {
			a := acted[i]
			if relation(list(true, a), x, y) != relation(list(false, a), x, y) {
				return relation(list(false, a), x, y), true
			}
		}
		return relation(initial, x, y), relation(initial, x, y) != ""
	}

	// What the operations may change.
	targeted := map[pair]bool{}
	moves := map[string][]string{} // folder -> chats whose place an operation may change
	movedFolders := map[string]bool{}
	for _, o := range s.ops {
		var intoDeleted []string
		if o.kind == "delete" {
			for _, a := range acted {
				for _, c := range a.after[o.folder] {
					if !slices.Contains(a.before[o.folder], c) {
						intoDeleted = append(intoDeleted, c)
					}
				}
			}
		}
		ts := o.targets(s.reading, s.all, s.initial, intoDeleted)
		for _, p := range ts {
			targeted[p] = true
		}
		for f, chats := range o.movesChats(ts) {
			moves[f] = append(moves[f], chats...)
		}
		if o.kind == "order" {
			for i, f := range o.want {
				if o.prior == nil {
					movedFolders[f] = true // all on top
				}
				for _, g := range o.want[i+1:] {
					if slices.Index(o.prior, f) > slices.Index(o.prior, g) {
						movedFolders[f], movedFolders[g] = true, true // a pair whose order the plan changes
					}
				}
			}
		}
	}

	// 1. Pins no operation targets are as the person left them.
	for _, f := range s.all {
		now, exists := final[f]
		if !exists {
			continue // deleted by an operation
		}
		for _, c := range scheduleChats {
			p := pair{f, c}
			if targeted[p] {
				continue
			}
			s.tally.add("pins checked")
			want := slices.Contains(s.initial[f], c)
			var word *personAction
			for _, a := range acted {
				if slices.Contains(a.before[f], c) != slices.Contains(a.after[f], c) {
					want, word = slices.Contains(a.after[f], c), a
				}
			}
			if got := slices.Contains(now, c); got != want {
				if want && s.admitted(p, word, logStart) {
					s.tally.add("pins lost in the one window the docs admit")
					continue
				}
				s.fatalf(logStart, "chat %s in folder %s: pinned=%v, want %v (the person's, and no operation targets it)\nfinal: %v", c, f, got, want, final)
			}
		}
	}
	// 2. Pairs of chats, and of folders, whose place no operation targets are in the person's order.
	for _, f := range s.all {
		now, exists := final[f]
		if !exists {
			continue
		}
		for i, x := range now {
			for _, y := range now[i+1:] {
				if slices.Contains(moves[f], x) || slices.Contains(moves[f], y) {
					continue
				}
				want, ok := wordOn(func(before bool, a *personAction) []string {
					if before {
						return a.before[f]
					}
					return a.after[f]
				}, s.initial[f], x, y)
				if !ok || want == "" {
					continue // nobody but an operation put both there
				}
				s.tally.add("chat pairs checked")
				if handTouched(f) {
					s.tally.add("chat pairs in the person's order checked")
				}
				if got := relation(now, x, y); got != want {
					s.fatalf(logStart, "folder %s holds %s %s %s, but the person left them %s %s %s, and no operation moves either\nfinal: %v", f, x, got, y, x, want, y, final)
				}
			}
		}
	}
	for i, x := range finalOrder {
		for _, y := range finalOrder[i+1:] {
			if x == DefaultFolderID || movedFolders[x] || movedFolders[y] || !slices.Contains(s.all, x) || !slices.Contains(s.all, y) {
				continue
			}
			want, ok := wordOn(func(before bool, a *personAction) []string {
				if before {
					return a.orderBefore
				}
				return a.orderAfter
			}, s.order0, x, y)
			if !ok {
				continue
			}
			s.tally.add("folder pairs checked")
			if orderTouched {
				s.tally.add("folder pairs in the person's order checked")
			}
			if got := relation(finalOrder, x, y); got != want {
				s.fatalf(logStart, "folders %s %s %s, but the person left them %s %s %s, and no operation moves either\nfinal order: %v", x, got, y, x, want, y, finalOrder)
			}
		}
	}
	// 3. Operations that succeeded are on the server, where the person did not change the same
	// thing; those that failed had to.
	for _, o := range s.ops {
		s.tally.add("operations")
		if o.err != nil {
			rt.Logf("%v: %v", o, o.err)
			s.tally.add("operations failed")
			if o.cancelled {
				s.tally.add("operations cancelled")
			}
			if why := s.mayFail(o, handTouched, orderTouched); why == "" {
				s.fatalf(logStart, "%v failed, but nothing made it fail: it was not cancelled, nobody touched its folders: %v\nfinal: %v", o, o.err, final)
			}
			continue
		}
		s.tally.add("operations succeeded")
		check := func(p pair, pinned bool) {
			if touchedPin(p) {
				return
			}
			if _, ok := final[p.folder]; ok && slices.Contains(final[p.folder], p.chat) != pinned {
				s.fatalf(logStart, "%v succeeded, but chat %s in folder %s is pinned=%v\nfinal: %v", o, p.chat, p.folder, !pinned, final)
			}
		}
		switch o.kind {
		case "add":
			check(pair{o.folder, o.chat}, true)
		case "remove":
			check(pair{o.folder, o.chat}, false)
		case "move":
			check(pair{o.to, o.chat}, true)
			check(pair{o.folder, o.chat}, false)
		case "set":
			for _, c := range o.added() {
				check(pair{o.folder, c}, true)
			}
			for _, c := range o.removed() {
				check(pair{o.folder, c}, false)
			}
			if !handTouched(o.folder) && !slices.Equal(final[o.folder], o.want) {
				s.fatalf(logStart, "%v succeeded, and nobody touched the folder, but it holds %v\nfinal: %v", o, final[o.folder], final)
			}
		case "order":
			var got []string
			for _, f := range finalOrder {
				if slices.Contains(o.want, f) {
					got = append(got, f)
				}
			}
			if !orderTouched && !slices.Equal(got, o.want) {
				s.fatalf(logStart, "%v succeeded, but the folders stand %v\nfinal order: %v", o, got, finalOrder)
			}
		case "create":
			var made []string
			for _, f := range s.fake.Folders() {
				if f.Title == o.title {
					made = append(made, f.ID)
				}
			}
			if len(made) != 1 || made[0] != o.madeID {
				s.fatalf(logStart, "%v succeeded with folder %q, but the server holds %v folders titled %s: %v", o, o.madeID, len(made), o.title, made)
			}
		case "delete":
			if _, ok := final[o.folder]; ok {
				s.fatalf(logStart, "%v succeeded, but the folder is still there", o)
			}
			if !o.unpinAll {
				for _, c := range s.initial[o.folder] {
					if !touchedPin(pair{o.folder, c}) {
						check(pair{DefaultFolderID, c}, true)
					}
				}
			}
		}
	}
	for _, o := range s.ops {
		if o.kind != "create" || o.err == nil {
			continue
		}
		n := 0
		for _, f := range s.fake.Folders() {
			if f.Title == o.title {
				n++
			}
		}
		if n > 1 || n == 1 && !o.cancelled {
			s.fatalf(logStart, "%v failed (%v), but the server holds %d folders titled %s", o, o.err, n, o.title)
		}
	}
	// 4. client_not_synced only where somebody else changed the folder.
	log := s.fake.RequestLog()[logStart:]
	for i, r := range log {
		if r.Code != CodeClientNotSynced {
			continue
		}
		s.tally.add("client_not_synced answers")
		folder := strings.TrimPrefix(r.Path, APIPathPrefix+"/pin-categories/")
		if r.Op == fakecliq.OpReorderFolder {
			folder = ""
		}
		if folder == "" && orderTouched || folder != "" && handTouched(folder) || s.otherWriteMayExplain(log, i, folder) {
			continue
		}
		s.fatalf(logStart, "Cliq refused %s %s as client_not_synced, but nobody else changed the folder", r.Op, r.Path)
	}
	// 5. Nothing left for a cancelled operation after it returned.
	for _, o := range s.ops {
		if !o.cancelled {
			continue
		}
		for _, r := range log {
			if r.Time.After(o.returned) && carries(r, o, s.ops) {
				s.fatalf(logStart, "%v returned at %s, cancelled, but %s %s arrived at %s", o, o.returned.Format("15:04:05.000"), r.Op, r.Path, r.Time.Format("15:04:05.000"))
			}
		}
	}
	// 6. No request was throttled.
	for _, op := range fakecliq.AllOps() {
		if n := s.fake.ThrottledCount(op); n > 0 {
			s.fatalf(logStart, "%d %s requests were throttled", n, op)
		}
	}
	if len(s.faults) > 0 && len(s.fake.PendingFaults()) == 0 {
		s.tally.add("faults that hit a request")
	}
	s.tally.add("schedules")
}

// fatalf fails the schedule with the wave's requests, as the server saw them.
func (s *schedule) fatalf(logStart int, format string, args ...any) {
	var b strings.Builder
	for _, r := range s.fake.RequestLog()[logStart:] {
		if r.Op != fakecliq.OpToken {
			fmt.Fprintf(&b, "\n  %s %s %s %s?%s %s -> %d %s", r.Time.Format("05.000"), r.Op, r.Method, r.Path, r.Query, r.Body, r.Status, r.Code)
		}
	}
	s.rt.Fatalf(format+"\nrequests:%s", append(args, b.String())...)
}

// admitted reports whether a pin of p's chat into p.folder that the person made (word) was lost
// in the one window cliq_chat_pin's docs describe: where Cliq refuses to replace My Pins' chats,
// an unpin of the chat (a removal from My Pins) sent after the person pinned it elsewhere, with
// no list read arriving in between, and after a read that followed the removal's own earlier
// requests.
func (s *schedule) admitted(p pair, word *personAction, logStart int) bool {
	if !s.reading.MyPinsRefusesReplace || p.folder == DefaultFolderID || word == nil {
		return false
	}
	var lastRead, lastWrite time.Time // of the removal from My Pins, before its unpin
	for _, r := range s.fake.RequestLog()[logStart:] {
		mine := slices.ContainsFunc(s.ops, func(o *scheduledOp) bool {
			return (o.kind == "remove" || o.kind == "move") && o.folder == DefaultFolderID && o.chat == p.chat && o.owns(r)
		})
		switch {
		case r.Op == fakecliq.OpListFolders:
			lastRead = r.Time
		case mine && r.Op == fakecliq.OpUnpinChat:
			// The unpin left after the last read that could have shown the pin (the person may
			// have pinned while the unpin was already on its way: hooks run after it arrived),
			// and that read came after the removal's earlier requests: the client read again
			// right before the unpin, as it must.
			if r.Time.After(word.at.Add(-200*time.Millisecond)) && lastRead.Before(word.at) && !lastRead.Before(lastWrite) {
				return true
			}
			lastWrite = r.Time
		case mine:
			lastWrite = r.Time
		}
	}
	return false
}

// mayFail says why operation o may have failed, or "" when nothing explains it.
func (s *schedule) mayFail(o *scheduledOp, handTouched func(string) bool, orderTouched bool) string {
	switch {
	case o.cancelled:
		return "cancelled"
	case errors.Is(o.err, ErrPinnedElsewhere):
		return "pinned elsewhere"
	case errors.Is(o.err, errUnlisted) && s.reading.EmptyFolderOmitsChats:
		return "Cliq listed the folder without its chats"
	case o.kind == "order" && orderTouched:
		return "the person moved folders"
	case slices.ContainsFunc(o.folders(), handTouched):
		return "the person touched its folder"
	case s.reading.OneFolderPerChat && slices.ContainsFunc(s.actions, func(a *personAction) bool { return a.done.Load() && !a.cancel && a.changed() }):
		return "the person's pin may have moved a chat out of its folder"
	}
	return ""
}

// otherWriteMayExplain reports whether a write other than log[i] may have changed folder ("" =
// the folder order) without the client knowing when it built log[i]: a write answered no earlier
// than shortly before log[i] arrived, by an operation that does not own the folder alone.
func (s *schedule) otherWriteMayExplain(log []fakecliq.LoggedRequest, i int, folder string) bool {
	owner := slices.IndexFunc(s.ops, func(o *scheduledOp) bool {
		return (o.kind == "set" || o.kind == "delete") && o.folder == folder
	})
	if owner >= 0 { // (the draw keeps other operations' pins from taking chats out of it)
		// Every other write to the folder is the owner's own, made in sequence: the client knew it.
		return slices.ContainsFunc(log[:i], func(w fakecliq.LoggedRequest) bool {
			return w.Op == fakecliq.OpDeleteFolder || w.Op == fakecliq.OpUnpinChat || w.Op == fakecliq.OpBulkUnpin
		})
	}
	for j, w := range log {
		if j == i || w.Op == fakecliq.OpListFolders || w.Op == fakecliq.OpToken || w.Op == "" || w.Time.After(log[i].Time) {
			continue
		}
		if log[i].Time.Sub(w.Time) < 2*time.Second {
			return true
		}
	}
	return false
}

// carries reports whether request r carries cancelled operation o's change (and no other
// operation's).
func carries(r fakecliq.LoggedRequest, o *scheduledOp, ops []*scheduledOp) bool {
	switch o.kind {
	case "add", "move":
		folder := o.folder
		if o.kind == "move" {
			folder = o.to
		}
		var body struct {
			CategoryID string `json:"category_id"`
		}
		_ = json.Unmarshal([]byte(r.Body), &body)
		if body.CategoryID == "" {
			body.CategoryID = DefaultFolderID
		}
		return r.Op == fakecliq.OpPinChat && r.Path == APIPathPrefix+"/chats/"+o.chat+"/pins" && body.CategoryID == folder
	case "remove", "set", "delete":
		if r.Op != fakecliq.OpReplaceChats && r.Op != fakecliq.OpDeleteFolder && r.Op != fakecliq.OpReorderChat || !strings.HasSuffix(r.Path, "/"+o.folder) {
			return false
		}
		for _, other := range ops {
			if other != o && slices.Contains(other.folders(), o.folder) {
				return false // another operation writes this folder too
			}
		}
		return true
	case "create":
		return o.owns(r)
	}
	return false
}

// APIPathPrefix is the path the fake serves the API under.
const APIPathPrefix = fakecliq.APIPrefix
