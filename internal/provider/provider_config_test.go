package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

const readFolders = `
data "cliq_pin_folders" "all" {}
`

// TestAccProviderConfiguration configures the provider each way a user can, through the terraform
// CLI, and checks that each mistake fails at configure time with a message saying what to set.
func TestAccProviderConfiguration(t *testing.T) {
	env := newAccEnv(t, fakecliq.Options{ClientID: "1000.ID", ClientSecret: "secret", RefreshToken: "1000.refresh"})
	withBlock := func(body string) string {
		return fmt.Sprintf("provider \"cliq\" {\n%s\n}\n%s", body, readFolders)
	}
	token := fmt.Sprintf("  api_url = %q\n  access_token = %q", env.URL, env.Fake.AccessToken())
	oauth := fmt.Sprintf("  api_url = %q\n  client_id = \"1000.ID\"\n  client_secret = \"secret\"\n  refresh_token = \"1000.refresh\"", env.URL)
	defaultFolder := statecheck.ExpectKnownValue("data.cliq_pin_folders.all", tfjsonpath.New("folders").AtSliceIndex(0).AtMapKey("id"), knownvalue.StringExact("default"))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{
			{Config: withBlock(token), ConfigStateChecks: []statecheck.StateCheck{defaultFolder}},
			{Config: withBlock(oauth), ConfigStateChecks: []statecheck.StateCheck{defaultFolder}},
			{Config: withBlock(fmt.Sprintf("  api_url = %q", env.URL)), ExpectError: wrapped("no credentials: set access_token (CLIQ_ACCESS_TOKEN), or client_id, client_secret and refresh_token")},
			{Config: withBlock(token + "\n  refresh_token = \"x\""), ExpectError: wrapped("both access_token and OAuth credentials")},
			{Config: withBlock(fmt.Sprintf("  api_url = %q\n  client_id = \"1000.ID\"", env.URL)), ExpectError: wrapped("also set client_secret (CLIQ_CLIENT_SECRET) and refresh_token (CLIQ_REFRESH_TOKEN)")},
			{Config: withBlock("  data_center = \"mars\"\n  access_token = \"x\""), ExpectError: regexp.MustCompile(`(?s)data_center.*value must be one of`)},
			{Config: withBlock("  api_url = \"http://cliq.example.com\"\n  access_token = \"x\""), ExpectError: wrapped("plain http to a host that is not loopback")},
			{Config: withBlock(fmt.Sprintf("  api_url = %q\n  client_id = \"1000.ID\"\n  client_secret = \"wrong\"\n  refresh_token = \"1000.refresh\"", env.URL)), ExpectError: regexp.MustCompile(`invalid_client`)},
		},
	})
}

// wrapped matches a message however Terraform wraps it across lines.
func wrapped(phrase string) *regexp.Regexp {
	words := regexp.MustCompile(`\s+`).Split(phrase, -1)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `\s+`))
}

func TestTimeScaleIsRefusedAgainstCliqItself(t *testing.T) {
	t.Setenv("CLIQ_TIME_SCALE", "60")
	cfg := cliq.Config{APIURL: "https://cliq.zoho.eu"}
	if err := applyTestingEnv(&cfg); err == nil || !strings.Contains(err.Error(), "unset it, or point api_url") {
		t.Fatalf("err = %v", err)
	}
	cfg = cliq.Config{APIURL: "http://127.0.0.1:8088"}
	if err := applyTestingEnv(&cfg); err != nil || cfg.RateWindow != time.Second {
		t.Fatalf("err = %v, window = %v", err, cfg.RateWindow)
	}
}
