package provider

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// The vendor's own example chat ids (shared/cliq-api.md): the glossary's, a thread's, a bot's and a
// channel's.
const (
	glossaryChat = "CT_1847392056173920481_748291635"
	threadChat   = "CT_1207124526552602256_60002085329-T-1291567019566818579"
	botChat      = "CT_1847392056173920481_55622663-B2"
	channelChat  = "CT_1847392056173920481_P87610291-C4"
)

// glossaryEnv is a fake account that knows the vendor's example chats by name.
func glossaryEnv(t *testing.T) *accEnv {
	env := newAccEnv(t, fakecliq.Options{})
	for _, c := range []fakecliq.Chat{
		{ChatID: glossaryChat, ChatType: "direct_message", Name: "Ada", ParticipantCount: 2},
		{ChatID: threadChat, ChatType: "thread", Name: "Launch checklist", ParticipantCount: 6},
		{ChatID: botChat, ChatType: "bot", Name: "Deploy bot", ParticipantCount: 1},
		{ChatID: channelChat, ChatType: "channel", Name: "Releases", ParticipantCount: 42},
	} {
		env.Fake.AddChat(c)
	}
	return env
}

// glossaryConfig pins each of the vendor's example chats: three in a folder that owns its chats, a
// thread above a bot in My Pins, and the channel once more in a folder whose chats cliq_chat_pin
// manages.
func glossaryConfig(env *accEnv) string {
	return env.Provider + fmt.Sprintf(`
resource "cliq_pin_folder" "team" {
  title                = "Team"
  chat_ids             = [%[1]q, %[2]q, %[4]q]
  unpin_all_on_destroy = true
}

resource "cliq_chat_pin" "bot" {
  chat_id = %[3]q
}

resource "cliq_chat_pin" "thread" {
  chat_id   = %[2]q
  pin_above = cliq_chat_pin.bot.chat_id
}

resource "cliq_pin_folder" "ops" {
  title                = "Ops"
  unpin_all_on_destroy = true
}

resource "cliq_chat_pin" "channel" {
  folder_id = cliq_pin_folder.ops.id
  chat_id   = %[4]q
}

data "cliq_pin_folders" "all" {
  depends_on = [cliq_pin_folder.team, cliq_chat_pin.thread, cliq_chat_pin.channel]
}
`, glossaryChat, threadChat, botChat, channelChat)
}

// glossaryDestroyed: every folder is gone and My Pins holds none of the example chats.
func glossaryDestroyed(env *accEnv) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, f := range env.Fake.Folders() {
			if f.ID != fakecliq.DefaultFolderID {
				return fmt.Errorf("folder %s (%s) still exists, holding %q", f.ID, f.Title, f.ChatIDs)
			}
			if len(f.ChatIDs) != 0 {
				return fmt.Errorf("My Pins still holds %q", f.ChatIDs)
			}
		}
		return nil
	}
}

// folderIDOf returns the id of the fake's folder titled title.
func folderIDOf(env *accEnv, title string) string {
	for _, f := range env.Fake.Folders() {
		if f.Title == title {
			return f.ID
		}
	}
	return ""
}

// A configuration written with the ids Cliq issues (the glossary's, a thread's, a bot's and a
// channel's) applies, reads back each chat with its type, plans no change, imports by id in both
// forms, and destroys.
func TestAccChatIDs_asCliqIssuesThem(t *testing.T) {
	env := glossaryEnv(t)
	config := glossaryConfig(env)
	chat := func(id, typ, name string, n int64) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"chat_id": knownvalue.StringExact(id), "chat_type": knownvalue.StringExact(typ),
			"name": knownvalue.StringExact(name), "participant_count": knownvalue.Int64Exact(n),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             glossaryDestroyed(env),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_pin_folder.team", tfjsonpath.New("chat_ids"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(glossaryChat), knownvalue.StringExact(threadChat), knownvalue.StringExact(channelChat),
					})),
					statecheck.ExpectKnownValue("cliq_pin_folder.team", tfjsonpath.New("chats"), knownvalue.ListExact([]knownvalue.Check{
						chat(glossaryChat, "direct_message", "Ada", 2),
						chat(threadChat, "thread", "Launch checklist", 6),
						chat(channelChat, "channel", "Releases", 42),
					})),
					statecheck.ExpectKnownValue("cliq_chat_pin.thread", tfjsonpath.New("id"), knownvalue.StringExact("default/"+threadChat)),
					statecheck.ExpectKnownValue("cliq_chat_pin.thread", tfjsonpath.New("pin_above"), knownvalue.StringExact(botChat)),
					statecheck.ExpectKnownValue("cliq_chat_pin.bot", tfjsonpath.New("id"), knownvalue.StringExact("default/"+botChat)),
					statecheck.ExpectKnownValue("data.cliq_pin_folders.all", tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("chats"),
						knownvalue.ListExact([]knownvalue.Check{chat(threadChat, "thread", "Launch checklist", 6), chat(botChat, "bot", "Deploy bot", 1)})),
				},
				Check: func(*terraform.State) error {
					for folder, want := range map[string][]string{
						fakecliq.DefaultFolderID: {threadChat, botChat},
						folderIDOf(env, "Team"):  {glossaryChat, threadChat, channelChat},
						folderIDOf(env, "Ops"):   {channelChat},
					} {
						if f, _ := env.Fake.Folder(folder); !slices.Equal(f.ChatIDs, want) {
							return fmt.Errorf("folder %q holds %q, want %q", folder, f.ChatIDs, want)
						}
					}
					return nil
				},
			},
			{Config: config, PlanOnly: true},
			{
				ResourceName:      "cliq_chat_pin.thread",
				ImportState:       true,
				ImportStateId:     "default/" + threadChat,
				ImportStateVerify: true,
			},
			{ // the chat id alone: the bot is pinned in My Pins only
				ResourceName:      "cliq_chat_pin.bot",
				ImportState:       true,
				ImportStateId:     botChat,
				ImportStateVerify: true,
			},
			{
				ResourceName:      "cliq_chat_pin.channel",
				ImportState:       true,
				ImportStateIdFunc: cpAttr("cliq_chat_pin.channel", "id"),
				ImportStateVerify: true,
			},
			{
				ResourceName:            "cliq_pin_folder.team",
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"unpin_all_on_destroy"},
			},
			{ // an import block with the id: a no-op import
				ResourceName:      "cliq_chat_pin.channel",
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: cpAttr("cliq_chat_pin.channel", "id"),
			},
		},
	})
}

// The same configuration's pins import by resource identity (Terraform 1.12+; TestCLIMatrix runs
// it). The folders' identity is tested by TestAccPinFolder_identity: an import cannot know
// unpin_all_on_destroy, which this configuration sets, so it would plan an update.
func TestAccChatIDs_identity(t *testing.T) {
	env := glossaryEnv(t)
	config := glossaryConfig(env)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		CheckDestroy:             glossaryDestroyed(env),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("cliq_chat_pin.thread", map[string]knownvalue.Check{
						"folder_id": knownvalue.StringExact(fakecliq.DefaultFolderID),
						"chat_id":   knownvalue.StringExact(threadChat),
					}),
					statecheck.ExpectIdentityValueMatchesStateAtPath("cliq_chat_pin.channel", tfjsonpath.New("chat_id"), tfjsonpath.New("chat_id")),
				},
			},
			{ResourceName: "cliq_chat_pin.thread", ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{ResourceName: "cliq_chat_pin.channel", ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
			{ResourceName: "cliq_chat_pin.bot", ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// A chat's URL pasted where an id goes fails the plan, naming the id to use; so does one pasted
// from a Cliq network or another data centre.
func TestAccChatIDs_pastedURLFailsThePlan(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	step := func(hcl string, want string) resource.TestStep {
		return resource.TestStep{Config: env.Provider + hcl, PlanOnly: true, ExpectError: cpExactError(want)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			step(`resource "cliq_chat_pin" "p" {
  chat_id = "https://cliq.zoho.com/app/chats/`+glossaryChat+`"
}`, `chat_id "https://cliq.zoho.com/app/chats/`+glossaryChat+`" is the chat's URL, not its id: use "`+glossaryChat+`", the last part of the URL.`),
			step(`resource "cliq_chat_pin" "p" {
  chat_id   = "`+botChat+`"
  pin_above = "https://cliq.zoho.com.au/network/zylkerclients/app/chats/`+threadChat+`"
}`, `pin_above "https://cliq.zoho.com.au/network/zylkerclients/app/chats/`+threadChat+`" is the chat's URL, not its id: use "`+threadChat+`"`),
			step(`resource "cliq_pin_folder" "f" {
  title    = "F"
  chat_ids = ["`+glossaryChat+`", "cliq.zoho.eu/app/chats/`+channelChat+`"]
}`, `chat_ids[1] "cliq.zoho.eu/app/chats/`+channelChat+`" is the chat's URL, not its id: use "`+channelChat+`"`),
		},
	})
	for _, e := range env.Fake.RequestLog() {
		if e.Op != fakecliq.OpListFolders {
			t.Errorf("a refused plan sent %s %s", e.Method, e.Path)
		}
	}
}
