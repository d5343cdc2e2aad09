package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// The fault suite: one mixed configuration (three folders, four pins, a folder order) is applied in
// three phases (create; update; remove), and before each phase's apply every write operation (and
// the list read) is armed with one fault of a kind. Whatever the faulty apply reports, the suite
// then checks that
//
//   - a successful apply left the server exactly as declared;
//   - a failed apply failed with a readable error, left no folder the state does not know about
//     (which the next apply would duplicate), and left a plan that shows the remaining work;
//   - an apply without the fault converges, the server holds exactly the declared folders, chats
//     and order plus the pins made by hand (which Terraform must never remove), and a plan shows
//     no changes.
//
// Terraform runs the built provider (as users run it) against the in-process fake, with the
// vendor's minute and lock period scaled down 60 times. The fake's request log tells which
// operations actually received each fault; the matrix of the results is printed at the end.

// faultOps are the operations the suite arms, in matrix order.
var faultOps = []fakecliq.Op{
	fakecliq.OpCreateFolder, fakecliq.OpModifyFolder, fakecliq.OpDeleteFolder, fakecliq.OpReorderChat,
	fakecliq.OpReorderFolder, fakecliq.OpReplaceChats, fakecliq.OpPinChat, fakecliq.OpUnpinChat,
	fakecliq.OpBulkUnpin, fakecliq.OpListFolders,
}

func isWriteOp(op fakecliq.Op) bool {
	return op != fakecliq.OpListFolders && op != fakecliq.OpToken && op != ""
}

// faultPhaseConfig is the configuration of one phase, without the provider block.
func faultPhaseConfig(phase int) string {
	switch phase {
	case 1:
		return `
resource "cliq_pin_folder" "a" {
  title    = "Alpha"
  symbol   = ":razz:"
  chat_ids = ["1001", "1002", "1003"]
}
resource "cliq_pin_folder" "b" {
  title                = "Beta"
  symbol               = ":smile:"
  state                = "collapsed"
  chat_ids             = ["2001", "2002"]
  unpin_all_on_destroy = true
}
resource "cliq_pin_folder" "c" {
  title = "Gamma"
}
resource "cliq_chat_pin" "p1" {
  chat_id = "3001"
}
resource "cliq_chat_pin" "p2" {
  chat_id   = "3002"
  pin_above = cliq_chat_pin.p1.chat_id
}
resource "cliq_chat_pin" "p3" {
  chat_id   = "3003"
  folder_id = cliq_pin_folder.c.id
}
resource "cliq_chat_pin" "p4" {
  chat_id   = "3004"
  folder_id = cliq_pin_folder.c.id
}
resource "cliq_pin_folder_order" "order" {
  folder_ids = [cliq_pin_folder.b.id, cliq_pin_folder.a.id, cliq_pin_folder.c.id]
}
`
	case 2:
		return `
resource "cliq_pin_folder" "a" {
  title    = "Alpha 2"
  symbol   = ":star:"
  chat_ids = ["1003", "1001", "1002"]
}
resource "cliq_pin_folder" "b" {
  title                = "Beta"
  symbol               = ":smile:"
  state                = "expanded"
  chat_ids             = ["2002", "2003", "2004"]
  unpin_all_on_destroy = true
}
resource "cliq_pin_folder" "c" {
  title = "Gamma 2"
}
resource "cliq_chat_pin" "p1" {
  chat_id = "3001"
}
resource "cliq_chat_pin" "p2" {
  chat_id   = "3002"
  pin_above = cliq_chat_pin.p4.chat_id
}
resource "cliq_chat_pin" "p3" {
  chat_id   = "3003"
  folder_id = cliq_pin_folder.c.id
}
resource "cliq_chat_pin" "p4" {
  chat_id   = "3004"
  folder_id = "default"
}
resource "cliq_pin_folder_order" "order" {
  folder_ids = [cliq_pin_folder.c.id, cliq_pin_folder.b.id, cliq_pin_folder.a.id]
}
`
	default:
		return `
resource "cliq_pin_folder" "a" {
  title    = "Alpha 2"
  symbol   = ":star:"
  chat_ids = ["1003", "1001", "1002"]
}
resource "cliq_pin_folder" "c" {
  title = "Gamma 2"
}
resource "cliq_chat_pin" "p1" {
  chat_id = "3001"
}
resource "cliq_chat_pin" "p4" {
  chat_id   = "3004"
  folder_id = "default"
}
resource "cliq_pin_folder_order" "order" {
  folder_ids = [cliq_pin_folder.c.id, cliq_pin_folder.a.id]
}
`
	}
}

// faultWant is what the server must hold after a phase, besides the pins made by hand.
type faultWant struct {
	titles  []string // user folders in display order ("Hand" is the folder made by hand)
	a, b    []string // chats of the authoritative folders, in order (b nil: deleted)
	aTitle  string
	aSymbol string
	bState  string
	cTitle  string
	c, def  []string // pins Terraform declares in folder c and in My Pins
	above   [2]string
	gone    []string // chats Terraform removed, which must be pinned nowhere (unless by hand)
}

func faultWantFor(phase int) faultWant {
	switch phase {
	case 1:
		return faultWant{
			titles: []string{"Beta", "Alpha", "Gamma", "Hand"},
			a:      []string{"1001", "1002", "1003"}, aTitle: "Alpha", aSymbol: ":razz:",
			b: []string{"2001", "2002"}, bState: "collapsed",
			cTitle: "Gamma", c: []string{"3003", "3004"},
			def: []string{"3001", "3002"}, above: [2]string{"3002", "3001"},
		}
	case 2:
		return faultWant{
			titles: []string{"Gamma 2", "Beta", "Alpha 2", "Hand"},
			a:      []string{"1003", "1001", "1002"}, aTitle: "Alpha 2", aSymbol: ":star:",
			b: []string{"2002", "2003", "2004"}, bState: "expanded",
			cTitle: "Gamma 2", c: []string{"3003"},
			def: []string{"3001", "3002", "3004"}, above: [2]string{"3002", "3004"},
			gone: []string{"2001"},
		}
	default:
		return faultWant{
			titles: []string{"Gamma 2", "Alpha 2", "Hand"},
			a:      []string{"1003", "1001", "1002"}, aTitle: "Alpha 2", aSymbol: ":star:",
			cTitle: "Gamma 2", c: nil,
			def:  []string{"3001", "3004"},
			gone: []string{"2001", "2002", "2003", "2004", "3002", "3003"},
		}
	}
}

// faultKind is one row of the matrix.
type faultKind struct {
	name  string
	oauth bool
	opts  func(*fakecliq.Options)
	// inject arms the fault before a phase's faulty apply (faults, or the hook state).
	inject func(r *faultRun, phase int)
	// hook runs before every request the fake executes while the run is armed, once per operation
	// and phase (the hook's Times: 1).
	hook func(r *faultRun, e fakecliq.LoggedRequest)
	// hit tells from the request log whether a request received the fault (for hooks: nil, the
	// hook records what it did).
	hit func(e fakecliq.LoggedRequest) bool
	// mustSucceed: the client is expected to ride the fault out; mustFail: to stop with this error.
	mustSucceed bool
	mustFail    *regexp.Regexp
	// afterFailure adjusts the run before the follow-up (e.g. new credentials).
	afterFailure func(r *faultRun)
	// between runs between the converged phase and the next one.
	between func(r *faultRun, phase int)
}

func injectAll(kind fakecliq.FaultKind, status int) func(r *faultRun, phase int) {
	return func(r *faultRun, _ int) {
		for _, op := range faultOps {
			r.fake.InjectFault(fakecliq.Fault{Op: op, Kind: kind, Status: status, Times: 1})
		}
	}
}

func faultKinds() []faultKind {
	status := func(code int) func(e fakecliq.LoggedRequest) bool {
		return func(e fakecliq.LoggedRequest) bool { return e.Status == code }
	}
	throttled := func(e fakecliq.LoggedRequest) bool {
		return e.Status == 429 || e.Code == "request_limit_exceeded"
	}
	dropped := func(e fakecliq.LoggedRequest) bool { return e.Status == 0 }
	htmlPage := func(e fakecliq.LoggedRequest) bool { return e.Code == fakecliq.CodeHTMLPage }
	return []faultKind{
		{name: "HTTP 500", inject: injectAll(fakecliq.FaultStatus, 500), hit: status(500)},
		{name: "HTTP 503", inject: injectAll(fakecliq.FaultStatus, 503), hit: status(503)},
		{name: "drop before commit", inject: injectAll(fakecliq.FaultDropBefore, 0), hit: dropped},
		{name: "drop after commit", inject: injectAll(fakecliq.FaultDropAfter, 0), hit: dropped},
		// A proxy's HTML page (HTTP 200) instead of the answer, before or after the request took effect:
		// writes are settled by reading, reads are sent once more, so the apply succeeds.
		{name: "HTML page before commit", inject: injectAll(fakecliq.FaultHTMLBefore, 0), hit: htmlPage, mustSucceed: true},
		{name: "HTML page after commit", inject: injectAll(fakecliq.FaultHTMLAfter, 0), hit: htmlPage, mustSucceed: true},
		{name: "throttle 429", inject: injectAll(fakecliq.FaultThrottle, 0), hit: throttled, mustSucceed: true},
		{name: "throttle 400 request_limit_exceeded", opts: func(o *fakecliq.Options) { o.ThrottleStyle = "400" },
			inject: injectAll(fakecliq.FaultThrottle, 0), hit: throttled, mustSucceed: true},
		{name: "client_not_synced (concurrent edit)", hook: (*faultRun).concurrentEdit},
		{name: "access token expires", oauth: true, mustSucceed: true,
			// Every hook forces a refresh that a real run (one-hour tokens) would not need: lift the
			// token endpoint's limit of ten refreshes per ten minutes for this row.
			opts: func(o *fakecliq.Options) { o.Thresholds = map[fakecliq.Op]int{fakecliq.OpToken: 1000} },
			// Tokens expire at each write operation in turn, never twice within one request's
			// life: the client refreshes once per request (Zoho allows about ten refreshes in ten
			// minutes), so an expiry while a request retries with its fresh token is a second,
			// separate fault that a one-hour token never produces.
			hook: func(r *faultRun, e fakecliq.LoggedRequest) {
				r.mu.Lock()
				tooSoon := time.Since(r.lastExpiry) < 150*time.Millisecond
				if tooSoon {
					delete(r.fired, e.Op) // let a later request of this operation take the expiry
				} else {
					r.lastExpiry = time.Now()
				}
				r.mu.Unlock()
				if tooSoon {
					return
				}
				r.fake.ExpireAccessTokens()
				r.record(e.Op)
			},
		},
		{name: "refresh token revoked", oauth: true,
			inject: func(r *faultRun, phase int) { r.armedOnce = phase == 2 },
			// Revoked as cliq_chat_pin.p4 moves to My Pins: its pin there goes through, everything
			// after it fails, taking p4 out of folder c among them.
			hook: func(r *faultRun, e fakecliq.LoggedRequest) {
				if e.Op != fakecliq.OpPinChat || requestFolder(e) != fakecliq.DefaultFolderID || !r.takeOnce() {
					r.mu.Lock()
					delete(r.fired, e.Op)
					r.mu.Unlock()
					return
				}
				r.fake.ExpireAccessTokens()
				r.fake.RevokeRefreshToken()
				r.record(e.Op)
			},
			mustFail: regexp.MustCompile(`(?s)invalid_code.*(revoked|mint\s+a\s+new\s+refresh\s+token)`),
			// The user mints new credentials: here, the fake's static token.
			afterFailure: func(r *faultRun) { r.oauth = false },
		},
		{name: "folder deleted out of band", hook: (*faultRun).deleteFolderC,
			inject:  func(r *faultRun, phase int) { r.armedOnce = phase == 2 },
			between: (*faultRun).deleteFolderCBetweenRuns,
		},
	}
}

// faultRun is one row: a fake account, a terraform working directory and what happened.
type faultRun struct {
	t     *testing.T
	kind  faultKind
	fake  *fakecliq.Server
	url   string
	cli   *cliRun
	oauth bool

	mu         sync.Mutex
	armed      bool
	armedOnce  bool // for hooks that fire once per phase in all
	lastExpiry time.Time
	fired      map[fakecliq.Op]bool
	hookHits   map[fakecliq.Op]bool
	hand       map[string][]string // "default" / "c" -> chats pinned there by hand
	nextHand   int

	// results
	hits      map[int]map[fakecliq.Op]int // phase -> op -> requests that received the fault
	outcome   map[int]string              // phase -> "ok" / "failed"
	converged map[int]bool
	notes     []string
	extraThr  int // throttled answers beyond the injected ones
	unauth    int // 401 answers
}

const faultOAuthID, faultOAuthSecret, faultOAuthRefresh = "1000.FAULTSUITE", "fault-suite-secret", "1000.fault-suite-refresh"

func newFaultRun(t *testing.T, kind faultKind) *faultRun {
	opts := fakecliq.Options{
		RateWindow:  time.Minute / accScale,
		LockPeriod:  5 * time.Minute / accScale,
		OpenAPISpec: fakecliq.FindOpenAPISpec(),
	}
	if kind.oauth {
		opts.ClientID, opts.ClientSecret, opts.RefreshToken = faultOAuthID, faultOAuthSecret, faultOAuthRefresh
	}
	if kind.opts != nil {
		kind.opts(&opts)
	}
	fake, srv := fakecliq.NewTestServer(t, opts)
	t.Cleanup(func() {
		if v := fake.ContractViolations(); len(v) > 0 {
			t.Errorf("requests or answers broke the vendor's OpenAPI document:\n%v", v)
		}
	})
	r := &faultRun{
		t: t, kind: kind, fake: fake, url: srv.URL, oauth: kind.oauth,
		fired: map[fakecliq.Op]bool{}, hookHits: map[fakecliq.Op]bool{}, hand: map[string][]string{},
		nextHand: 9500, hits: map[int]map[fakecliq.Op]int{}, outcome: map[int]string{}, converged: map[int]bool{},
	}
	r.cli = newCLIRun(t, map[string]string{"CLIQ_TIME_SCALE": fmt.Sprint(accScale)})
	if kind.hook != nil {
		fake.BeforeExecute("", func(e fakecliq.LoggedRequest) {
			if !isWriteOp(e.Op) {
				return
			}
			r.mu.Lock()
			go1 := r.armed && !r.fired[e.Op]
			if go1 {
				r.fired[e.Op] = true
			}
			r.mu.Unlock()
			if go1 {
				kind.hook(r, e)
			}
		})
	}
	return r
}

// cliRequiredProviders makes the configuration use the provider that dev_overrides points at.
const cliRequiredProviders = "terraform {\n  required_providers {\n    cliq = { source = \"cliq-tf/cliq\" }\n  }\n}\n"

func (r *faultRun) provider() string {
	return cliRequiredProviders + r.providerBlock()
}

func (r *faultRun) providerBlock() string {
	if r.oauth {
		return fmt.Sprintf("provider \"cliq\" {\n  api_url       = %q\n  client_id     = %q\n  client_secret = %q\n  refresh_token = %q\n}\n",
			r.url, faultOAuthID, faultOAuthSecret, faultOAuthRefresh)
	}
	return fmt.Sprintf("provider \"cliq\" {\n  api_url      = %q\n  access_token = %q\n}\n", r.url, r.fake.AccessToken())
}

func (r *faultRun) record(op fakecliq.Op) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hookHits[op] = true
}

func (r *faultRun) takeOnce() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.armedOnce {
		return false
	}
	r.armedOnce = false
	return true
}

func (r *faultRun) addHand(role, chat string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.hand[role], chat) {
		r.hand[role] = append(r.hand[role], chat)
	}
}

func (r *faultRun) handChat() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextHand++
	return fmt.Sprint(r.nextHand)
}

// folderC finds folder c (titled "Gamma ...") on the server.
func (r *faultRun) folderC() (fakecliq.Folder, bool) {
	for _, f := range r.fake.Folders()[1:] {
		if strings.HasPrefix(f.Title, "Gamma") {
			return f, true
		}
	}
	return fakecliq.Folder{}, false
}

// requestFolder is the folder a request is about: the path's category id, a pin's category_id
// (My Pins when none), or "".
func requestFolder(e fakecliq.LoggedRequest) string {
	if id, ok := strings.CutPrefix(e.Path, fakecliq.APIPrefix+"/pin-categories/"); ok {
		return id
	}
	if e.Op == fakecliq.OpPinChat {
		var body struct {
			CategoryID string `json:"category_id"`
		}
		_ = json.Unmarshal([]byte(e.Body), &body)
		if body.CategoryID == "" {
			return fakecliq.DefaultFolderID
		}
		return body.CategoryID
	}
	return ""
}

// concurrentEdit is another client changing the account just before the request executes. For the
// operations that carry a last_sync_time (reorder chat, reorder folder, replace chats) it changes
// what the request is about after the client's last sync, so the server answers client_not_synced;
// for the others (which carry none) it makes a concurrent change that must not be lost. Where the
// folder is one whose chats Terraform does not own (My Pins, folder c), the change is a chat pinned
// by hand, which must survive.
func (r *faultRun) concurrentEdit(e fakecliq.LoggedRequest) {
	id := requestFolder(e)
	switch e.Op {
	case fakecliq.OpReorderChat, fakecliq.OpReorderFolder, fakecliq.OpReplaceChats:
		// The client's last_sync_time is at most a second past its latest answer: change the folder
		// later than that.
		time.Sleep(1100 * time.Millisecond)
	}
	role := ""
	c, hasC := r.folderC()
	switch {
	case id == "":
		// Create, bulk unpin, unpin: not about one folder. Another client pins a chat into My Pins
		// meanwhile (and, against a create, adds to the folder order).
		role, id = "default", fakecliq.DefaultFolderID
		if e.Op == fakecliq.OpCreateFolder {
			r.fake.TouchFolderOrderOOB()
		}
	case id == fakecliq.DefaultFolderID:
		role = "default"
	case hasC && id == c.ID:
		role = "c"
	}
	if e.Op == fakecliq.OpReorderFolder || e.Op == fakecliq.OpDeleteFolder {
		r.fake.TouchFolderOrderOOB()
	}
	r.fake.TouchFolderOOB(id)
	if role != "" {
		chat := r.handChat()
		if err := r.fake.PinChatOOB(chat, id); err == nil {
			r.addHand(role, chat)
		}
	}
	r.record(e.Op)
}

// deleteFolderC deletes folder c by hand just before Terraform's first write to it in the phase.
func (r *faultRun) deleteFolderC(e fakecliq.LoggedRequest) {
	c, ok := r.folderC()
	if !ok || requestFolder(e) != c.ID || !r.takeOnce() {
		r.mu.Lock()
		delete(r.fired, e.Op) // not this one: let the hook see the next request to this op
		r.mu.Unlock()
		return
	}
	r.removeC(c)
	r.record(e.Op)
}

func (r *faultRun) removeC(c fakecliq.Folder) {
	def, _ := r.fake.Folder(fakecliq.DefaultFolderID)
	if err := r.fake.DeleteFolderOOB(c.ID); err != nil {
		r.t.Errorf("deleting folder c by hand: %v", err)
		return
	}
	// Its chats moved to My Pins: those not pinned there already are pins Terraform does not own.
	for _, chat := range c.ChatIDs {
		if !slices.Contains(def.ChatIDs, chat) {
			r.addHand("default", chat)
		}
	}
	r.mu.Lock()
	r.hand["c"] = nil
	r.mu.Unlock()
}

// deleteFolderCBetweenRuns deletes folder c by hand after phase 1: the next plan must create the
// folder and its two pins again.
func (r *faultRun) deleteFolderCBetweenRuns(phase int) {
	if phase != 1 {
		return
	}
	c, ok := r.folderC()
	if !ok {
		r.t.Fatal("folder c is missing")
	}
	r.removeC(c)
	out, code := r.plan()
	if code != 2 {
		r.t.Fatalf("after folder c was deleted by hand, the plan shows no changes (exit %d):\n%s", code, out)
	}
	for _, want := range []string{"cliq_pin_folder.c will be created", "cliq_chat_pin.p3 will be created", "cliq_chat_pin.p4 will be created"} {
		if !strings.Contains(out, want) {
			r.t.Errorf("after folder c was deleted by hand, the plan lacks %q:\n%s", want, out)
		}
	}
	r.apply1("recreate folder c")
	if err := r.checkServer(1); err != nil {
		r.t.Fatalf("after recreating folder c: %v", err)
	}
	if out, code := r.plan(); code != 0 {
		r.t.Fatalf("after recreating folder c, the plan is not empty (exit %d):\n%s", code, out)
	}
	r.notes = append(r.notes, "between runs: folder c deleted by hand; the plan recreated it and both pins")
}

func (r *faultRun) tf(args ...string) (string, int) {
	out, err := r.cli.terraform(nil, append(args, "-no-color")...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &exit):
		return out, exit.ExitCode()
	default:
		r.t.Fatalf("terraform %v: %v\n%s", args, err, out)
		return out, -1
	}
}

func (r *faultRun) plan() (string, int) { return r.tf("plan", "-detailed-exitcode") }

func (r *faultRun) apply1(what string) {
	if out, code := r.tf("apply", "-auto-approve"); code != 0 {
		r.t.Fatalf("%s: apply failed:\n%s", what, out)
	}
}

// handPins adds the pins made by hand that every later phase must keep: chat 3002, which Terraform
// pins in My Pins, pinned by hand into folder c too (Terraform removes it from My Pins in phase 3
// and must leave it in c), and two chats Terraform knows nothing of.
func (r *faultRun) handPins() {
	c, ok := r.folderC()
	if !ok {
		r.t.Fatal("folder c is missing")
	}
	for _, p := range []struct{ chat, folder, role string }{{"3002", c.ID, "c"}, {"9001", c.ID, "c"}, {"9002", fakecliq.DefaultFolderID, "default"}} {
		must(r.t, r.fake.PinChatOOB(p.chat, p.folder))
		r.addHand(p.role, p.chat)
	}
}

// checkServer compares the server with what phase declares plus the pins made by hand.
func (r *faultRun) checkServer(phase int) error {
	w := faultWantFor(phase)
	folders := r.fake.Folders()
	var problems []string
	var titles []string
	byTitle := map[string]fakecliq.Folder{}
	for _, f := range folders[1:] {
		titles = append(titles, f.Title)
		byTitle[f.Title] = f
	}
	if !slices.Equal(titles, w.titles) {
		problems = append(problems, fmt.Sprintf("folders (in order) are %q, want %q", titles, w.titles))
	}
	r.mu.Lock()
	handC, handDef := slices.Clone(r.hand["c"]), slices.Clone(r.hand["default"])
	r.mu.Unlock()
	exact := func(title string, want []string) {
		if f, ok := byTitle[title]; ok && !slices.Equal(f.ChatIDs, want) {
			problems = append(problems, fmt.Sprintf("folder %q holds %v, want %v", title, f.ChatIDs, want))
		}
	}
	set := func(name string, got, want []string) {
		g, wnt := slices.Clone(got), union(want)
		slices.Sort(g)
		if !slices.Equal(g, wnt) {
			problems = append(problems, fmt.Sprintf("%s holds %v, want %v (declared pins and pins made by hand)", name, got, wnt))
		}
	}
	if a, ok := byTitle[w.aTitle]; ok {
		exact(w.aTitle, w.a)
		if a.Symbol != w.aSymbol || a.State != "expanded" {
			problems = append(problems, fmt.Sprintf("folder %q has symbol %q, state %q", w.aTitle, a.Symbol, a.State))
		}
	}
	if w.b != nil {
		if b, ok := byTitle["Beta"]; ok {
			exact("Beta", w.b)
			if b.State != w.bState || b.Symbol != ":smile:" {
				problems = append(problems, fmt.Sprintf("folder Beta has symbol %q, state %q", b.Symbol, b.State))
			}
		}
	}
	if c, ok := byTitle[w.cTitle]; ok {
		set("folder "+w.cTitle, c.ChatIDs, append(slices.Clone(w.c), handC...))
		if c.Symbol != "" || c.State != "expanded" {
			problems = append(problems, fmt.Sprintf("folder %q has symbol %q, state %q", w.cTitle, c.Symbol, c.State))
		}
	}
	exact("Hand", []string{"9003"})
	def := folders[0]
	set("My Pins", def.ChatIDs, append(slices.Clone(w.def), handDef...))
	if w.above[0] != "" {
		if i := slices.Index(def.ChatIDs, w.above[0]); i < 0 || i+1 >= len(def.ChatIDs) || def.ChatIDs[i+1] != w.above[1] {
			problems = append(problems, fmt.Sprintf("My Pins holds %v: %s should sit directly above %s", def.ChatIDs, w.above[0], w.above[1]))
		}
	}
	for _, chat := range w.gone {
		if slices.Contains(handC, chat) || slices.Contains(handDef, chat) {
			continue
		}
		for _, f := range folders {
			if slices.Contains(f.ChatIDs, chat) {
				problems = append(problems, fmt.Sprintf("chat %s, which Terraform removed, is still pinned in %q", chat, f.ID))
			}
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, v := range l {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	slices.Sort(out)
	return out
}

// stateFolderIDs lists the ids of the cliq_pin_folder instances in the working directory's state.
func (r *faultRun) stateFolderIDs() map[string]bool {
	ids := map[string]bool{}
	data, err := os.ReadFile(filepath.Join(r.cli.dir, "terraform.tfstate"))
	if err != nil {
		return ids
	}
	var st struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(data, &st); err != nil {
		r.t.Fatalf("reading the state: %v", err)
	}
	for _, res := range st.Resources {
		if res.Type != "cliq_pin_folder" {
			continue
		}
		for _, in := range res.Instances {
			if id, ok := in.Attributes["id"].(string); ok && id != "" {
				ids[id] = true
			}
		}
	}
	return ids
}

var crashRegexp = regexp.MustCompile(`(?i)panic:|plugin did not respond|provider produced inconsistent|unexpected eof|rpc error`)

// clearError reports whether a failed apply explains itself: an Error diagnostic saying what
// failed and what to do, and no crash or provider bug report.
func clearError(out string) bool {
	if !strings.Contains(out, "Error: ") || crashRegexp.MatchString(out) {
		return false
	}
	return regexp.MustCompile(`(?i)(retry|run\s+terraform\s+apply\s+again|apply\s+again|mint\s+a\s+new|check\s+)`).MatchString(out)
}

// runPhase applies phase with the fault armed, then checks and converges as the suite promises.
func (r *faultRun) runPhase(phase int) {
	t := r.t
	r.cli.writeConfig(r.provider() + faultPhaseConfig(phase))
	logStart := len(r.fake.RequestLog())
	r.mu.Lock()
	r.fired = map[fakecliq.Op]bool{}
	r.hookHits = map[fakecliq.Op]bool{}
	r.mu.Unlock()
	if r.kind.inject != nil {
		r.kind.inject(r, phase)
	}
	r.mu.Lock()
	r.armed = true
	r.mu.Unlock()

	out, code := r.tf("apply", "-auto-approve")

	r.mu.Lock()
	r.armed, r.armedOnce = false, false
	hookHits := r.hookHits
	r.mu.Unlock()
	r.fake.ClearFaults()
	log := r.fake.RequestLog()[logStart:]
	r.recordHits(phase, log, hookHits)
	if os.Getenv("CLIQ_FAULT_DEBUG") != "" {
		var lines []string
		for _, e := range log {
			lines = append(lines, fmt.Sprintf("%s %-14s %-6s %-40s %d %s %.80s", e.Time.Format("05.000"), e.Op, e.Method, e.Path, e.Status, e.Code, e.Body))
		}
		t.Logf("phase %d request log:\n%s", phase, strings.Join(lines, "\n"))
	}
	if crashRegexp.MatchString(out) {
		t.Errorf("phase %d: the faulty apply shows a crash or a provider bug:\n%s", phase, out)
	}

	if code == 0 {
		r.outcome[phase] = "ok"
		if r.kind.mustFail != nil && len(hookHits) > 0 {
			t.Errorf("phase %d: the apply succeeded, want an error matching %s:\n%s", phase, r.kind.mustFail, out)
		}
		// Success means done: the server already holds the declared state, and nothing is left.
		if err := r.checkServer(phase); err != nil {
			t.Errorf("phase %d: the faulty apply reported success, but the server differs: %v\n%s", phase, err, out)
		}
	} else {
		r.outcome[phase] = "failed"
		if r.kind.mustSucceed {
			t.Errorf("phase %d: the client should have ridden out %s, but the apply failed:\n%s", phase, r.kind.name, out)
		}
		if r.kind.mustFail != nil && !r.kind.mustFail.MatchString(out) {
			t.Errorf("phase %d: want an error matching %s:\n%s", phase, r.kind.mustFail, out)
		} else if !clearError(out) {
			t.Errorf("phase %d: the failed apply does not explain itself:\n%s", phase, out)
		}
		if r.kind.afterFailure != nil {
			r.kind.afterFailure(r)
			r.cli.writeConfig(r.provider() + faultPhaseConfig(phase))
		}
		// No folder the state does not know about: the next apply would create it a second time.
		inState := r.stateFolderIDs()
		for _, f := range r.fake.Folders()[1:] {
			if f.Title != "Hand" && !inState[f.ID] {
				t.Errorf("phase %d: folder %s (%q) exists on the server but not in the state: the next apply would duplicate it", phase, f.ID, f.Title)
			}
		}
		// Nothing half-applied silently: what is missing shows in the plan.
		if r.checkServer(phase) != nil {
			if pout, pcode := r.plan(); pcode != 2 {
				t.Errorf("phase %d: the apply failed half-way, yet the plan shows no remaining change (exit %d):\n%s", phase, pcode, pout)
			}
		}
		if out, code := r.tf("apply", "-auto-approve"); code != 0 {
			t.Fatalf("phase %d: the follow-up apply without the fault failed:\n%s", phase, out)
		}
		if err := r.checkServer(phase); err != nil {
			t.Errorf("phase %d: after the follow-up apply: %v", phase, err)
		}
	}
	if pout, pcode := r.plan(); pcode != 0 {
		t.Errorf("phase %d: the plan after convergence is not empty (exit %d):\n%s", phase, pcode, pout)
	} else if !t.Failed() {
		r.converged[phase] = true
	}
}

// recordHits reads from the request log which operations received the fault in a phase.
func (r *faultRun) recordHits(phase int, log []fakecliq.LoggedRequest, hookHits map[fakecliq.Op]bool) {
	hits := map[fakecliq.Op]int{}
	if r.kind.hit != nil {
		for _, e := range log {
			if e.Op != fakecliq.OpToken && r.kind.hit(e) {
				hits[e.Op]++
			}
		}
	}
	for op := range hookHits {
		hits[op]++
	}
	for _, e := range log {
		switch {
		case e.Status == 401:
			r.unauth++
		case e.Op != fakecliq.OpToken && (e.Status == 429 || e.Code == "request_limit_exceeded") && !strings.HasPrefix(r.kind.name, "throttle"):
			r.extraThr++
		}
	}
	if strings.HasPrefix(r.kind.name, "throttle") {
		// Requests already on the wire when the first throttled answer came back are throttled too;
		// a request sent later, into the lock the client knows of, is a pacing failure.
		first := map[fakecliq.Op]time.Time{}
		for _, e := range log {
			if e.Op == fakecliq.OpToken || !r.kind.hit(e) {
				continue
			}
			if t0, ok := first[e.Op]; !ok {
				first[e.Op] = e.Time
			} else if e.Time.Sub(t0) > 250*time.Millisecond {
				r.t.Errorf("phase %d: %s was throttled again %s after its first throttled answer: the client sent a request into the lock",
					phase, e.Op, e.Time.Sub(t0).Round(time.Millisecond))
			}
		}
	}
	r.hits[phase] = hits
}

// TestAccFaults runs the fault matrix. Rows run concurrently (they spend most of their time in
// time-scaled lock periods and in terraform start-up); each has its own fake account.
func TestAccFaults(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI")
	}
	kinds := faultKinds()
	runs := make([]*faultRun, len(kinds))
	started := time.Now()
	sem := make(chan struct{}, 5)
	var wg sync.WaitGroup
	for i, kind := range kinds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			// A subtest without t.Parallel runs in this goroutine, so the semaphore (not -parallel)
			// sets how many rows run at once.
			t.Run(strings.NewReplacer(" ", "_", "(", "", ")", "").Replace(kind.name), func(t *testing.T) {
				begin := time.Now()
				r := newFaultRun(t, kind)
				runs[i] = r
				r.fake.CreateFolderOOB("Hand", "", []string{"9003"})
				for phase := 1; phase <= 3; phase++ {
					r.runPhase(phase)
					if t.Failed() {
						return
					}
					if phase == 1 {
						r.handPins()
					}
					if kind.between != nil {
						kind.between(r, phase)
					}
				}
				notSynced := 0
				for _, e := range r.fake.RequestLog() {
					if e.Code == "client_not_synced" {
						notSynced++
					}
				}
				if notSynced > 0 {
					r.notes = append(r.notes, fmt.Sprintf("%d client_not_synced answers", notSynced))
				}
				if kind.oauth {
					r.notes = append(r.notes, fmt.Sprintf("%d answers 401, %d token refreshes", r.unauth, r.fake.TokenRefreshes()))
				}
				t.Logf("%s: %s, %d requests, %d token refreshes, %d answers 401, %d unexpected throttles",
					kind.name, time.Since(begin).Round(100*time.Millisecond), len(r.fake.RequestLog()), r.fake.TokenRefreshes(), r.unauth, r.extraThr)
				if r.extraThr > 0 {
					t.Errorf("%d requests were throttled beyond the injected faults: the client's pacing failed", r.extraThr)
				}
			})
		}()
	}
	wg.Wait()
	t.Logf("fault matrix (%s):\n%s", time.Since(started).Round(time.Second), faultMatrix(runs))
}

// faultMatrix renders faults × operations: for each phase in which the operation received the fault,
// the phase and the faulty apply's outcome (✓ succeeded, ✗ failed clearly); then whether every
// phase converged to the declared state with an empty plan.
func faultMatrix(runs []*faultRun) string {
	var b strings.Builder
	short := map[fakecliq.Op]string{
		fakecliq.OpCreateFolder: "create", fakecliq.OpModifyFolder: "modify", fakecliq.OpDeleteFolder: "delete",
		fakecliq.OpReorderChat: "reord_chat", fakecliq.OpReorderFolder: "reord_fold", fakecliq.OpReplaceChats: "replace",
		fakecliq.OpPinChat: "pin", fakecliq.OpUnpinChat: "unpin", fakecliq.OpBulkUnpin: "bulk_unpin", fakecliq.OpListFolders: "list",
	}
	fmt.Fprintf(&b, "%-36s", "fault \\ operation")
	for _, op := range faultOps {
		fmt.Fprintf(&b, " %-10s", short[op])
	}
	fmt.Fprintf(&b, " %s\n", "converged")
	for _, r := range runs {
		if r == nil {
			continue
		}
		fmt.Fprintf(&b, "%-36s", r.kind.name)
		for _, op := range faultOps {
			var cell []string
			for phase := 1; phase <= 3; phase++ {
				if r.hits[phase][op] == 0 {
					continue
				}
				mark := "✓"
				if r.outcome[phase] != "ok" {
					mark = "✗"
				}
				cell = append(cell, fmt.Sprintf("%d%s", phase, mark))
			}
			if len(cell) == 0 {
				cell = []string{"-"}
			}
			fmt.Fprintf(&b, " %-10s", strings.Join(cell, ","))
		}
		var conv []string
		for phase := 1; phase <= 3; phase++ {
			if r.converged[phase] {
				conv = append(conv, fmt.Sprint(phase))
			}
		}
		fmt.Fprintf(&b, " %s", strings.Join(conv, ","))
		if len(r.notes) > 0 {
			sort.Strings(r.notes)
			fmt.Fprintf(&b, "  (%s)", strings.Join(r.notes, "; "))
		}
		b.WriteString("\n")
	}
	b.WriteString("cells: phases (1 create, 2 update, 3 remove) in which the operation received the fault, with the faulty apply's outcome: ✓ succeeded, ✗ failed with a clear error; '-' not hit\n")
	return b.String()
}

// TestAccFault_movedPinNotLeftBehind: a cliq_chat_pin moves from a folder to My Pins; the pin into
// My Pins goes through, taking it out of the old folder fails. The old folder must not keep the
// chat once a follow-up apply has run: Terraform pinned it there and no longer declares it.
func TestAccFault_movedPinNotLeftBehind(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	folder := env.Fake.CreateFolderOOB("Team", "", nil)
	pin := func(folderID string) string {
		return env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "p" {
  chat_id   = "3004"
  folder_id = %q
}
`, folderID)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: pin(folder), Check: cpFolderChats(env.Fake, folder, "3004")},
			{
				// Taking the chat out of the folder fails for good (not a fault the client retries).
				PreConfig: func() {
					env.Fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpReplaceChats, Kind: fakecliq.FaultStatus, Status: 400, Code: "operation_failed", Times: 4})
				},
				Config:      pin("default"),
				ExpectError: regexp.MustCompile(`could not take it out of folder`),
			},
			{
				PreConfig: env.Fake.ClearFaults,
				Config:    pin("default"),
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, "default", "3004"),
					cpFolderChats(env.Fake, folder),
				),
			},
		},
	})
}

// TestAccFault_taintedFolderDestroyUnpins: a folder is created, then setting its state fails, so
// Terraform keeps it tainted and replaces it on the next apply. Destroying the tainted folder must
// honour unpin_all_on_destroy = true: its chats must not end up in My Pins.
func TestAccFault_taintedFolderDestroyUnpins(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := env.Provider + `
resource "cliq_pin_folder" "b" {
  title                = "Beta"
  state                = "collapsed"
  chat_ids             = ["2001", "2002"]
  unpin_all_on_destroy = true
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					env.Fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpModifyFolder, Kind: fakecliq.FaultStatus, Status: 400, Code: "operation_failed", Times: 4})
				},
				Config:      config,
				ExpectError: regexp.MustCompile(`Could not set the state of the new chat folder`),
			},
			{
				PreConfig: env.Fake.ClearFaults,
				Config:    config,
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, "default"),
					func(*terraform.State) error {
						if n := len(env.Fake.Folders()); n != 2 {
							return fmt.Errorf("%d folders on the server, want My Pins and Beta", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccUnwritableCacheDirectory is issue 14's locked-down CI container: the user's home (and so
// the cache directory holding the shared budget file) cannot be created. The apply must succeed,
// pacing in process, with one warning in the provider's log that names CLIQ_RATE_STATE_DIR.
func TestAccUnwritableCacheDirectory(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI")
	}
	fake, srv := fakecliq.NewTestServer(t, fakecliq.Options{RateWindow: time.Minute / accScale, LockPeriod: 5 * time.Minute / accScale})
	notADir := filepath.Join(t.TempDir(), "home-is-a-file")
	must(t, os.WriteFile(notADir, []byte("x"), 0o600))
	home := filepath.Join(notADir, "home") // cannot be created, even by root
	logPath := filepath.Join(t.TempDir(), "provider.log")
	cli := newCLIRun(t, map[string]string{
		"CLIQ_TIME_SCALE":     fmt.Sprint(accScale),
		"CLIQ_RATE_STATE_DIR": "", // the default: the user's cache directory
		"HOME":                home,
		"XDG_CACHE_HOME":      "",
		"TF_LOG_PROVIDER":     "WARN",
		"TF_LOG_PATH":         logPath,
	})
	cli.writeConfig(cliRequiredProviders + fmt.Sprintf("provider \"cliq\" {\n  api_url      = %q\n  access_token = %q\n}\n", srv.URL, fake.AccessToken()) + `
resource "cliq_pin_folder" "a" {
  title    = "Alpha"
  chat_ids = ["1001", "1002"]
}
resource "cliq_chat_pin" "p" {
  chat_id = "3001"
}
`)
	out, err := cli.terraform(nil, "apply", "-auto-approve", "-no-color")
	if err != nil {
		t.Fatalf("apply with an unwritable cache directory failed: %v\n%s", err, out)
	}
	if f := fake.Folders(); len(f) != 2 || f[1].Title != "Alpha" || !slices.Equal(f[0].ChatIDs, []string{"3001"}) {
		t.Fatalf("server holds %+v", f)
	}
	logData, err := os.ReadFile(logPath)
	must(t, err)
	var warns []string
	for _, line := range strings.Split(string(logData), "\n") {
		if strings.Contains(line, "rate-limit state file") {
			warns = append(warns, line)
		}
	}
	if len(warns) != 1 {
		t.Fatalf("%d log lines about the rate-limit state file, want 1:\n%s", len(warns), logData)
	}
	for _, want := range []string{"[WARN]", home, "CLIQ_RATE_STATE_DIR", "not a directory"} {
		if !strings.Contains(warns[0], want) {
			t.Errorf("the warning lacks %q: %s", want, warns[0])
		}
	}
}
