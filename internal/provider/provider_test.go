package provider

import (
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cliq-tf/terraform-provider-cliq/internal/cliq"
	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// testAccProviders runs the provider in the test process; the real terraform CLI drives it.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"cliq": providerserver.NewProtocol6WithError(New("test")()),
}

// accEnv is one acceptance test's fake Cliq account and the provider block that points at it.
type accEnv struct {
	Fake     *fakecliq.Server
	URL      string
	Provider string // HCL provider block
}

// accScale is how much faster than the vendor's minute acceptance tests run the rate limits, on the
// fake and in the client alike.
const accScale = 60

// newAccEnv starts a fake for one test with the documented limits, scaled by accScale, and
// registers the matching client settings for the provider pointed at it.
func newAccEnv(t *testing.T, opts fakecliq.Options) *accEnv {
	t.Helper()
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatal("acceptance tests need the terraform CLI on PATH or in TF_ACC_TERRAFORM_PATH")
	}
	if opts.RateWindow == 0 {
		opts.RateWindow = time.Minute / accScale
	}
	if opts.LockPeriod == 0 {
		opts.LockPeriod = 5 * time.Minute / accScale
	}
	if opts.OpenAPISpec == "" {
		opts.OpenAPISpec = fakecliq.FindOpenAPISpec()
	}
	fake, srv := fakecliq.NewTestServer(t, opts)
	env := &accEnv{Fake: fake, URL: srv.URL}
	stateDir := t.TempDir()
	testConfigHooks.Store(srv.URL, func(c *cliq.Config) {
		c.RateWindow = opts.RateWindow
		c.LockPeriod = opts.LockPeriod
		c.RetryBaseDelay = 10 * time.Millisecond
		c.RateStateDir = stateDir
		c.TokenRefreshWindow = 10 * opts.RateWindow // the fake's token window: ten of its minutes
	})
	t.Cleanup(func() {
		testConfigHooks.Delete(srv.URL)
		if v := fake.ContractViolations(); len(v) > 0 {
			t.Errorf("the provider's requests or the fake's answers broke the vendor's OpenAPI document:\n%v", v)
		}
	})
	env.Provider = fmt.Sprintf(`
provider "cliq" {
  api_url      = %q
  access_token = %q
}
`, srv.URL, fake.AccessToken())
	return env
}
