package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// The fake's seeded directory (fakecliq.DemoChats), by name: the tests treat its ids as opaque.
var (
	seededStandup  = seededChatID("Standup")
	seededAlpha    = seededChatID("Project Alpha")
	seededProjWeb  = seededChatID("proj-web")
	seededProjAPI  = seededChatID("proj-api")
	seededProjMob  = seededChatID("proj-mobile")
	seededPriya    = seededChatID("Priya Raman")
	seededTim      = seededChatID("Tim Harrison")
	seededBot      = seededChatID("Deploy Bot")
	seededChecklst = seededChatID("Alpha launch checklist")
)

func seededChatID(name string) string {
	for _, c := range fakecliq.DemoChats() {
		if c.Name == name {
			return c.ChatID
		}
	}
	panic("no seeded chat named " + name)
}

func chatsChat(id, name, typ string, count int64, pinned bool) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"chat_id":           knownvalue.StringExact(id),
		"name":              knownvalue.StringExact(name),
		"chat_type":         knownvalue.StringExact(typ),
		"participant_count": knownvalue.Int64Exact(count),
		"pinned":            knownvalue.Bool(pinned),
	})
}

// chatsRequests checks the number of chat list requests since the last ResetCounts, and that none
// was throttled.
func chatsRequests(fake *fakecliq.Server, want int) error {
	if got := fake.RequestCount(fakecliq.OpListChats); got != want {
		return fmt.Errorf("%d chat list requests, want %d (one per distinct filter)", got, want)
	}
	if n := fake.ThrottledCount(fakecliq.OpListChats); n > 0 {
		return fmt.Errorf("%d chat list requests were throttled", n)
	}
	return nil
}

type chatsPlanCount struct {
	fake *fakecliq.Server
	want int
}

func (c chatsPlanCount) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = chatsRequests(c.fake, c.want)
}

// A configuration pins three chats it finds by name. It plans clean after the apply, and each plan
// costs one chat list request per distinct filter: four data sources, three filters.
func TestAccChatsDataSource_pinsThreeChatsByName(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := env.Provider + `
data "cliq_chats" "standup" {
  name_exact = "Standup"
}

# The same filter as above: served by the same request.
data "cliq_chats" "standup_again" {
  name_exact = "Standup"
}

data "cliq_chats" "alpha" {
  name_exact = "Project Alpha"
  type       = "channel"
}

data "cliq_chats" "manager" {
  name_exact = "Priya Raman"
  type       = "direct_message"
}

resource "cliq_pin_folder" "team" {
  title    = "Team"
  chat_ids = [data.cliq_chats.alpha.chats[0].chat_id, data.cliq_chats.manager.chats[0].chat_id]
}

resource "cliq_chat_pin" "standup" {
  chat_id = data.cliq_chats.standup.chats[0].chat_id
}

output "same" {
  value = data.cliq_chats.standup.chats == data.cliq_chats.standup_again.chats
}
`
	var teamID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: env.Fake.ResetCounts,
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.cliq_chats.standup", tfjsonpath.New("chats"), knownvalue.ListExact([]knownvalue.Check{
						chatsChat(seededStandup, "Standup", "channel", 14, false),
					})),
					statecheck.ExpectKnownValue("data.cliq_chats.manager", tfjsonpath.New("chats"), knownvalue.ListExact([]knownvalue.Check{
						chatsChat(seededPriya, "Priya Raman", "direct_message", 2, false),
					})),
					statecheck.ExpectKnownValue("cliq_chat_pin.standup", tfjsonpath.New("chat_id"), knownvalue.StringExact(seededStandup)),
					statecheck.ExpectKnownOutputValue("same", knownvalue.Bool(true)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					func(s *terraform.State) error {
						teamID = s.RootModule().Resources["cliq_pin_folder.team"].Primary.ID
						return nil
					},
					func(s *terraform.State) error { return cpFolderChats(env.Fake, teamID, seededAlpha, seededPriya)(s) },
					cpFolderChats(env.Fake, "default", seededStandup),
				),
			},
			{
				// A plan of the applied configuration: nothing to change, three chat list requests.
				PreConfig: env.Fake.ResetCounts,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), chatsPlanCount{env.Fake, 3}},
				},
			},
		},
	})
}

// name_exact fails the plan when no chat or several chats have the name, listing the candidates
// (at most ten) with their ids and types.
func TestAccChatsDataSource_nameExactListsTheCandidates(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	env.Fake.AddChat(fakecliq.Chat{ChatID: "CT_2847392056173920481_748291600", ChatType: "group_chat", Name: "Standup", ParticipantCount: 3})
	for i := range 14 {
		env.Fake.AddChat(fakecliq.Chat{ChatID: fmt.Sprint(7300100 + i), ChatType: "channel", Name: fmt.Sprintf("ops-%02d", i)})
	}
	exact := func(name, extra string) string {
		return env.Provider + fmt.Sprintf("data \"cliq_chats\" \"c\" {\n  name_exact = %q\n%s}\n", name, extra)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: exact("proj", ""),
				ExpectError: cpExactError(`No chat is named exactly "proj" (name_exact = "proj"). Chats whose name contains it: ` +
					`- "Project Alpha" (chat_id "` + seededAlpha + `", channel) - "proj-api" (chat_id "` + seededProjAPI + `", channel) ` +
					`- "proj-mobile" (chat_id "` + seededProjMob + `", channel) - "proj-web" (chat_id "` + seededProjWeb + `", channel) ` +
					`Set name_exact to one of these names`),
			},
			{
				Config: exact("Standup", ""),
				ExpectError: cpExactError(`2 chats are named exactly "Standup" (name_exact = "Standup"): ` +
					`- "Standup" (chat_id "` + seededStandup + `", channel) - "Standup" (chat_id "CT_2847392056173920481_748291600", group_chat) Pick one by its id`),
			},
			{
				// Another filter tells them apart.
				Config: exact("Standup", "  type = \"channel\"\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.cliq_chats.c", tfjsonpath.New("chats"), knownvalue.ListExact([]knownvalue.Check{
						chatsChat(seededStandup, "Standup", "channel", 14, false),
					})),
				},
			},
			{
				// Fourteen candidates: ten are listed.
				Config:      exact("ops", ""),
				ExpectError: cpExactError(`- "ops-08" (chat_id "7300108", channel) - "ops-09" (chat_id "7300109", channel) … and 4 more`),
			},
			{
				Config:      exact("Nothing like it", "  type = \"bot\"\n"),
				ExpectError: cpExactError(`No chat is named exactly "Nothing like it" (name_exact = "Nothing like it", type = "bot"). No chat's name contains it either`),
			},
		},
	})
}

// Every filter, alone and together, and a list that may be cut short.
func TestAccChatsDataSource_filters(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	if err := env.Fake.PinChatOOB(seededProjAPI, "default"); err != nil {
		t.Fatal(err)
	}
	for i := range cliq.ChatsLimit {
		env.Fake.AddChat(fakecliq.Chat{ChatID: fmt.Sprint(7400000 + i), ChatType: "channel", Name: fmt.Sprintf("bulk-%03d", i)})
	}
	config := env.Provider + fmt.Sprintf(`
data "cliq_chats" "proj" {
  name = "proj-"
  type = "channel"
}

data "cliq_chats" "proj_pinned" {
  name   = "proj-"
  pinned = true
}

data "cliq_chats" "proj_unpinned" {
  name   = "proj-"
  pinned = false
}

data "cliq_chats" "dms" {
  type = "direct_message"
}

data "cliq_chats" "threads" {
  parent_chat_id = %[1]q
}

data "cliq_chats" "by_id" {
  chat_ids = [%[2]q, %[3]q]
}

data "cliq_chats" "none" {
  name = "nothing like it"
}
`, seededAlpha, seededBot, seededStandup)
	ds := func(name string, chats ...knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.cliq_chats."+name, tfjsonpath.New("chats"), knownvalue.ListExact(chats))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				PreConfig: env.Fake.ResetCounts,
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					ds("proj", chatsChat(seededProjAPI, "proj-api", "channel", 6, true), chatsChat(seededProjMob, "proj-mobile", "channel", 5, false),
						chatsChat(seededProjWeb, "proj-web", "channel", 7, false)),
					ds("proj_pinned", chatsChat(seededProjAPI, "proj-api", "channel", 6, true)),
					ds("proj_unpinned", chatsChat(seededProjMob, "proj-mobile", "channel", 5, false), chatsChat(seededProjWeb, "proj-web", "channel", 7, false)),
					ds("dms", chatsChat(seededPriya, "Priya Raman", "direct_message", 2, false), chatsChat(seededTim, "Tim Harrison", "direct_message", 2, false)),
					ds("threads", chatsChat(seededChecklst, "Alpha launch checklist", "thread", 5, false)),
					ds("by_id", chatsChat(seededBot, "Deploy Bot", "bot", 1, false), chatsChat(seededStandup, "Standup", "channel", 14, false)),
					ds("none"),
				},
			},
			{
				// 100 chats match: Cliq's most, so some may be missing. The plan fails.
				Config: env.Provider + `
data "cliq_chats" "bulk" {
  name = "bulk-"
}
`,
				ExpectError: cpExactError(`Cliq answered 100 chats for this filter, the most it sends at once, and offers no paging, ` +
					`so more chats may match and the list would be cut short. Narrow the filter of this cliq_chats (name = "bulk-")`),
			},
		},
	})
}

// Bad arguments fail at plan time with errors that name the attribute and the fix.
func TestAccChatsDataSource_badArguments(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{Config: env.Provider + "data \"cliq_chats\" \"c\" {\n" + body + "\n}\n", ExpectError: cpExactError(want)}
	}
	manyIDs := make([]string, cliq.ChatsLimit+1)
	for i := range manyIDs {
		manyIDs[i] = fmt.Sprintf("%q", fmt.Sprint(9000+i))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			step(`type = "dm"`, `Attribute type must be one of "direct_message", "channel", "bot" or "thread", got: "dm". Use "direct_message"`),
			step(`type = "threads"`, `got: "threads". Use "thread"`),
			step(`type = "group_chat"`, `Cliq has no filter for group chats: find them by name instead.`),
			step("name = \"a\"\nname_exact = \"a\"", `Attribute "name_exact" cannot be specified when "name" is specified`),
			step(`name = ""`, `Attribute name string length must be at least 1`),
			step(`name_exact = ""`, `Attribute name_exact string length must be at least 1`),
			step(`chat_ids = []`, `Attribute chat_ids list must contain at least 1 elements and at most 100 elements`),
			step("chat_ids = ["+strings.Join(manyIDs, ",")+"]", `list must contain at least 1 elements and at most 100 elements, got: 101`),
			step(`chat_ids = ["1,2"]`, `must be a Cliq chat id (as in the chat's browser URL), without commas or spaces`),
			step(`parent_chat_id = " "`, `Attribute parent_chat_id must be a Cliq chat id`),
		},
	})
}

// Many data sources with distinct filters, planned at a parallelism far above the chat list's
// threshold: the fake, which enforces 30 a minute over a sliding (scaled) minute and would lock
// the chat list for ten, throttles none, and no window holds more than 30.
func TestChatsDataSourcesStayUnderTheThreshold(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI")
	}
	t.Parallel()
	const sources = 75
	window := concurrencyWindow
	fake, srv := fakecliq.NewTestServer(t, fakecliq.Options{RateWindow: window, LockPeriod: 5 * window, OpenAPISpec: fakecliq.FindOpenAPISpec()})
	r := newCLIRun(t, map[string]string{"CLIQ_API_URL": srv.URL, "CLIQ_ACCESS_TOKEN": fake.AccessToken(), "CLIQ_TIME_SCALE": fmt.Sprint(concurrencyScale)})
	r.writeConfig(cliRequiredProviders + fmt.Sprintf(`
provider "cliq" {}

data "cliq_chats" "c" {
  count = %d
  name  = "chat ${count.index}"
}

output "found" {
  value = sum([for c in data.cliq_chats.c : length(c.chats)])
}
`, sources))
	if out, err := r.terraform(nil, "plan", "-parallelism=200", "-no-color"); err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	if err := chatsRequests(fake, sources); err != nil {
		t.Fatal(err)
	}
	if n := fake.LockCount(fakecliq.OpListChats); n > 0 {
		t.Fatalf("the chat list was locked %d times", n)
	}
	var times []time.Time
	for _, e := range fake.RequestLog() {
		if e.Op == fakecliq.OpListChats {
			times = append(times, e.Time)
		}
	}
	if peak := peakInWindow(times, window); peak > fakecliq.DefaultThreshold(fakecliq.OpListChats) {
		t.Fatalf("%d chat list requests in one window, over the threshold of 30", peak)
	}
}
