package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestAccCliqNetworkAPIURL runs the provider against a Cliq network: api_url is the network's root
// (https://cliq.zoho.com/network/{NETWORK_UNIQUE_NAME}), and the fake serves the API only under it,
// so every request has to go to /network/zylkerclients/api/v3/…; the refresh token goes to the
// accounts server's root.
func TestAccCliqNetworkAPIURL(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{Network: "zylkerclients", ClientID: "1000.NET", ClientSecret: "net-secret", RefreshToken: "1000.net-refresh"})
	networkURL := env.URL + "/network/zylkerclients"
	hook, _ := testConfigHooks.Load(env.URL)
	testConfigHooks.Store(networkURL, hook)
	t.Cleanup(func() { testConfigHooks.Delete(networkURL) })
	config := fmt.Sprintf(`
provider "cliq" {
  api_url       = %q
  client_id     = "1000.NET"
  client_secret = "net-secret"
  refresh_token = "1000.net-refresh"
}

resource "cliq_pin_folder" "partners" {
  title    = "Partners"
  chat_ids = ["1488288613043522033"]
}
`, networkURL)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("cliq_pin_folder.partners", tfjsonpath.New("chat_ids"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("1488288613043522033")})),
				},
			},
			{ResourceName: "cliq_pin_folder.partners", ImportState: true, ImportStateVerify: true},
		},
	})
	if n := env.Fake.RequestCount(fakecliq.OpCreateFolder); n != 1 {
		t.Fatalf("create requests under the network root = %d, want 1", n)
	}
}

// TestAccDataCenterUAE: data_center = "ae" (Cliq's UAE data centre) is accepted.
func TestAccDataCenterUAE(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("provider \"cliq\" {\n  data_center = \"ae\"\n  api_url = %q\n  access_token = %q\n}\n%s", env.URL, env.Fake.AccessToken(), readFolders),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.cliq_pin_folders.all", tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("id"), knownvalue.StringExact("default")),
			},
		}},
	})
}
