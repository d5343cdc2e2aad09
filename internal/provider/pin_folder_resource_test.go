package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// pinFolderErrorRegexp matches the messages literally and in this order, whatever line breaks
// Terraform puts between their words.
func pinFolderErrorRegexp(msgs ...string) *regexp.Regexp {
	parts := make([]string, len(msgs))
	for i, msg := range msgs {
		words := strings.Fields(msg)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(strings.Join(parts, `[\s\S]*`))
}

// pinFolderHCLList renders ids as an HCL list of strings.
func pinFolderHCLList(ids ...string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// testAccPinFolderID reads a resource's id from the state into *id, for later steps' PreConfig.
func testAccPinFolderID(addr string, id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", addr)
		}
		*id = rs.Primary.ID
		return nil
	}
}

// testAccPinFolderOnServer checks what the fake holds for the folder behind addr.
func testAccPinFolderOnServer(env *accEnv, addr, title, symbol, state string, chatIDs ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in the state", addr)
		}
		f, ok := env.Fake.Folder(rs.Primary.ID)
		if !ok {
			return fmt.Errorf("folder %s of %s does not exist on the server", rs.Primary.ID, addr)
		}
		if f.Title != title || f.Symbol != symbol || f.State != state {
			return fmt.Errorf("server folder %s: title %q symbol %q state %q, want %q %q %q", f.ID, f.Title, f.Symbol, f.State, title, symbol, state)
		}
		if chatIDs == nil {
			chatIDs = []string{}
		}
		got := f.ChatIDs
		if got == nil {
			got = []string{}
		}
		if !slices.Equal(got, chatIDs) {
			return fmt.Errorf("server folder %s holds chats %v, want %v", f.ID, got, chatIDs)
		}
		return nil
	}
}

// pinFolderSucceeded counts the requests of op the fake carried out (2xx): a write refused with
// client_not_synced, when a change outside Terraform fell in the same second as the read, and
// retried, counts once.
func pinFolderSucceeded(env *accEnv, op fakecliq.Op) int {
	n := 0
	for _, r := range env.Fake.RequestLog() {
		if r.Op == op && r.Status >= 200 && r.Status < 300 {
			n++
		}
	}
	return n
}

// testAccPinFolderRequests checks how many requests of op the fake carried out since *before.
func testAccPinFolderRequests(env *accEnv, op fakecliq.Op, before *int, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := pinFolderSucceeded(env, op) - *before; got != want {
			return fmt.Errorf("%s requests carried out: got %d, want %d", op, got, want)
		}
		return nil
	}
}

// testAccPinFolderWriteOrder checks that, among the requests since log entry *mark on the folder
// behind addr, every request of op first comes before any of op then.
func testAccPinFolderWriteOrder(env *accEnv, addr string, mark *int, first, then fakecliq.Op) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := s.RootModule().Resources[addr].Primary.ID
		var ops []fakecliq.Op
		for _, r := range env.Fake.RequestLog()[*mark:] {
			if strings.HasSuffix(r.Path, "/pin-categories/"+id) && (r.Op == first || r.Op == then) {
				ops = append(ops, r.Op)
			}
		}
		if !slices.Contains(ops, first) || !slices.Contains(ops, then) {
			return fmt.Errorf("requests on %s: %v, want both %s and %s", addr, ops, first, then)
		}
		lastFirst := -1
		for i, op := range ops {
			if op == first {
				lastFirst = i
			}
		}
		if slices.Index(ops, then) < lastFirst {
			return fmt.Errorf("requests on %s in the order %v, want %s before %s", addr, ops, first, then)
		}
		return nil
	}
}

// pinFolderListCountCheck is a plan check that the fake answered exactly want list_folders
// requests since *before: the shared read serves every resource of a plan.
type pinFolderListCountCheck struct {
	env    *accEnv
	before *int
	want   int
}

func (c pinFolderListCountCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if got := c.env.Fake.RequestCount(fakecliq.OpListFolders) - *c.before; got != c.want {
		resp.Error = fmt.Errorf("list_folders requests during the plan: got %d, want %d", got, c.want)
	}
}

// testAccPinFolderDestroyed checks that no user folder is left on the server.
func testAccPinFolderDestroyed(env *accEnv, keep ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, f := range env.Fake.Folders() {
			if f.ID != fakecliq.DefaultFolderID && !slices.Contains(keep, f.ID) {
				return fmt.Errorf("folder %s (%q) still exists on the server", f.ID, f.Title)
			}
		}
		return nil
	}
}

func pinFolderChatValue(id, typ, name string, participants int64) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"chat_id":           knownvalue.StringExact(id),
		"chat_type":         knownvalue.StringExact(typ),
		"name":              knownvalue.StringExact(name),
		"participant_count": knownvalue.Int64Exact(participants),
	})
}

func pinFolderStringList(ids ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		checks[i] = knownvalue.StringExact(id)
	}
	return knownvalue.ListExact(checks)
}

// TestAccPinFolder_lifecycle: create with chats, update every attribute, reorder the chats, import,
// plan with no diff, destroy (chats moved to My Pins, or unpinned with unpin_all_on_destroy).
func TestAccPinFolder_lifecycle(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	chats := []fakecliq.Chat{
		{ChatID: "CT_2243173626687865223_P87610291-C4", ChatType: "channel", Name: "Releases", ParticipantCount: 42},
		{ChatID: "CT_1847392056173920481_748291635", ChatType: "direct_message", Name: "Ada", ParticipantCount: 2},
		{ChatID: "CT_1847392056173920481_55622663-B2", ChatType: "bot", Name: "Deploy bot", ParticipantCount: 1},
		{ChatID: "CT_1847392056173920481_748291702", ChatType: "group_chat", Name: "On-call", ParticipantCount: 5},
		{ChatID: "CT_2243173626687865223_P87610377-C4", ChatType: "channel", Name: "Random", ParticipantCount: 99},
		{ChatID: "CT_1207124526552602256_60002085329-T-1291567019566818579", ChatType: "thread", Name: "Announcements thread", ParticipantCount: 120},
	}
	for _, c := range chats {
		env.Fake.AddChat(c)
	}
	config := func(a, b string) string {
		return env.Provider + a + b
	}
	a1 := `
resource "cliq_pin_folder" "a" {
  title                = "Team"
  symbol               = ":razz:"
  chat_ids             = ["CT_2243173626687865223_P87610291-C4", "CT_1847392056173920481_748291635", "CT_1847392056173920481_55622663-B2"]
  unpin_all_on_destroy = true
}
`
	b1 := `
resource "cliq_pin_folder" "b" {
  title    = "Noise"
  state    = "collapsed"
  chat_ids = ["CT_2243173626687865223_P87610377-C4", "CT_1207124526552602256_60002085329-T-1291567019566818579"]
}
`
	a2 := `
resource "cliq_pin_folder" "a" {
  title                = "Team (renamed)"
  symbol               = ":smile:"
  state                = "collapsed"
  chat_ids             = ["CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291702", "CT_2243173626687865223_P87610291-C4"]
  unpin_all_on_destroy = false

  timeouts {
    create = "7m"
    update = "8m"
    delete = "9m"
  }
}
`
	b2 := `
resource "cliq_pin_folder" "b" {
  title                = "Noise"
  symbol               = ""
  state                = "expanded"
  chat_ids             = ["CT_2243173626687865223_P87610377-C4", "CT_1207124526552602256_60002085329-T-1291567019566818579"]
  unpin_all_on_destroy = true
}
`
	// Step 3 reorders a's chats: Releases moves from last to first, one reorder_chat.
	a3 := strings.Replace(a2, `["CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291702", "CT_2243173626687865223_P87610291-C4"]`, `["CT_2243173626687865223_P87610291-C4", "CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291702"]`, 1)

	var reorders, replaces, modifies, lists, mark int
	var before = map[fakecliq.Op]int{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			if err := testAccPinFolderDestroyed(env)(nil); err != nil {
				return err
			}
			def, _ := env.Fake.Folder(fakecliq.DefaultFolderID)
			moved, want := slices.Clone(def.ChatIDs), []string{"CT_2243173626687865223_P87610291-C4", "CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291702"}
			slices.Sort(moved)
			slices.Sort(want)
			if !slices.Equal(moved, want) {
				return fmt.Errorf("My Pins holds %v after destroy, want a's chats %v (b's chats unpinned)", def.ChatIDs, want)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					for _, op := range fakecliq.AllOps() {
						before[op] = pinFolderSucceeded(env, op)
					}
				},
				Config: config(a1, b1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9]+$`))),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("title"), knownvalue.StringExact("Team")),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("symbol"), knownvalue.StringExact(":razz:")),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("state"), knownvalue.StringExact("expanded")),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("chat_ids"), pinFolderStringList("CT_2243173626687865223_P87610291-C4", "CT_1847392056173920481_748291635", "CT_1847392056173920481_55622663-B2")),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("unpin_all_on_destroy"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("chats"), knownvalue.ListExact([]knownvalue.Check{
						pinFolderChatValue("CT_2243173626687865223_P87610291-C4", "channel", "Releases", 42),
						pinFolderChatValue("CT_1847392056173920481_748291635", "direct_message", "Ada", 2),
						pinFolderChatValue("CT_1847392056173920481_55622663-B2", "bot", "Deploy bot", 1),
					})),
					statecheck.ExpectKnownValue("cliq_pin_folder.b", tfjsonpath.New("symbol"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue("cliq_pin_folder.b", tfjsonpath.New("state"), knownvalue.StringExact("collapsed")),
					statecheck.ExpectKnownValue("cliq_pin_folder.b", tfjsonpath.New("unpin_all_on_destroy"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPinFolderOnServer(env, "cliq_pin_folder.a", "Team", ":razz:", "expanded", "CT_2243173626687865223_P87610291-C4", "CT_1847392056173920481_748291635", "CT_1847392056173920481_55622663-B2"),
					testAccPinFolderOnServer(env, "cliq_pin_folder.b", "Noise", "", "collapsed", "CT_2243173626687865223_P87610377-C4", "CT_1207124526552602256_60002085329-T-1291567019566818579"),
					// One create per folder carries its chats; b's state takes one modify.
					func(*terraform.State) error {
						for op, want := range map[fakecliq.Op]int{fakecliq.OpCreateFolder: 2, fakecliq.OpModifyFolder: 1,
							fakecliq.OpReplaceChats: 0, fakecliq.OpPinChat: 0, fakecliq.OpReorderChat: 0} {
							if got := pinFolderSucceeded(env, op) - before[op]; got != want {
								return fmt.Errorf("%s requests carried out: %d, want %d", op, got, want)
							}
						}
						return nil
					},
				),
			},
			{
				// Every attribute changes. a's chats (operation 8) and its title/symbol/state
				// (operation 4) go in separate requests, one of each; b only changes its state.
				PreConfig: func() {
					replaces = pinFolderSucceeded(env, fakecliq.OpReplaceChats)
					modifies = pinFolderSucceeded(env, fakecliq.OpModifyFolder)
					mark = len(env.Fake.RequestLog())
				},
				Config: config(a2, b2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("cliq_pin_folder.a", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("cliq_pin_folder.b", plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue("cliq_pin_folder.a", tfjsonpath.New("chats")),
						plancheck.ExpectKnownValue("cliq_pin_folder.b", tfjsonpath.New("chats"), knownvalue.ListSizeExact(2)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("title"), knownvalue.StringExact("Team (renamed)")),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("state"), knownvalue.StringExact("collapsed")),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("chat_ids"), pinFolderStringList("CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291702", "CT_2243173626687865223_P87610291-C4")),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("unpin_all_on_destroy"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("chats"), knownvalue.ListExact([]knownvalue.Check{
						pinFolderChatValue("CT_1847392056173920481_55622663-B2", "bot", "Deploy bot", 1),
						pinFolderChatValue("CT_1847392056173920481_748291702", "group_chat", "On-call", 5),
						pinFolderChatValue("CT_2243173626687865223_P87610291-C4", "channel", "Releases", 42),
					})),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("timeouts").AtMapKey("update"), knownvalue.StringExact("8m")),
					statecheck.ExpectKnownValue("cliq_pin_folder.b", tfjsonpath.New("unpin_all_on_destroy"), knownvalue.Bool(true)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPinFolderOnServer(env, "cliq_pin_folder.a", "Team (renamed)", ":smile:", "collapsed", "CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291702", "CT_2243173626687865223_P87610291-C4"),
					testAccPinFolderOnServer(env, "cliq_pin_folder.b", "Noise", "", "expanded", "CT_2243173626687865223_P87610377-C4", "CT_1207124526552602256_60002085329-T-1291567019566818579"),
					testAccPinFolderRequests(env, fakecliq.OpReplaceChats, &replaces, 1),
					testAccPinFolderRequests(env, fakecliq.OpModifyFolder, &modifies, 2), // a and b
					testAccPinFolderWriteOrder(env, "cliq_pin_folder.a", &mark, fakecliq.OpReplaceChats, fakecliq.OpModifyFolder),
				),
			},
			{
				PreConfig: func() {
					reorders = pinFolderSucceeded(env, fakecliq.OpReorderChat)
					replaces = pinFolderSucceeded(env, fakecliq.OpReplaceChats)
				},
				Config: config(a3, b2),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("chat_ids"), pinFolderStringList("CT_2243173626687865223_P87610291-C4", "CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291702")),
					statecheck.ExpectKnownValue("cliq_pin_folder.a", tfjsonpath.New("chats").AtSliceIndex(0).AtMapKey("name"), knownvalue.StringExact("Releases")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPinFolderOnServer(env, "cliq_pin_folder.a", "Team (renamed)", ":smile:", "collapsed", "CT_2243173626687865223_P87610291-C4", "CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291702"),
					testAccPinFolderRequests(env, fakecliq.OpReorderChat, &reorders, 1),
					testAccPinFolderRequests(env, fakecliq.OpReplaceChats, &replaces, 0),
				),
			},
			{
				ResourceName:            "cliq_pin_folder.a",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				ResourceName:      "cliq_pin_folder.b",
				ImportState:       true,
				ImportStateVerify: true,
				// unpin_all_on_destroy is not in Cliq: an import starts from the default.
				ImportStateVerifyIgnore: []string{"unpin_all_on_destroy"},
			},
			{
				// A plan over both folders reads the folder list once.
				PreConfig: func() { lists = env.Fake.RequestCount(fakecliq.OpListFolders) },
				Config:    config(a3, b2),
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPreRefresh:  []plancheck.PlanCheck{pinFolderListCountCheck{env, &lists, 0}},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), pinFolderListCountCheck{env, &lists, 1}},
				},
			},
		},
	})
}

// TestAccPinFolder_unmanagedChats: a folder adopted with an import block and no chat_ids shows no
// diff, keeps showing none when chats are pinned into it outside Terraform, and updates never touch
// its chats.
func TestAccPinFolder_unmanagedChats(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	id := env.Fake.CreateFolderOOB("Adopted", ":smile:", []string{"3001", "3002"})
	folder := func(title string) string {
		return env.Provider + fmt.Sprintf(`
import {
  to = cliq_pin_folder.adopted
  id = %q
}

resource "cliq_pin_folder" "adopted" {
  title  = %q
  symbol = ":smile:"
}
`, id, title)
	}
	var writes int
	chatWrites := func() int {
		return env.Fake.RequestCount(fakecliq.OpReplaceChats) + env.Fake.RequestCount(fakecliq.OpReorderChat) +
			env.Fake.RequestCount(fakecliq.OpPinChat) + env.Fake.RequestCount(fakecliq.OpUnpinChat) + env.Fake.RequestCount(fakecliq.OpBulkUnpin)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(*terraform.State) error {
			if err := testAccPinFolderDestroyed(env)(nil); err != nil {
				return err
			}
			def, _ := env.Fake.Folder(fakecliq.DefaultFolderID)
			// 3004's pin and the folder are destroyed in parallel: it ends in My Pins or nowhere.
			moved := slices.DeleteFunc(slices.Clone(def.ChatIDs), func(id string) bool { return id == "3004" })
			if !slices.Equal(moved, []string{"3001", "3002", "3003"}) {
				return fmt.Errorf("My Pins holds %v after destroy, want the folder's chats 3001, 3002, 3003", def.ChatIDs)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: folder("Adopted"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("cliq_pin_folder.adopted", plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_pin_folder.adopted", tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue("cliq_pin_folder.adopted", tfjsonpath.New("chat_ids"), pinFolderStringList("3001", "3002")),
					statecheck.ExpectKnownValue("cliq_pin_folder.adopted", tfjsonpath.New("chats"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("cliq_pin_folder.adopted", tfjsonpath.New("unpin_all_on_destroy"), knownvalue.Bool(false)),
				},
			},
			{
				// Someone pins a chat into the folder: reported, but no diff.
				PreConfig: func() {
					if err := env.Fake.PinChatOOB("3003", id); err != nil {
						t.Fatal(err)
					}
				},
				Config:   folder("Adopted"),
				PlanOnly: true,
			},
			{
				PreConfig: func() { writes = chatWrites() },
				Config:    folder("Adopted and renamed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("cliq_pin_folder.adopted", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("cliq_pin_folder.adopted", tfjsonpath.New("chat_ids"), pinFolderStringList("3001", "3002", "3003")),
						plancheck.ExpectKnownValue("cliq_pin_folder.adopted", tfjsonpath.New("chats"), knownvalue.ListSizeExact(3)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_pin_folder.adopted", tfjsonpath.New("chat_ids"), pinFolderStringList("3001", "3002", "3003")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPinFolderOnServer(env, "cliq_pin_folder.adopted", "Adopted and renamed", ":smile:", "expanded", "3001", "3002", "3003"),
					func(*terraform.State) error {
						if n := chatWrites() - writes; n != 0 {
							return fmt.Errorf("an update without chat_ids sent %d chat requests, want none", n)
						}
						return nil
					},
				),
			},
			{
				// A cliq_chat_pin pins into the folder while the folder itself is being updated
				// (its modify answers slowly): the update keeps chat_ids as planned, and the new
				// pin shows at the next refresh without a diff.
				PreConfig: func() { env.Fake.SetLatency(fakecliq.OpModifyFolder, 300*time.Millisecond) },
				Config: folder("Adopted, renamed twice") + fmt.Sprintf(`
resource "cliq_chat_pin" "late" {
  chat_id   = "3004"
  folder_id = %q
}
`, id),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPinFolderOnServer(env, "cliq_pin_folder.adopted", "Adopted, renamed twice", ":smile:", "expanded", "3001", "3002", "3003", "3004"),
					func(*terraform.State) error { env.Fake.SetLatency(fakecliq.OpModifyFolder, 0); return nil },
				),
			},
		},
	})
}

// TestAccPinFolder_importErrors: importing My Pins or a folder that does not exist fails with a
// message that says why.
func TestAccPinFolder_importErrors(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := env.Provider + `
resource "cliq_pin_folder" "x" {
  title = "X"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             testAccPinFolderDestroyed(env),
		Steps: []resource.TestStep{
			{
				Config:        config,
				ResourceName:  "cliq_pin_folder.x",
				ImportState:   true,
				ImportStateId: "default",
				ExpectError: pinFolderErrorRegexp(`Cannot import the default folder`,
					`"default" is the built-in My Pins section, not a chat folder`,
					`use cliq_chat_pin resources with folder_id = "default"`),
			},
			{
				Config:        config,
				ResourceName:  "cliq_pin_folder.x",
				ImportState:   true,
				ImportStateId: "4999999999999",
				ExpectError:   pinFolderErrorRegexp(`The Cliq account has no chat folder with id "4999999999999"`),
			},
			{
				Config:        config,
				ResourceName:  "cliq_pin_folder.x",
				ImportState:   true,
				ImportStateId: "My Folder",
				ExpectError:   pinFolderErrorRegexp(`the import id "My Folder" contains whitespace, so it cannot be a chat folder id such as "4000000020001"`),
			},
		},
	})
}

// TestAccPinFolder_outOfBand: changes made outside Terraform show as drift in the next plan, and
// the apply restores the configuration.
func TestAccPinFolder_outOfBand(t *testing.T) {
	cases := []struct {
		name   string
		change func(env *accEnv, id string) error
		action plancheck.ResourceActionType
		check  func(env *accEnv, before map[fakecliq.Op]int) error
	}{
		{
			name: "rename",
			change: func(env *accEnv, id string) error {
				title, symbol, state := "Renamed elsewhere", ":sob:", "collapsed"
				return env.Fake.SetFolderOOB(id, &title, &symbol, &state)
			},
			action: plancheck.ResourceActionUpdate,
			check: func(env *accEnv, before map[fakecliq.Op]int) error {
				if n := pinFolderSucceeded(env, fakecliq.OpModifyFolder) - before[fakecliq.OpModifyFolder]; n != 1 {
					return fmt.Errorf("modify_folder requests: %d, want 1", n)
				}
				return nil
			},
		},
		{
			name:   "delete",
			change: func(env *accEnv, id string) error { return env.Fake.DeleteFolderOOB(id) },
			action: plancheck.ResourceActionCreate,
			check: func(env *accEnv, before map[fakecliq.Op]int) error {
				if n := pinFolderSucceeded(env, fakecliq.OpCreateFolder) - before[fakecliq.OpCreateFolder]; n != 1 {
					return fmt.Errorf("create_folder requests: %d, want 1", n)
				}
				return nil
			},
		},
		{
			name:   "chats",
			change: func(env *accEnv, id string) error { return env.Fake.SetFolderChatsOOB(id, []string{"4001", "4009"}) },
			action: plancheck.ResourceActionUpdate,
			check: func(env *accEnv, before map[fakecliq.Op]int) error {
				if n := pinFolderSucceeded(env, fakecliq.OpReplaceChats) - before[fakecliq.OpReplaceChats]; n != 1 {
					return fmt.Errorf("replace_chats requests: %d, want 1", n)
				}
				return nil
			},
		},
		{
			name: "reorder",
			change: func(env *accEnv, id string) error {
				return env.Fake.SetFolderChatsOOB(id, []string{"4003", "4001", "4002"})
			},
			action: plancheck.ResourceActionUpdate,
			check: func(env *accEnv, before map[fakecliq.Op]int) error {
				if n := pinFolderSucceeded(env, fakecliq.OpReorderChat) - before[fakecliq.OpReorderChat]; n != 1 {
					return fmt.Errorf("reorder_chat requests: %d, want 1 (one move restores the order)", n)
				}
				return nil
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newAccEnv(t, fakecliq.Options{})
			config := env.Provider + `
resource "cliq_pin_folder" "f" {
  title    = "Team"
  symbol   = ":razz:"
  chat_ids = ["4001", "4002", "4003"]
}
`
			var id string
			before := map[fakecliq.Op]int{}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				CheckDestroy:             testAccPinFolderDestroyed(env),
				Steps: []resource.TestStep{
					{
						Config: config,
						Check:  testAccPinFolderID("cliq_pin_folder.f", &id),
					},
					{
						// The drift shows in a plan...
						PreConfig: func() {
							if err := tc.change(env, id); err != nil {
								t.Fatal(err)
							}
						},
						Config:             config,
						PlanOnly:           true,
						ExpectNonEmptyPlan: true,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction("cliq_pin_folder.f", tc.action)},
						},
					},
					{
						// ...and the apply restores the configuration.
						PreConfig: func() {
							for _, op := range fakecliq.AllOps() {
								before[op] = pinFolderSucceeded(env, op)
							}
						},
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("cliq_pin_folder.f", tc.action)},
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							testAccPinFolderOnServer(env, "cliq_pin_folder.f", "Team", ":razz:", "expanded", "4001", "4002", "4003"),
							func(*terraform.State) error { return tc.check(env, before) },
						),
					},
				},
			})
		})
	}
}

// TestAccPinFolder_validation: every documented limit is rejected at plan time, naming the attribute.
func TestAccPinFolder_validation(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("%d", 5000+i)
	}
	folder := func(body string) string {
		return env.Provider + "\nresource \"cliq_pin_folder\" \"v\" {\n" + body + "\n}\n"
	}
	cases := []struct {
		body, msg string
	}{
		{`title = "` + strings.Repeat("t", 256) + `"`, `Attribute title UTF-8 character count must be between 1 and 255, got: 256`},
		{`title = ""`, `Attribute title UTF-8 character count must be between 1 and 255, got: 0`},
		{"title = \"ok\"\nsymbol = \"" + strings.Repeat("s", 51) + `"`, `Attribute symbol UTF-8 character count must be at most 50, got: 51`},
		{"title = \"ok\"\nstate = \"open\"", `Attribute state value must be one of: ["expanded" "collapsed"], got: "open"`},
		{"title = \"ok\"\nchat_ids = " + pinFolderHCLList(many...), `Attribute chat_ids list must contain at most 100 elements, got: 101`},
		{"title = \"ok\"\nchat_ids = " + pinFolderHCLList("5001", "5002", "5001"), `Attribute chat_ids must not contain duplicates, got "5001" more than once`},
		{"title = \"ok\"\nchat_ids = " + pinFolderHCLList("5001", "a/b"), `chat_ids[1] "a/b" contains '/', which no Cliq id holds`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      folder(c.body),
			PlanOnly:    true,
			ExpectError: pinFolderErrorRegexp(c.msg),
		})
	}
	steps = append(steps,
		resource.TestStep{
			Config:      env.Provider + `resource "cliq_pin_folder_order" "o" { folder_ids = ["4000000020001"] }`,
			PlanOnly:    true,
			ExpectError: pinFolderErrorRegexp(`Attribute folder_ids list must contain at least 2 elements, got: 1`),
		},
		resource.TestStep{
			Config:      env.Provider + `resource "cliq_pin_folder_order" "o" { folder_ids = ["4000000020001", "4000000020001"] }`,
			PlanOnly:    true,
			ExpectError: pinFolderErrorRegexp(`Attribute folder_ids must not contain duplicates, got "4000000020001" more than once`),
		},
		resource.TestStep{
			Config:      env.Provider + `resource "cliq_pin_folder_order" "o" { folder_ids = ["default", "4000000020001"] }`,
			PlanOnly:    true,
			ExpectError: pinFolderErrorRegexp(`folder_ids[0] is "default", My Pins, which always comes first and cannot be ordered.`),
		},
	)
	// The limits count characters, as Cliq does, not bytes.
	steps = append(steps, resource.TestStep{
		Config:             folder(`title = "` + strings.Repeat("é", 255) + `"` + "\nsymbol = \"" + strings.Repeat("☺", 50) + `"`),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps:                    steps,
	})
	if n := len(env.Fake.RequestLog()); n != 0 {
		t.Errorf("plan-time validation sent %d requests to Cliq, want none", n)
	}
}

// TestAccPinFolder_serverErrors: Cliq's max_folders_error and operation_not_allowed become errors
// that say what to do.
func TestAccPinFolder_serverErrors(t *testing.T) {
	t.Run("max_folders_error", func(t *testing.T) {
		env := newAccEnv(t, fakecliq.Options{MaxFolders: 1})
		existing := env.Fake.CreateFolderOOB("Existing", "", nil)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProviders,
			CheckDestroy:             testAccPinFolderDestroyed(env, existing),
			Steps: []resource.TestStep{{
				Config: env.Provider + `
resource "cliq_pin_folder" "one_too_many" {
  title = "One too many"
}
`,
				ExpectError: pinFolderErrorRegexp(`Could not create the chat folder`, `max_folders_error`, `The account holds the maximum number of chat folders: delete a folder (in Cliq or from your configuration) or declare fewer folders.`),
			}},
		})
	})
	t.Run("operation_not_allowed", func(t *testing.T) {
		env := newAccEnv(t, fakecliq.Options{})
		env.Fake.ForbidChat("6002")
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProviders,
			CheckDestroy:             testAccPinFolderDestroyed(env),
			Steps: []resource.TestStep{{
				Config: env.Provider + `
resource "cliq_pin_folder" "forbidden" {
  title    = "Forbidden"
  chat_ids = ["6001", "6002"]
}
`,
				ExpectError: pinFolderErrorRegexp(`Could not create the chat folder`, `operation_not_allowed`, `check that you may pin every chat listed`),
			}},
		})
	})
}
