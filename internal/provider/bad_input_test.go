package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// Bad input beyond what the resources' own tests cover (TestAccPinFolder_validation: title 0/256,
// symbol 51, state, 101 chat ids, duplicate and malformed chat_ids, folder_ids <2, duplicates and
// "default"; TestAccPinFolder_importErrors: importing "default", an unknown and a malformed id;
// TestAccChatPin_invalidInput: a chat id with a space, folder_id "My Pins", pin_above = chat_id, unknown
// folder_id; TestAccPinFolderOrder_basic: import id other than "folders"). Each case fails with a
// message that names the attribute and what it must be.

// TestAccBadInput_planTime: malformed values fail at plan time, before any request to Cliq.
func TestAccBadInput_planTime(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = fmt.Sprint(6000 + i)
	}
	cases := []struct {
		name, hcl string
		want      *regexp.Regexp // nil: the plan must succeed
	}{
		{"pin_above with a slash", `resource "cliq_chat_pin" "x" {
  chat_id   = "1"
  pin_above = "CT_1/2"
}`, cpExactError(`pin_above "CT_1/2" contains '/', which no Cliq id holds, so it cannot be a Cliq chat id such as "CT_1847392056173920481_748291635".`)},
		{"pin_above empty", `resource "cliq_chat_pin" "x" {
  chat_id   = "1"
  pin_above = ""
}`, cpExactError(`pin_above "" is empty, so it cannot be a Cliq chat id`)},
		{"folder_id with a question mark", `resource "cliq_chat_pin" "x" {
  chat_id   = "1"
  folder_id = "abc?"
}`, cpExactError(`folder_id "abc?" contains '?', which no Cliq id holds, so it cannot be a chat folder id such as "4000000020001"`)},
		{"folder_id in another form plans", `resource "cliq_chat_pin" "x" {
  chat_id   = "CT_1847392056173920481_748291635"
  folder_id = "F_1"
}`, nil},
		{"folder_id empty", `resource "cliq_chat_pin" "x" {
  chat_id   = "1"
  folder_id = ""
}`, cpExactError(`folder_id "" is empty, so it cannot be a chat folder id`)},
		{"folder_id Default", `resource "cliq_chat_pin" "x" {
  chat_id   = "1"
  folder_id = "Default"
}`, cpExactError(`folder_id "Default" is not a chat folder id: My Pins is exactly "default".`)},
		{"chat_id empty", `resource "cliq_chat_pin" "x" {
  chat_id = ""
}`, cpExactError(`chat_id "" is empty, so it cannot be a Cliq chat id such as "CT_1847392056173920481_748291635". Open the chat in Cliq in a browser and copy the last part of its URL`)},
		{"chat_id only whitespace", `resource "cliq_chat_pin" "x" {
  chat_id = "  "
}`, cpExactError(`chat_id "  " is only whitespace`)},
		{"chat_id with spaces", `resource "cliq_chat_pin" "x" {
  chat_id = " 1488288613043522033"
}`, cpExactError(`chat_id " 1488288613043522033" contains whitespace: use "1488288613043522033".`)},
		{"chat_id with a hash", `resource "cliq_chat_pin" "x" {
  chat_id = "CT_1847392056173920481_748291635#top"
}`, cpExactError(`chat_id "CT_1847392056173920481_748291635#top" contains '#', which no Cliq id holds`)},
		{"chat_id pasted URL", `resource "cliq_chat_pin" "x" {
  chat_id = "https://cliq.zoho.com/app/chats/CT_1847392056173920481_748291635"
}`, cpExactError(`chat_id "https://cliq.zoho.com/app/chats/CT_1847392056173920481_748291635" is the chat's URL, not its id: use "CT_1847392056173920481_748291635", the last part of the URL.`)},
		{"chat_ids empty string", `resource "cliq_pin_folder" "x" {
  title    = "X"
  chat_ids = ["1", ""]
}`, cpExactError(`chat_ids[1] "" is empty, so it cannot be a Cliq chat id`)},
		{"chat_ids default", `resource "cliq_pin_folder" "x" {
  title    = "X"
  chat_ids = ["default"]
}`, cpExactError(`chat_ids[0] is "default", the id of the My Pins folder, not of a chat.`)},
		{"chat_ids pasted URL of a thread", `resource "cliq_pin_folder" "x" {
  title    = "X"
  chat_ids = ["1", "https://cliq.zoho.eu/app/chats/CT_1207124526552602256_60002085329-T-1291567019566818579"]
}`, cpExactError(`chat_ids[1] "https://cliq.zoho.eu/app/chats/CT_1207124526552602256_60002085329-T-1291567019566818579" is the chat's URL, not its id: use "CT_1207124526552602256_60002085329-T-1291567019566818579"`)},
		{"chat ids in every form Cliq issues plan", `resource "cliq_pin_folder" "x" {
  title    = "X"
  chat_ids = ["CT_1847392056173920481_748291635", "CT_1207124526552602256_60002085329-T-1291567019566818579", "CT_1847392056173920481_55622663-B2", "CT_1847392056173920481_P87610291-C4", "1488288613043522033"]
}`, nil},
		{"state empty", `resource "cliq_pin_folder" "x" {
  title = "X"
  state = ""
}`, cpExactError(`Attribute state value must be one of: ["expanded" "collapsed"], got: ""`)},
		{"state capitalised", `resource "cliq_pin_folder" "x" {
  title = "X"
  state = "Collapsed"
}`, cpExactError(`Attribute state value must be one of: ["expanded" "collapsed"], got: "Collapsed"`)},
		{"title 256 multi-byte", `resource "cliq_pin_folder" "x" {
  title = "` + strings.Repeat("é", 256) + `"
}`, cpExactError(`Attribute title UTF-8 character count must be between 1 and 255, got: 256`)},
		{"symbol 51 multi-byte", `resource "cliq_pin_folder" "x" {
  title  = "X"
  symbol = "` + strings.Repeat("☺", 51) + `"
}`, cpExactError(`Attribute symbol UTF-8 character count must be at most 50, got: 51`)},
		{"100 chat ids are fine", `resource "cliq_pin_folder" "x" {
  title    = "X"
  chat_ids = ` + pinFolderHCLList(hundred...) + `
}`, nil},
		{"timeouts not a duration", `resource "cliq_pin_folder" "x" {
  title = "X"
  timeouts {
    create = "soon"
  }
}`, pinFolderErrorRegexp(`Invalid Attribute Value Time Duration`, `create = "soon"`, `must be a string containing a sequence of decimal numbers, each with optional fraction and a unit suffix, such as "300ms"`)},
		{"folder_ids with a slash", `resource "cliq_pin_folder_order" "x" {
  folder_ids = ["4000000020001", "4000/1"]
}`, cpExactError(`folder_ids[1] "4000/1" contains '/', which no Cliq id holds, so it cannot be a chat folder id`)},
		{"folder_ids empty", `resource "cliq_pin_folder_order" "x" {
  folder_ids = []
}`, cpExactError(`Attribute folder_ids list must contain at least 2 elements, got: 0`)},
		{"folder_ids default last", `resource "cliq_pin_folder_order" "x" {
  folder_ids = ["4000000020001", "default"]
}`, cpExactError(`folder_ids[1] is "default", My Pins, which always comes first and cannot be ordered.`)},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		step := resource.TestStep{Config: env.Provider + c.hcl, PlanOnly: true, ExpectError: c.want}
		if c.want == nil {
			step.ExpectNonEmptyPlan = true
		}
		steps = append(steps, step)
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
	for _, e := range env.Fake.RequestLog() {
		if e.Op != fakecliq.OpListFolders {
			t.Errorf("plan-time validation sent a write to Cliq: %s %s", e.Method, e.Path)
		}
	}
}

// TestAccBadInput_nullElements: a null in a list of ids is as wrong as a malformed id, and must be
// rejected at plan time naming the attribute, not reach apply.
func TestAccBadInput_nullElements(t *testing.T) {
	for name, hcl := range map[string]string{
		"chat_ids": `resource "cliq_pin_folder" "x" {
  title    = "X"
  chat_ids = ["1", null]
}`,
		"folder_ids": `resource "cliq_pin_folder_order" "x" {
  folder_ids = ["4000000020001", null]
}`,
	} {
		t.Run(name, func(t *testing.T) {
			env := newAccEnv(t, fakecliq.Options{})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProviders,
				Steps: []resource.TestStep{{
					Config:      env.Provider + hcl,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(`(?s)Error: .*` + name),
				}},
			})
		})
	}
}

// TestAccBadInput_applyTime: ids that are well formed but unknown to the account fail when they are
// used, naming the attribute (Terraform quotes the configuration line) and the fix.
func TestAccBadInput_applyTime(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	existing := env.Fake.CreateFolderOOB("Existing", "", nil)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: env.Provider + `resource "cliq_chat_pin" "x" {
  chat_id   = "1"
  folder_id = "4000000099999"
}`,
				ExpectError: pinFolderErrorRegexp(`Could not pin the chat`, `folder_id = "4000000099999"`, `The chat folder "4000000099999" does not exist`,
					`create it, for example with a cliq_pin_folder resource, or set folder_id to "default" to pin into My Pins.`),
			},
			{
				Config: env.Provider + fmt.Sprintf(`resource "cliq_pin_folder_order" "x" {
  folder_ids = [%q, "4000000099999"]
}`, existing),
				ExpectError: regexp.MustCompile(`(?s)Could not order the chat folders.*folder_ids.*4000000099999.*(deleted outside Terraform|apply again)`),
			},
		},
	})
}

// TestAccBadInput_importIDs: malformed import ids of cliq_chat_pin say what the id looks like.
func TestAccBadInput_importIDs(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := env.Provider + `resource "cliq_chat_pin" "x" {
  chat_id = "1"
}`
	var steps []resource.TestStep
	for _, id := range []string{"default/CT_1 2", "My Pins/1", "4000000020001/1/2", "/1", "default/", "default/CT_1?x"} {
		steps = append(steps, resource.TestStep{
			Config: config, ResourceName: "cliq_chat_pin.x", ImportState: true, ImportStateId: id,
			ExpectError: regexp.MustCompile(`(?s)Invalid import id.*<folder_id>/<chat_id>.*"default/CT_1847392056173920481_748291635"\s+for\s+My\s+Pins`),
		})
	}
	steps = append(steps, resource.TestStep{
		Config: config, ResourceName: "cliq_chat_pin.x", ImportState: true, ImportStateId: "https://cliq.zoho.com/app/chats/CT_1847392056173920481_748291635",
		ExpectError: cpExactError(`the import id "https://cliq.zoho.com/app/chats/CT_1847392056173920481_748291635" is the chat's URL, not its id: use "CT_1847392056173920481_748291635"`),
	}, resource.TestStep{
		Config: config, ResourceName: "cliq_chat_pin.x", ImportState: true, ImportStateId: "CT_1847392056173920481_55622663-B2",
		ExpectError: cpExactError(`Chat "CT_1847392056173920481_55622663-B2" is not pinned in My Pins nor in any chat folder.`),
	})
	steps = append(steps, resource.TestStep{
		Config: config, ResourceName: "cliq_chat_pin.x", ImportState: true, ImportStateId: "4000000099999/1",
		ExpectError: regexp.MustCompile(`(?i)cannot import non-existent remote object`),
	})
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProviders, Steps: steps})
}
