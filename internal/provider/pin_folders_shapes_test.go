package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestAccPinFoldersDataSource_chatsModuleShapes: when Cliq answers in the v3 Chats module's shapes
// (the pin flag "pinned", last_message_info with "message_id" and "sender" as an id alone), the data
// source with include_last_message still reads every chat: the sender's id is kept and its name is
// null.
func TestAccPinFoldersDataSource_chatsModuleShapes(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{Reading: fakecliq.Reading{ChatsModuleShapes: true}})
	env.Fake.AddChat(fakecliq.Chat{ChatID: "9001", ChatType: "channel", Name: "Releases", ParticipantCount: 12})
	env.Fake.CreateFolderOOB("Alpha", ":razz:", []string{"9001", "9002"})
	lastMessage := func(i int) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.cliq_pin_folders.alpha",
			tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("chats").AtSliceIndex(i).AtMapKey("last_message"),
			knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id":          knownvalue.StringRegexp(regexp.MustCompile(`^\d+_\d+$`)),
				"type":        knownvalue.StringExact("text"),
				"time":        knownvalue.NotNull(),
				"text":        knownvalue.StringRegexp(regexp.MustCompile(`^Last message in `)),
				"sender_id":   knownvalue.StringRegexp(regexpDigits),
				"sender_name": knownvalue.Null(),
			}))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: env.Provider + `
data "cliq_pin_folders" "alpha" {
  title                = "Alpha"
  include_recipients   = true
  include_last_message = true
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cliq_pin_folders.alpha", tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("chats"), knownvalue.ListSizeExact(2)),
				lastMessage(0),
				lastMessage(1),
			},
		}},
	})
}
