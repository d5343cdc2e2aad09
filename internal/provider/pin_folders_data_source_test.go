package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// The folder list with and without per-chat detail, the title filter, and its ids fed into
// cliq_chat_pin.
func TestAccPinFoldersDataSource_basic(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	env.Fake.AddChat(fakecliq.Chat{ChatID: "9001", ChatType: "channel", Name: "Releases", ParticipantCount: 12})
	env.Fake.AddChat(fakecliq.Chat{ChatID: "9002", ChatType: "direct_message", Name: "Ada", ParticipantCount: 2})
	env.Fake.AddChat(fakecliq.Chat{ChatID: "9004", ChatType: "bot", Name: "Deploy bot", ParticipantCount: 1})
	alpha := env.Fake.CreateFolderOOB("Alpha", ":razz:", []string{"9001", "9002"})
	beta := env.Fake.CreateFolderOOB("Beta", "", []string{"9003"})
	if err := env.Fake.PinChatOOB("9004", "default"); err != nil {
		t.Fatal(err)
	}
	dataSources := `
data "cliq_pin_folders" "all" {}

data "cliq_pin_folders" "alpha" {
  title                = "Alpha"
  include_recipients   = true
  include_last_message = true
}

data "cliq_pin_folders" "recipients_only" {
  title              = "Beta"
  include_recipients = true
}

data "cliq_pin_folders" "none" {
  title = "Nope"
}
`
	all := "data.cliq_pin_folders.all"
	chat := func(id, typ, name string, count int64) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"chat_id":           knownvalue.StringExact(id),
			"chat_type":         knownvalue.StringExact(typ),
			"name":              knownvalue.StringExact(name),
			"participant_count": knownvalue.Int64Exact(count),
			"recipients":        knownvalue.Null(),
			"last_message":      knownvalue.Null(),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy: func(s *terraform.State) error {
			// The pin made from data-source ids is gone; the others stay.
			return cpFolderChats(env.Fake, beta, "9003")(s)
		},
		Steps: []resource.TestStep{
			{
				Config: env.Provider + dataSources,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, tfjsonpath.New("folders"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":         knownvalue.StringExact("default"),
							"title":      knownvalue.Null(),
							"symbol":     knownvalue.Null(),
							"state":      knownvalue.Null(),
							"is_default": knownvalue.Bool(true),
							"chats":      knownvalue.ListExact([]knownvalue.Check{chat("9004", "bot", "Deploy bot", 1)}),
						}),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":         knownvalue.StringExact(alpha),
							"title":      knownvalue.StringExact("Alpha"),
							"symbol":     knownvalue.StringExact(":razz:"),
							"state":      knownvalue.StringExact("expanded"),
							"is_default": knownvalue.Bool(false),
							"chats": knownvalue.ListExact([]knownvalue.Check{
								chat("9001", "channel", "Releases", 12),
								chat("9002", "direct_message", "Ada", 2),
							}),
						}),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id":     knownvalue.StringExact(beta),
							"title":  knownvalue.StringExact("Beta"),
							"symbol": knownvalue.StringExact(""),
							"chats":  knownvalue.ListSizeExact(1),
						}),
					})),
					// Filtered, with detail.
					statecheck.ExpectKnownValue("data.cliq_pin_folders.alpha", tfjsonpath.New("folders"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue("data.cliq_pin_folders.alpha", tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("id"), knownvalue.StringExact(alpha)),
					statecheck.ExpectKnownValue("data.cliq_pin_folders.alpha",
						tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("chats").AtSliceIndex(0).AtMapKey("recipients"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue("data.cliq_pin_folders.alpha",
						tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("chats").AtSliceIndex(0).AtMapKey("recipients").AtSliceIndex(0),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":   knownvalue.StringRegexp(regexpDigits),
							"name": knownvalue.StringRegexp(regexpUser),
						})),
					statecheck.ExpectKnownValue("data.cliq_pin_folders.alpha",
						tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("chats").AtSliceIndex(0).AtMapKey("last_message"),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id":          knownvalue.NotNull(),
							"type":        knownvalue.StringExact("text"),
							"time":        knownvalue.NotNull(),
							"text":        knownvalue.StringExact("Last message in Releases"),
							"sender_id":   knownvalue.StringRegexp(regexpDigits),
							"sender_name": knownvalue.StringRegexp(regexpUser),
						})),
					// One flag only: recipients, no last message.
					statecheck.ExpectKnownValue("data.cliq_pin_folders.recipients_only",
						tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("chats").AtSliceIndex(0).AtMapKey("recipients"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue("data.cliq_pin_folders.recipients_only",
						tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("chats").AtSliceIndex(0).AtMapKey("last_message"), knownvalue.Null()),
					// A filter that matches nothing is an empty list, not an error.
					statecheck.ExpectKnownValue("data.cliq_pin_folders.none", tfjsonpath.New("folders"), knownvalue.ListSizeExact(0)),
				},
			},
			// Ids read from the data source feed a pin: chat 9001 of Alpha pinned into Beta too.
			{
				Config: env.Provider + dataSources + `
data "cliq_pin_folders" "beta" {
  title = "Beta"
}

resource "cliq_chat_pin" "from_data" {
  folder_id = data.cliq_pin_folders.beta.folders[0].id
  chat_id   = data.cliq_pin_folders.alpha.folders[0].chats[0].chat_id
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_chat_pin.from_data", tfjsonpath.New("id"), knownvalue.StringExact(beta+"/9001")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					cpFolderChats(env.Fake, beta, "9003", "9001"),
					cpFolderChats(env.Fake, alpha, "9001", "9002"),
				),
			},
		},
	})
}

// Without detail flags the data source is served from the list read every resource shares: the
// plan of five pins and the data source reads the list once, and the apply once more.
func TestAccPinFoldersDataSource_sharedRead(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := func(n int) string {
		return env.Provider + fmt.Sprintf(`
data "cliq_pin_folders" "all" {}

resource "cliq_chat_pin" "p" {
  count   = %d
  chat_id = tostring(9100 + count.index)
}
`, n)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		CheckDestroy:             cpNotPinned(env.Fake, "9100", "9101", "9102", "9103", "9104", "9105"),
		Steps: []resource.TestStep{
			{Config: config(5)},
			{
				PreConfig: env.Fake.ResetCounts,
				Config:    config(6),
				ConfigStateChecks: []statecheck.StateCheck{
					// Read at plan time, before the sixth pin.
					statecheck.ExpectKnownValue("data.cliq_pin_folders.all",
						tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("chats"), knownvalue.ListSizeExact(5)),
				},
				Check: func(*terraform.State) error {
					if n := env.Fake.RequestCount(fakecliq.OpListFolders); n > 2 {
						return fmt.Errorf("%d list reads for a plan and an apply of 6 pins and a data source, want at most 2", n)
					}
					return nil
				},
			},
		},
	})
}

var (
	regexpDigits = regexp.MustCompile(`^[0-9]+$`)
	regexpUser   = regexp.MustCompile(`^User [0-9]+$`)
)
