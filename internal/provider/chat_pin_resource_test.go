package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// cpExactError matches msg exactly, whatever line wrapping terraform applies to it.
func cpExactError(msg string) *regexp.Regexp {
	words := strings.Fields(msg)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

// cpFolderChats asserts that the fake's folder holds exactly want, in order.
func cpFolderChats(fake *fakecliq.Server, folderID string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		f, ok := fake.Folder(folderID)
		if !ok {
			return fmt.Errorf("folder %s does not exist on the server", folderID)
		}
		if len(want) == 0 && len(f.ChatIDs) == 0 {
			return nil
		}
		if !slices.Equal(f.ChatIDs, want) {
			return fmt.Errorf("folder %s holds %v on the server, want %v", folderID, f.ChatIDs, want)
		}
		return nil
	}
}

// cpNotPinned asserts that no folder of the fake holds any of chats.
func cpNotPinned(fake *fakecliq.Server, chats ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, f := range fake.Folders() {
			for _, c := range chats {
				if slices.Contains(f.ChatIDs, c) {
					return fmt.Errorf("chat %s is still pinned in folder %s", c, f.ID)
				}
			}
		}
		return nil
	}
}

func cpAttr(name, attr string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return "", fmt.Errorf("%s not in state", name)
		}
		return rs.Primary.Attributes[attr], nil
	}
}

// Pins into My Pins and into a folder; import by <folder_id>/<chat_id> and by chat id alone, by
// command and by import block (which must plan no change); destroy.
func TestAccChatPin_myPinsAndFolder(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	folder := env.Fake.CreateFolderOOB("Team", ":smile:", []string{"CT_1207124526552602256_60002085329-T-1291567019566818579"})
	if err := env.Fake.PinChatOOB("CT_1847392056173920481_55622663-B2", "default"); err != nil {
		t.Fatal(err)
	}
	config := env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "mine" {
  chat_id = "CT_1847392056173920481_748291635"
}

# Already pinned: adopted.
resource "cliq_chat_pin" "adopted" {
  chat_id = "CT_1847392056173920481_55622663-B2"
}

resource "cliq_chat_pin" "team" {
  folder_id = %q
  chat_id   = "CT_1847392056173920481_P87610291-C4"
}
`, folder)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(s *terraform.State) error {
			if err := cpNotPinned(env.Fake, "CT_1847392056173920481_748291635", "CT_1847392056173920481_P87610291-C4", "CT_1847392056173920481_55622663-B2")(s); err != nil {
				return err
			}
			return cpFolderChats(env.Fake, folder, "CT_1207124526552602256_60002085329-T-1291567019566818579")(s) // the folder's other chat stays
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_chat_pin.mine", tfjsonpath.New("id"), knownvalue.StringExact("default/CT_1847392056173920481_748291635")),
					statecheck.ExpectKnownValue("cliq_chat_pin.mine", tfjsonpath.New("folder_id"), knownvalue.StringExact("default")),
					statecheck.ExpectKnownValue("cliq_chat_pin.mine", tfjsonpath.New("pin_above"), knownvalue.Null()),
					statecheck.ExpectKnownValue("cliq_chat_pin.team", tfjsonpath.New("id"), knownvalue.StringExact(folder+"/CT_1847392056173920481_P87610291-C4")),
					statecheck.ExpectKnownValue("cliq_chat_pin.team", tfjsonpath.New("folder_id"), knownvalue.StringExact(folder)),
					statecheck.ExpectKnownValue("cliq_chat_pin.team", tfjsonpath.New("chat_id"), knownvalue.StringExact("CT_1847392056173920481_P87610291-C4")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, "default", "CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291635"),
					cpFolderChats(env.Fake, folder, "CT_1207124526552602256_60002085329-T-1291567019566818579", "CT_1847392056173920481_P87610291-C4"),
				),
			},
			// A pin removed outside Terraform is planned again, and re-pinned.
			{
				PreConfig: func() {
					if err := env.Fake.UnpinChatOOB("CT_1847392056173920481_748291635"); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("cliq_chat_pin.mine", plancheck.ResourceActionCreate)},
				},
				Check: cpFolderChats(env.Fake, "default", "CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_748291635"),
			},
			// terraform import, both id forms.
			{
				ResourceName:      "cliq_chat_pin.team",
				ImportState:       true,
				ImportStateIdFunc: cpAttr("cliq_chat_pin.team", "id"),
				ImportStateVerify: true,
			},
			{
				ResourceName:      "cliq_chat_pin.mine",
				ImportState:       true,
				ImportStateIdFunc: cpAttr("cliq_chat_pin.mine", "chat_id"),
				ImportStateVerify: true,
			},
			// import blocks: the plan with the configuration must be a no-op import.
			{
				ResourceName:      "cliq_chat_pin.team",
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: cpAttr("cliq_chat_pin.team", "id"),
			},
			{
				ResourceName:      "cliq_chat_pin.team",
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: cpAttr("cliq_chat_pin.team", "chat_id"),
			},
			{
				ResourceName:      "cliq_chat_pin.mine",
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: cpAttr("cliq_chat_pin.mine", "chat_id"),
			},
			{
				Config:   config,
				PlanOnly: true,
			},
		},
	})
}

// Changing folder_id moves the pin in place, and never unpins the chat on the way.
func TestAccChatPin_moveBetweenFolders(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	a := env.Fake.CreateFolderOOB("A", "", nil)
	b := env.Fake.CreateFolderOOB("B", "", []string{"2222"})
	config := func(folder string) string {
		return env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "p" {
  folder_id = %q
  chat_id   = "2001"
}
`, folder)
	}
	noUnpin := func(*terraform.State) error {
		if n := env.Fake.RequestCount(fakecliq.OpUnpinChat) + env.Fake.RequestCount(fakecliq.OpBulkUnpin); n != 0 {
			return fmt.Errorf("moving the pin sent %d unpin requests: the chat was unpinned on the way", n)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             cpNotPinned(env.Fake, "2001"),
		Steps: []resource.TestStep{
			{
				Config: config(a),
				Check:  cpFolderChats(env.Fake, a, "2001"),
			},
			{
				PreConfig: env.Fake.ResetCounts,
				Config:    config(b),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("cliq_chat_pin.p", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_chat_pin.p", tfjsonpath.New("id"), knownvalue.StringExact(b+"/2001")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, a),
					cpFolderChats(env.Fake, b, "2222", "2001"),
					noUnpin,
				),
			},
			{
				PreConfig: env.Fake.ResetCounts,
				Config:    config("default"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("cliq_chat_pin.p", plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, b, "2222"),
					cpFolderChats(env.Fake, "default", "2001"),
					noUnpin,
				),
			},
			// Out of My Pins again: the removal from the default folder.
			{
				Config: config(a),
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, "default"),
					cpFolderChats(env.Fake, a, "2001"),
				),
			},
		},
	})
}

// pin_above orders the chats of a folder; an out-of-band reorder shows as drift and is restored.
func TestAccChatPin_orderWithPinAbove(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	f := env.Fake.CreateFolderOOB("Ordered", "", nil)
	config := env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "p1" {
  folder_id = %[1]q
  chat_id   = "3001"
}

resource "cliq_chat_pin" "p2" {
  folder_id = %[1]q
  chat_id   = "3002"
  pin_above = cliq_chat_pin.p1.chat_id
}

resource "cliq_chat_pin" "p3" {
  folder_id = %[1]q
  chat_id   = "3003"
  pin_above = cliq_chat_pin.p2.chat_id
}
`, f)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(s *terraform.State) error {
			return cpFolderChats(env.Fake, f)(s)
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_chat_pin.p1", tfjsonpath.New("pin_above"), knownvalue.Null()),
					statecheck.ExpectKnownValue("cliq_chat_pin.p2", tfjsonpath.New("pin_above"), knownvalue.StringExact("3001")),
					statecheck.ExpectKnownValue("cliq_chat_pin.p3", tfjsonpath.New("pin_above"), knownvalue.StringExact("3002")),
				},
				Check: cpFolderChats(env.Fake, f, "3003", "3002", "3001"),
			},
			// Someone reorders the folder in Cliq: the plan shows it.
			{
				PreConfig: func() {
					if err := env.Fake.SetFolderChatsOOB(f, []string{"3001", "3002", "3003"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			// ... and the apply restores the order.
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("cliq_chat_pin.p1", plancheck.ResourceActionNoop),
					},
				},
				Check: cpFolderChats(env.Fake, f, "3003", "3002", "3001"),
			},
			// Import by block, with pin_above in the configuration: a no-op.
			{
				ResourceName:      "cliq_chat_pin.p3",
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: cpAttr("cliq_chat_pin.p3", "id"),
			},
			{
				Config:   config,
				PlanOnly: true,
			},
			// A pin_above that is not in the folder is an error that says what to do.
			{
				Config: config + fmt.Sprintf(`
resource "cliq_chat_pin" "p4" {
  folder_id = %q
  chat_id   = "3004"
  pin_above = "3999"
}
`, f),
				ExpectError: regexp.MustCompile(`pin_above names chat "3999", which is not pinned in folder`),
			},
		},
	})
}

// The same chat pinned in two folders by two resources: destroying one leaves the other.
func TestAccChatPin_sameChatTwoFolders(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	a := env.Fake.CreateFolderOOB("A", "", []string{"4100"})
	both := env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "in_default" {
  chat_id = "4001"
}

resource "cliq_chat_pin" "in_a" {
  folder_id = %q
  chat_id   = "4001"
}
`, a)
	onlyDefault := env.Provider + `
resource "cliq_chat_pin" "in_default" {
  chat_id = "4001"
}
`
	onlyA := env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "in_a" {
  folder_id = %q
  chat_id   = "4001"
}
`, a)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(s *terraform.State) error {
			if err := cpNotPinned(env.Fake, "4001")(s); err != nil {
				return err
			}
			return cpFolderChats(env.Fake, a, "4100")(s)
		},
		Steps: []resource.TestStep{
			{
				Config: both,
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, "default", "4001"),
					cpFolderChats(env.Fake, a, "4100", "4001"),
				),
			},
			// The chat id alone is ambiguous now.
			{
				ResourceName:  "cliq_chat_pin.in_a",
				ImportState:   true,
				ImportStateId: "4001",
				ExpectError:   regexp.MustCompile(`(?s)Chat "4001" is pinned in 2 folders \(default,\s+` + a + `\)`),
			},
			{
				ResourceName:  "cliq_chat_pin.in_a",
				ImportState:   true,
				ImportStateId: "4999",
				ExpectError:   regexp.MustCompile(`Chat "4999" is not pinned`),
			},
			{
				Config: onlyDefault,
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, "default", "4001"),
					cpFolderChats(env.Fake, a, "4100"),
				),
			},
			{
				Config: both,
				Check:  cpFolderChats(env.Fake, a, "4100", "4001"),
			},
			// Taking it out of My Pins leaves it in A.
			{
				Config: onlyA,
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, "default"),
					cpFolderChats(env.Fake, a, "4100", "4001"),
				),
			},
		},
	})
}

// Destroying 60 pins at Terraform's default parallelism shares requests: the pins that go
// together leave My Pins in one replace (a few for 60 pins in waves of 10), and each replace
// after the first is built from one more read that shows the one before (never refused).
func TestAccChatPin_destroyManyCoalesces(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := func(n int) string {
		return env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "many" {
  count   = %d
  chat_id = tostring(5000 + count.index)
}
`, n)
	}
	var all []string
	for i := range 60 {
		all = append(all, fmt.Sprint(5000+i))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             cpNotPinned(env.Fake, all...),
		Steps: []resource.TestStep{
			{
				Config: config(60),
				Check: func(*terraform.State) error {
					f, _ := env.Fake.Folder("default")
					if len(f.ChatIDs) != 60 {
						return fmt.Errorf("My Pins holds %d chats, want 60", len(f.ChatIDs))
					}
					return nil
				},
			},
			{
				PreConfig: env.Fake.ResetCounts,
				Config:    config(0), // a plan (with refresh) and an apply that destroy all 60
				Check: resource.ComposeAggregateTestCheckFunc(
					cpNotPinned(env.Fake, all...),
					func(*terraform.State) error {
						unpins := env.Fake.RequestCount(fakecliq.OpBulkUnpin) + env.Fake.RequestCount(fakecliq.OpUnpinChat) +
							env.Fake.RequestCount(fakecliq.OpReplaceChats)
						lists := env.Fake.RequestCount(fakecliq.OpListFolders)
						t.Logf("destroying 60 pins: %d bulk_unpin, %d unpin_chat, %d replace_chats, %d list_folders",
							env.Fake.RequestCount(fakecliq.OpBulkUnpin), env.Fake.RequestCount(fakecliq.OpUnpinChat),
							env.Fake.RequestCount(fakecliq.OpReplaceChats), lists)
						// Removals gather while the folder's previous replace waits for its read, so the
						// count depends on timing; sharing means well under one request per pin.
						if unpins > 20 || unpins != env.Fake.RequestCount(fakecliq.OpReplaceChats) {
							return fmt.Errorf("destroying 60 pins made %d removal requests, want at most 20 replaces and no unpin", unpins)
						}
						if lists > 3+unpins {
							return fmt.Errorf("destroying 60 pins made %d list requests, want at most %d: the plan's, the apply's, the check's, and one before each replace", lists, 3+unpins)
						}
						return checkNoRefusals(env.Fake)
					},
				),
			},
		},
	})
}

// A person pins the chat into another folder at the last moment before Terraform's removal of its
// pin from folder A lands, after the apply's read: the removal takes the chat out of A only, and
// the pin made by hand stays. (Before, the removal was a bulk unpin, which reaches every folder.)
func TestAccChatPin_removalNeverReachesAPinMadeByHand(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	a := env.Fake.CreateFolderOOB("A", "", nil)
	b := env.Fake.CreateFolderOOB("B", "", []string{"4200"})
	withPin := env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "x" {
  folder_id = %q
  chat_id   = "4201"
}
`, a)
	var once sync.Once
	byHand := func(fakecliq.LoggedRequest) {
		once.Do(func() {
			if err := env.Fake.PinChatOOB("4201", b); err != nil {
				t.Error(err)
			}
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: withPin, Check: cpFolderChats(env.Fake, a, "4201")},
			{
				PreConfig: func() {
					for _, op := range []fakecliq.Op{fakecliq.OpReplaceChats, fakecliq.OpBulkUnpin, fakecliq.OpUnpinChat} {
						env.Fake.BeforeExecute(op, byHand)
					}
				},
				Config: env.Provider,
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, a),
					cpFolderChats(env.Fake, b, "4200", "4201"),
				),
			},
		},
	})
}

// A cliq_pin_folder without chat_ids and three cliq_chat_pin in it: no perpetual diff either way.
func TestAccChatPin_inFolderWithoutChatIDs(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := func(extra string) string {
		return env.Provider + `
resource "cliq_pin_folder" "team" {
  title = "Team"
}

resource "cliq_chat_pin" "a" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "6001"
}

resource "cliq_chat_pin" "b" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "6002"
}

resource "cliq_chat_pin" "c" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "6003"
` + extra + `
}
`
	}
	folderChats := func(want ...string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			id := s.RootModule().Resources["cliq_pin_folder.team"].Primary.ID
			f, ok := env.Fake.Folder(id)
			if !ok {
				return fmt.Errorf("folder %s is gone", id)
			}
			got := slices.Clone(f.ChatIDs)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				return fmt.Errorf("folder holds %v, want %v", f.ChatIDs, want)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             cpNotPinned(env.Fake, "6001", "6002", "6003"),
		Steps: []resource.TestStep{
			{
				Config: config(""),
				Check:  folderChats("6001", "6002", "6003"),
			},
			{
				Config:   config(""),
				PlanOnly: true,
			},
			// Ordering one pin changes the folder's chats as read: still no diff on the folder.
			{
				Config: config(`  pin_above = cliq_chat_pin.a.chat_id`),
				Check:  folderChats("6001", "6002", "6003"),
			},
			{
				Config:   config(`  pin_above = cliq_chat_pin.a.chat_id`),
				PlanOnly: true,
			},
			// One pin fewer.
			{
				Config: env.Provider + `
resource "cliq_pin_folder" "team" {
  title = "Team"
}

resource "cliq_chat_pin" "a" {
  folder_id = cliq_pin_folder.team.id
  chat_id   = "6001"
}
`,
				Check: folderChats("6001"),
			},
		},
	})
}

// Plan-time rejection of bad input, with the exact message.
func TestAccChatPin_invalidInput(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: env.Provider + `
resource "cliq_chat_pin" "bad" {
  chat_id = "general chat"
}
`,
				PlanOnly:    true,
				ExpectError: cpExactError(`chat_id "general chat" contains whitespace, so it cannot be a Cliq chat id such as "CT_1847392056173920481_748291635".`),
			},
			{
				Config: env.Provider + `
resource "cliq_chat_pin" "bad" {
  chat_id   = "1"
  folder_id = "My Pins"
}
`,
				PlanOnly:    true,
				ExpectError: cpExactError(`folder_id "My Pins" is not a chat folder id: My Pins is exactly "default".`),
			},
			{
				Config: env.Provider + `
resource "cliq_chat_pin" "bad" {
  chat_id   = "1"
  pin_above = "1"
}
`,
				PlanOnly:    true,
				ExpectError: cpExactError(`pin_above must name another chat of the same folder, not the pinned chat itself.`),
			},
			{
				Config: env.Provider + `
resource "cliq_chat_pin" "bad" {
  chat_id   = "1"
  folder_id = "4000000099999"
}
`,
				ExpectError: regexp.MustCompile(`The chat folder "4000000099999" does not exist`),
			},
		},
	})
}

// Refusals from Cliq become errors that say what to do.
func TestAccChatPin_serverErrors(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{MaxPinsPerFolder: 2})
	env.Fake.DenyChat("7001")
	env.Fake.ForbidChat("7002")
	pin := func(name, chat string) string {
		return fmt.Sprintf(`
resource "cliq_chat_pin" %q {
  chat_id = %q
}
`, name, chat)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             cpFolderChats(env.Fake, "default"),
		Steps: []resource.TestStep{
			{
				Config:      env.Provider + pin("denied", "7001"),
				ExpectError: regexp.MustCompile(`(?s)chat_access_denied.*join\s+the\s+chat\s+first`),
			},
			{
				Config:      env.Provider + pin("forbidden", "7002"),
				ExpectError: regexp.MustCompile(`(?s)operation_not_allowed.*check\s+that\s+you\s+may\s+pin\s+every\s+chat`),
			},
			{
				Config:      env.Provider + pin("a", "7003") + pin("b", "7004") + pin("c", "7005"),
				ExpectError: regexp.MustCompile(`(?s)max_pins_error.*unpin\s+a\s+chat\s+from\s+it\s+or\s+pin\s+this\s+chat\s+into\s+another\s+folder`),
			},
		},
	})
}

// Import by resource identity (Terraform 1.12+).
func TestAccChatPin_identity(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		CheckDestroy:             cpNotPinned(env.Fake, "CT_1847392056173920481_55622663-B2"),
		Steps: []resource.TestStep{
			{
				Config: env.Provider + `
resource "cliq_chat_pin" "p" {
  chat_id = "CT_1847392056173920481_55622663-B2"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("cliq_chat_pin.p", map[string]knownvalue.Check{
						"folder_id": knownvalue.StringExact("default"),
						"chat_id":   knownvalue.StringExact("CT_1847392056173920481_55622663-B2"),
					}),
				},
			},
			{
				ResourceName:    "cliq_chat_pin.p",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// Import by resource identity at the protocol level, for a terraform CLI older than 1.12 (which
// skips TestAccChatPin_identity): with folder_id, and with the chat id alone.
func TestChatPinResource_importByIdentityProtocol(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	folder := env.Fake.CreateFolderOOB("Team", "", []string{"CT_1847392056173920481_748291635", "CT_1207124526552602256_60002085329-T-1291567019566818579"})
	if err := env.Fake.PinChatOOB("CT_1847392056173920481_P87610291-C4", "default"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, schemas.Diagnostics)
	}
	cfgType := schemas.Provider.ValueType().(tftypes.Object)
	cfgVals := map[string]tftypes.Value{}
	for name, typ := range cfgType.AttributeTypes {
		cfgVals[name] = tftypes.NewValue(typ, nil)
	}
	cfgVals["api_url"] = tftypes.NewValue(tftypes.String, env.URL)
	cfgVals["access_token"] = tftypes.NewValue(tftypes.String, env.Fake.AccessToken())
	cfg, err := tfprotov6.NewDynamicValue(cfgType, tftypes.NewValue(cfgType, cfgVals))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &cfg}); err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("ConfigureProvider: %v %v", err, resp.Diagnostics)
	}
	idSchemas, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || len(idSchemas.Diagnostics) > 0 {
		t.Fatalf("GetResourceIdentitySchemas: %v %v", err, idSchemas.Diagnostics)
	}
	idType := idSchemas.IdentitySchemas["cliq_chat_pin"].ValueType().(tftypes.Object)
	resType := schemas.ResourceSchemas["cliq_chat_pin"].ValueType()

	for _, tc := range []struct {
		folder, chat       string
		wantFolder, wantID string
		wantPinAbove       any
	}{
		{folder, "CT_1847392056173920481_748291635", folder, folder + "/CT_1847392056173920481_748291635", "CT_1207124526552602256_60002085329-T-1291567019566818579"},
		{"", "CT_1207124526552602256_60002085329-T-1291567019566818579", folder, folder + "/CT_1207124526552602256_60002085329-T-1291567019566818579", nil},
		{"", "CT_1847392056173920481_P87610291-C4", "default", "default/CT_1847392056173920481_P87610291-C4", nil},
	} {
		var folderVal any
		if tc.folder != "" {
			folderVal = tc.folder
		}
		idVal := tftypes.NewValue(idType, map[string]tftypes.Value{
			"folder_id": tftypes.NewValue(tftypes.String, folderVal),
			"chat_id":   tftypes.NewValue(tftypes.String, tc.chat),
		})
		idDV, err := tfprotov6.NewDynamicValue(idType, idVal)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
			TypeName: "cliq_chat_pin",
			Identity: &tfprotov6.ResourceIdentityData{IdentityData: &idDV},
		})
		if err != nil || len(resp.Diagnostics) > 0 || len(resp.ImportedResources) != 1 {
			t.Fatalf("import %s/%s: %v %v", tc.folder, tc.chat, err, resp.Diagnostics)
		}
		imp := resp.ImportedResources[0]
		state, err := imp.State.Unmarshal(resType)
		if err != nil {
			t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		if err := state.As(&attrs); err != nil {
			t.Fatal(err)
		}
		str := func(v tftypes.Value) any {
			if v.IsNull() {
				return nil
			}
			var s string
			_ = v.As(&s)
			return s
		}
		if got := str(attrs["id"]); got != tc.wantID {
			t.Errorf("import %q/%q: id %v, want %s", tc.folder, tc.chat, got, tc.wantID)
		}
		if got := str(attrs["pin_above"]); got != tc.wantPinAbove {
			t.Errorf("import %q/%q: pin_above %v, want %v", tc.folder, tc.chat, got, tc.wantPinAbove)
		}
		if imp.Identity == nil || imp.Identity.IdentityData == nil {
			t.Fatalf("import %q/%q returned no identity", tc.folder, tc.chat)
		}
		gotID, err := imp.Identity.IdentityData.Unmarshal(idType)
		if err != nil {
			t.Fatal(err)
		}
		var idAttrs map[string]tftypes.Value
		if err := gotID.As(&idAttrs); err != nil {
			t.Fatal(err)
		}
		if str(idAttrs["folder_id"]) != tc.wantFolder || str(idAttrs["chat_id"]) != tc.chat {
			t.Errorf("import %q/%q: identity %v, want folder_id %s chat_id %s", tc.folder, tc.chat, idAttrs, tc.wantFolder, tc.chat)
		}
	}

	// A chat pinned in two folders cannot be imported by its id alone.
	if err := env.Fake.PinChatOOB("CT_1847392056173920481_748291635", "default"); err != nil {
		t.Fatal(err)
	}
	if resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &cfg}); err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("ConfigureProvider: %v %v", err, resp.Diagnostics)
	}
	idDV, _ := tfprotov6.NewDynamicValue(idType, tftypes.NewValue(idType, map[string]tftypes.Value{
		"folder_id": tftypes.NewValue(tftypes.String, nil),
		"chat_id":   tftypes.NewValue(tftypes.String, "CT_1847392056173920481_748291635"),
	}))
	resp, err := srv.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{
		TypeName: "cliq_chat_pin",
		Identity: &tfprotov6.ResourceIdentityData{IdentityData: &idDV},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) != 1 || !strings.Contains(resp.Diagnostics[0].Detail, "is pinned in 2 folders (default, "+folder+")") {
		t.Errorf("ambiguous import: diagnostics %v", resp.Diagnostics)
	}
}
