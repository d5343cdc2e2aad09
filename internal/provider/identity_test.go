package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// Resource identity through a real CLI (Terraform 1.12+, OpenTofu 1.12+). The default run, on an
// older terraform, skips these; TestCLIMatrix runs them under the CLIs in ../shared/tools.

// Import of a cliq_pin_folder by identity: the identity recorded in state, and an import block with
// identity = { category_id = ... } that plans no change.
func TestAccPinFolder_identity(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	config := env.Provider + `
resource "cliq_pin_folder" "f" {
  title    = "Identity"
  symbol   = ":key:"
  chat_ids = ["CT_1847392056173920481_748291635", "CT_1207124526552602256_60002085329-T-1291567019566818579"]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("cliq_pin_folder.f", map[string]knownvalue.Check{
						"category_id": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9]+$`)), // the fake issues folder ids as Cliq does: digits,
					}),
					statecheck.ExpectIdentityValueMatchesStateAtPath("cliq_pin_folder.f", tfjsonpath.New("category_id"), tfjsonpath.New("id")),
				},
			},
			{
				ResourceName:    "cliq_pin_folder.f",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			// The import block alone: plan -generate-config-out writes the resource, and the
			// import with it plans no change.
			{
				Config:          env.Provider,
				ResourceName:    "cliq_pin_folder.f",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				GenerateConfig:  true,
			},
		},
	})
}

// An import block that names only the chat (folder_id is optional for import): the provider finds
// the one folder that holds it, and the import plans no change.
func TestAccChatPin_identityChatOnly(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	folder := env.Fake.CreateFolderOOB("Team", "", []string{"CT_1847392056173920481_P87610291-C4", "CT_1847392056173920481_55622663-B2"})
	config := env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "p" {
  folder_id = %q
  chat_id   = "CT_1847392056173920481_P87610291-C4"
  pin_above = "CT_1847392056173920481_55622663-B2"
}

import {
  to       = cliq_chat_pin.p
  identity = { chat_id = "CT_1847392056173920481_P87610291-C4" }
}
`, folder)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("cliq_chat_pin.p", plancheck.ResourceActionNoop),
						expectImporting("cliq_chat_pin.p"),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity("cliq_chat_pin.p", map[string]knownvalue.Check{
						"folder_id": knownvalue.StringExact(folder),
						"chat_id":   knownvalue.StringExact("CT_1847392056173920481_P87610291-C4"),
					}),
				},
				Check: cpFolderChats(env.Fake, folder, "CT_1847392056173920481_P87610291-C4", "CT_1847392056173920481_55622663-B2"),
			},
		},
	})
}

// Moving a pin to another folder changes its identity in place (MutableIdentity): the CLI accepts
// the new identity from the update, and the state records it.
func TestAccChatPin_identityFollowsMove(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	a := env.Fake.CreateFolderOOB("A", "", nil)
	b := env.Fake.CreateFolderOOB("B", "", nil)
	config := func(folder string) string {
		return env.Provider + fmt.Sprintf(`
resource "cliq_chat_pin" "p" {
  folder_id = %q
  chat_id   = "CT_1207124526552602256_60002085329-T-1291567019566818579"
}
`, folder)
	}
	identity := func(folder string) statecheck.StateCheck {
		return statecheck.ExpectIdentity("cliq_chat_pin.p", map[string]knownvalue.Check{
			"folder_id": knownvalue.StringExact(folder),
			"chat_id":   knownvalue.StringExact("CT_1207124526552602256_60002085329-T-1291567019566818579"),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		CheckDestroy:             cpNotPinned(env.Fake, "CT_1207124526552602256_60002085329-T-1291567019566818579"),
		Steps: []resource.TestStep{
			{
				Config:            config(a),
				ConfigStateChecks: []statecheck.StateCheck{identity(a)},
			},
			{
				Config: config(b),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("cliq_chat_pin.p", plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{identity(b)},
				Check:             cpFolderChats(env.Fake, b, "CT_1207124526552602256_60002085329-T-1291567019566818579"),
			},
			{
				Config:            config("default"),
				ConfigStateChecks: []statecheck.StateCheck{identity("default")},
				Check:             cpFolderChats(env.Fake, "default", "CT_1207124526552602256_60002085329-T-1291567019566818579"),
			},
			// The moved pin imports by its new identity with no change, also with a generated
			// configuration.
			{
				ResourceName:    "cliq_chat_pin.p",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				Config:          env.Provider,
				ResourceName:    "cliq_chat_pin.p",
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				GenerateConfig:  true,
			},
		},
	})
}

// expectImporting fails unless the plan imports addr.
func expectImporting(addr string) plancheck.PlanCheck { return expectImportingCheck{addr} }

type expectImportingCheck struct{ addr string }

func (e expectImportingCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address == e.addr {
			if rc.Change == nil || rc.Change.Importing == nil {
				resp.Error = fmt.Errorf("%s is not imported by the plan", e.addr)
			}
			return
		}
	}
	resp.Error = fmt.Errorf("%s is not in the plan", e.addr)
}
