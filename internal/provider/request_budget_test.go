package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// The request budget of a mid-size configuration (12 folders, 36 pins into them): what a create,
// a refresh plan and a destroy cost in requests, counted by the fake (not timed). The bounds follow
// from the client's design, so a change that adds requests fails here before it shows in
// `make bench` (docs/performance.md) or, worse, as a five-minute lock at a user's.
const (
	budgetFolders       = 12
	budgetPinsPerFolder = 3
	budgetPins          = budgetFolders * budgetPinsPerFolder
)

func TestAccRequestBudget_midSize(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := env.Provider + fmt.Sprintf(`
resource "cliq_pin_folder" "f" {
  count  = %[1]d
  title  = "Budget ${count.index}"
  symbol = ":smile:"
}

resource "cliq_chat_pin" "p" {
  count     = %[2]d
  folder_id = cliq_pin_folder.f[floor(count.index / %[3]d)].id
  chat_id   = tostring(8000 + count.index)
}
`, budgetFolders, budgetPins, budgetPinsPerFolder)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				// Create. The plan reads nothing (there is no state to refresh). The apply reads the
				// list once: CreateFolder needs to know the folders that exist before it (to adopt
				// a folder an ambiguous create made), and every later operation of that provider
				// process works from the same read, kept current by the client's own writes: a pin
				// needs only the folder's membership (not the new pin's uncertain position), and a
				// new folder holds no chats whose details would need a re-read. The writes are one
				// create per folder, and the pins: pins in flight together into one folder share a
				// replace (operation 8), a pin alone is a pin_chat (operation 9). How Terraform's 10
				// parallel operations fall across folders decides the mix, so the check is that each
				// chat reaches its folder exactly once, in at most one request per pin, and that no
				// request is refused. The folders are created "expanded", the default state, so
				// nothing is modified afterwards.
				PreConfig: env.Fake.ResetCounts,
				Config:    config,
				Check: resource.ComposeAggregateTestCheckFunc(
					budgetExpect(env, "create", map[fakecliq.Op]int{
						fakecliq.OpListFolders:  1,
						fakecliq.OpCreateFolder: budgetFolders,
						fakecliq.OpPinChat:      -1, // checked below
						fakecliq.OpReplaceChats: -1,
					}),
					func(*terraform.State) error { return checkPinsSentOnce(env) },
				),
			},
			{
				// Refresh plan: the 48 reads share one list request, and nothing else is sent.
				PreConfig: env.Fake.ResetCounts,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
						budgetPlanCheck{env, map[fakecliq.Op]int{fakecliq.OpListFolders: 1}},
					},
				},
			},
			{
				// Destroy (the configuration without resources). One list for the plan's refresh and
				// one for the apply's provider process. Each pin leaves its folder by a replace of that
				// folder's chats (operation 8), never an unpin, which would reach every folder: the
				// removals from one folder that are in flight together share one replace. A folder
				// replaced again (its pins fell into two of Terraform's waves) first gets a read that
				// shows the earlier replace, so none is refused; reads are shared. One delete per folder.
				PreConfig: env.Fake.ResetCounts,
				Config:    env.Provider,
				Check: resource.ComposeAggregateTestCheckFunc(
					budgetExpect(env, "destroy", map[fakecliq.Op]int{
						fakecliq.OpListFolders:  -1, // checked below
						fakecliq.OpDeleteFolder: budgetFolders,
						fakecliq.OpReplaceChats: -1,
					}),
					func(*terraform.State) error {
						replaces := env.Fake.RequestCount(fakecliq.OpReplaceChats)
						if replaces < budgetFolders || replaces > budgetPins {
							return fmt.Errorf("destroy: %d replace_chats for %d pins in %d folders", replaces, budgetPins, budgetFolders)
						}
						// A folder replaced again waits for a read late enough to show the first
						// replace; joining a read that another folder started earlier may take two.
						if lists, most := env.Fake.RequestCount(fakecliq.OpListFolders), 2+2*(replaces-budgetFolders); lists > most {
							return fmt.Errorf("destroy: %d list reads, want at most %d (two, and at most two per folder replaced again)", lists, most)
						}
						if err := checkNoRefusals(env.Fake); err != nil {
							return err
						}
						return checkReplacesProven(env.Fake)
					},
				),
			},
		},
	})
}

// checkNoRefusals fails if Cliq refused any request of the client's as not synced: the client
// sends a sync-checked request only on a read that proves the folder, and nobody else wrote.
func checkNoRefusals(fake *fakecliq.Server) error {
	for _, r := range fake.RequestLog() {
		if r.Code == "client_not_synced" {
			return fmt.Errorf("%s %s was refused as not synced", r.Op, r.Path)
		}
	}
	return nil
}

// checkReplacesProven checks the order of requests that the proof rule requires: a folder that
// was replaced is replaced again only after a list read that came after the first replace.
func checkReplacesProven(fake *fakecliq.Server) error {
	replaced := map[string]bool{} // folder -> replaced since the latest read
	for _, r := range fake.RequestLog() {
		switch r.Op {
		case fakecliq.OpListFolders:
			clear(replaced)
		case fakecliq.OpReplaceChats:
			if replaced[r.Path] {
				return fmt.Errorf("%s was replaced twice with no read between", r.Path)
			}
			replaced[r.Path] = true
		}
	}
	return nil
}

// checkPinsSentOnce checks that the create step pinned the chats of every folder, each request
// bringing in at least one new chat (so never more requests than pins), and that Cliq refused none.
func checkPinsSentOnce(env *accEnv) error {
	pinned := map[string][]string{} // folder -> chats, in the order they were first sent
	requests := 0
	for _, r := range env.Fake.RequestLog() {
		var folder string
		var chats []string
		switch r.Op {
		case fakecliq.OpPinChat:
			var body struct {
				CategoryID string `json:"category_id"`
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				return fmt.Errorf("pin_chat body %q: %w", r.Body, err)
			}
			folder, chats = body.CategoryID, []string{strings.Split(r.Path, "/")[4]}
		case fakecliq.OpReplaceChats:
			var body struct {
				ChatIDs []string `json:"chat_ids"`
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				return fmt.Errorf("replace_chats body %q: %w", r.Body, err)
			}
			folder, chats = strings.Split(r.Path, "/")[4], body.ChatIDs
		default:
			continue
		}
		requests++
		if r.Status >= 400 {
			return fmt.Errorf("create: %s %s was refused: %d %s", r.Op, r.Path, r.Status, r.Code)
		}
		before := len(pinned[folder])
		for _, chat := range chats {
			if !slices.Contains(pinned[folder], chat) {
				pinned[folder] = append(pinned[folder], chat)
			}
		}
		if len(pinned[folder]) == before {
			return fmt.Errorf("create: %s %s %s pinned nothing new into folder %s", r.Op, r.Path, r.Body, folder)
		}
	}
	if len(pinned) != budgetFolders || requests > budgetPins {
		return fmt.Errorf("create: %d requests pinned into %d folders, want %d folders in at most %d requests", requests, len(pinned), budgetFolders, budgetPins)
	}
	for folder, chats := range pinned {
		if len(chats) != budgetPinsPerFolder {
			return fmt.Errorf("create: folder %s got %v, want %d chats", folder, chats, budgetPinsPerFolder)
		}
	}
	return nil
}

// budgetCounts compares the fake's request counts with want (ops not in want must be 0; -1 means
// "checked elsewhere"), and requires that nothing was throttled or locked.
func budgetCounts(env *accEnv, want map[fakecliq.Op]int) error {
	var diffs []string
	for _, op := range fakecliq.AllOps() {
		got, w := env.Fake.RequestCount(op), want[op]
		if w >= 0 && got != w {
			diffs = append(diffs, fmt.Sprintf("%s %d (want %d)", op, got, w))
		}
		if n := env.Fake.ThrottledCount(op); n > 0 {
			diffs = append(diffs, fmt.Sprintf("%s throttled %d times", op, n))
		}
		if n := env.Fake.LockCount(op); n > 0 {
			diffs = append(diffs, fmt.Sprintf("%s locked %d times", op, n))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("requests: %s", strings.Join(diffs, ", "))
	}
	return nil
}

func budgetExpect(env *accEnv, step string, want map[fakecliq.Op]int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if err := budgetCounts(env, want); err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
		return nil
	}
}

// budgetPlanCheck checks the counts right after the plan, before anything is applied.
type budgetPlanCheck struct {
	env  *accEnv
	want map[fakecliq.Op]int
}

func (c budgetPlanCheck) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if err := budgetCounts(c.env, c.want); err != nil {
		resp.Error = fmt.Errorf("refresh plan: %w", err)
	}
}
