package provider

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// pinFolderOrderOnServer is the server's folder order (without My Pins).
func pinFolderOrderOnServer(env *accEnv) []string {
	var ids []string
	for _, f := range env.Fake.Folders() {
		if f.ID != fakecliq.DefaultFolderID {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// testAccPinFolderOrderTop checks that the folders behind addrs sit at the top of the server's
// folder list in this order.
func testAccPinFolderOrderTop(env *accEnv, addrs ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var want []string
		for _, addr := range addrs {
			rs, ok := s.RootModule().Resources[addr]
			if !ok {
				return fmt.Errorf("%s is not in the state", addr)
			}
			want = append(want, rs.Primary.ID)
		}
		got := pinFolderOrderOnServer(env)
		if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
			return fmt.Errorf("server folder order %v, want %v at the top", got, want)
		}
		return nil
	}
}

// TestAccPinFolderOrder_basic: three folders ordered, reordered; a folder created outside Terraform
// causes no diff; an outside reorder and an outside delete show as drift and are restored; import.
func TestAccPinFolderOrder_basic(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := func(order ...string) string {
		refs := ""
		for i, name := range order {
			if i > 0 {
				refs += ", "
			}
			refs += "cliq_pin_folder." + name + ".id"
		}
		return env.Provider + `
resource "cliq_pin_folder" "a" { title = "A" }
resource "cliq_pin_folder" "b" { title = "B" }
resource "cliq_pin_folder" "c" { title = "C" }

resource "cliq_pin_folder_order" "main" {
  folder_ids = [` + refs + `]
}
`
	}
	var idA, idB, idC, outside string
	var moves, lists int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		// Destroying the order changes nothing; the folders go, the outside one stays.
		CheckDestroy: func(*terraform.State) error {
			if got := pinFolderOrderOnServer(env); !slices.Equal(got, []string{outside}) {
				return fmt.Errorf("folders left after destroy: %v, want only the outside folder %s", got, outside)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config("a", "b", "c"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_pin_folder_order.main", tfjsonpath.New("id"), knownvalue.StringExact("folders")),
					statecheck.ExpectKnownValue("cliq_pin_folder_order.main", tfjsonpath.New("folder_ids"), knownvalue.ListSizeExact(3)),
					statecheck.CompareValueCollection("cliq_pin_folder_order.main", []tfjsonpath.Path{tfjsonpath.New("folder_ids")},
						"cliq_pin_folder.a", tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPinFolderOrderTop(env, "cliq_pin_folder.a", "cliq_pin_folder.b", "cliq_pin_folder.c"),
					testAccPinFolderID("cliq_pin_folder.a", &idA),
					testAccPinFolderID("cliq_pin_folder.b", &idB),
					testAccPinFolderID("cliq_pin_folder.c", &idC),
				),
			},
			{
				// c to the top: one move.
				PreConfig: func() { moves = pinFolderSucceeded(env, fakecliq.OpReorderFolder) },
				Config:    config("c", "a", "b"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("cliq_pin_folder_order.main", plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("cliq_pin_folder.a", plancheck.ResourceActionNoop),
					},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccPinFolderOrderTop(env, "cliq_pin_folder.c", "cliq_pin_folder.a", "cliq_pin_folder.b"),
					testAccPinFolderRequests(env, fakecliq.OpReorderFolder, &moves, 1),
				),
			},
			{
				// A folder created outside Terraform: no diff, and one list read for the whole plan.
				PreConfig: func() {
					outside = env.Fake.CreateFolderOOB("Made in Cliq", "", []string{"7001"})
					lists = env.Fake.RequestCount(fakecliq.OpListFolders)
				},
				Config:   config("c", "a", "b"),
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), pinFolderListCountCheck{env, &lists, 1}},
				},
			},
			{
				// Even at the top of the list, an unlisted folder causes no diff.
				PreConfig: func() {
					if err := env.Fake.MoveFolderOOB(outside, idC); err != nil {
						t.Fatal(err)
					}
				},
				Config:   config("c", "a", "b"),
				PlanOnly: true,
			},
			{
				// Reordered outside Terraform: drift, then restored, moving only the drifted pair:
				// the unlisted folder moved to the top by hand stays there (issue 18).
				PreConfig: func() {
					if err := env.Fake.MoveFolderOOB(idA, ""); err != nil {
						t.Fatal(err)
					}
				},
				Config: config("c", "a", "b"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("cliq_pin_folder_order.main", plancheck.ResourceActionUpdate),
					},
				},
				Check: func(*terraform.State) error {
					if got, want := pinFolderOrderOnServer(env), []string{outside, idC, idA, idB}; !slices.Equal(got, want) {
						return fmt.Errorf("server folder order %v, want %v: only a's place was to change", got, want)
					}
					return nil
				},
			},
			{
				// A listed folder deleted outside Terraform: it is recreated and put back in place.
				PreConfig: func() {
					if err := env.Fake.DeleteFolderOOB(idA); err != nil {
						t.Fatal(err)
					}
				},
				Config: config("c", "a", "b"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("cliq_pin_folder.a", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("cliq_pin_folder_order.main", plancheck.ResourceActionUpdate),
					},
				},
				// Below the unlisted folder that a person put on top, which stays there.
				Check: func(st *terraform.State) error {
					want := []string{outside}
					for _, addr := range []string{"cliq_pin_folder.c", "cliq_pin_folder.a", "cliq_pin_folder.b"} {
						want = append(want, st.RootModule().Resources[addr].Primary.ID)
					}
					if got := pinFolderOrderOnServer(env); !slices.Equal(got, want) {
						return fmt.Errorf("server folder order %v, want %v", got, want)
					}
					return nil
				},
			},
			{
				ResourceName:  "cliq_pin_folder_order.main",
				ImportState:   true,
				ImportStateId: "folders",
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].ID != "folders" {
						return fmt.Errorf("imported %d states, want one with id folders", len(states))
					}
					// An import knows no list yet: it reports every folder, in order.
					if n := states[0].Attributes["folder_ids.#"]; n != "4" {
						return fmt.Errorf("imported folder_ids has %s entries, want all 4 folders", n)
					}
					if got := states[0].Attributes["folder_ids.0"]; got != outside {
						return fmt.Errorf("imported folder_ids[0] = %s, want the outside folder %s, which a person put on top", got, outside)
					}
					return nil
				},
			},
			{
				ResourceName:  "cliq_pin_folder_order.main",
				ImportState:   true,
				ImportStateId: "order",
				ExpectError:   pinFolderErrorRegexp(`imported with the id "folders", not "order"`),
			},
			{
				Config:   config("c", "a", "b"),
				PlanOnly: true,
			},
		},
	})
}
