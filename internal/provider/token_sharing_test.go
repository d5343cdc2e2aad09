package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestEightPlanApplyCyclesCostOneTokenRequest runs plan and apply eight times in a row with OAuth
// credentials, as a user iterating on a configuration does: every terraform command starts its own
// provider process, and all of them share one access token through the state directory. Zoho
// allows 10 access tokens per refresh token in 10 minutes (the fake enforces it, scaled).
func TestEightPlanApplyCyclesCostOneTokenRequest(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the access-token file is used on unix only: on Windows each process refreshes on its own")
	}
	opts := fakecliq.Options{
		ClientID:     "1000.SHAREDTOKENCLIENT",
		ClientSecret: "client-secret-shared-0123456789",
		RefreshToken: "1000.refresh-token-shared-9876543210",
		RateWindow:   time.Minute / 60,
		LockPeriod:   5 * time.Minute / 60,
	}
	fake, srv := fakecliq.NewTestServer(t, opts)
	r := newCLIRun(t, map[string]string{
		"CLIQ_API_URL":       srv.URL,
		"CLIQ_CLIENT_ID":     opts.ClientID,
		"CLIQ_CLIENT_SECRET": opts.ClientSecret,
		"CLIQ_REFRESH_TOKEN": opts.RefreshToken,
		"CLIQ_TIME_SCALE":    "60",
	})
	for cycle := 1; cycle <= 8; cycle++ {
		r.writeConfig(fmt.Sprintf(`
terraform {
  required_providers {
    cliq = { source = "cliq-tf/cliq" }
  }
}

provider "cliq" {}

resource "cliq_pin_folder" "team" {
  title    = "Team %d"
  symbol   = ":busts_in_silhouette:"
  chat_ids = ["1488288613043522033"]
}
`, cycle))
		if out, err := r.terraform(nil, "plan", "-no-color", "-out=cycle.tfplan"); err != nil {
			t.Fatalf("cycle %d: plan: %v\n%s", cycle, err, out)
		}
		if out, err := r.terraform(nil, "apply", "-no-color", "cycle.tfplan"); err != nil {
			t.Fatalf("cycle %d: apply: %v\n%s", cycle, err, out)
		}
	}
	if got := fake.Folders(); len(got) != 2 || got[1].Title != "Team 8" {
		t.Fatalf("folders after eight cycles: %+v, want the default and \"Team 8\"", got)
	}
	if n, denied := fake.RequestCount(fakecliq.OpToken), fake.ThrottledCount(fakecliq.OpToken); n != 1 || denied != 0 {
		t.Fatalf("token requests = %d (%d answered \"Access Denied\"), want 1 for eight plan-and-apply cycles", n, denied)
	}

	files, err := filepath.Glob(filepath.Join(r.dir, "budgets", "token-*.json"))
	must(t, err)
	if len(files) != 1 {
		t.Fatalf("access-token files: %v, want one", files)
	}
	stored := mustRead(t, files[0])
	if !strings.Contains(stored, fake.IssuedAccessTokens()[0]) {
		t.Fatalf("the access-token file does not hold the token: the test would prove nothing: %s", stored)
	}
	for what, secret := range map[string]string{"refresh token": opts.RefreshToken, "client secret": opts.ClientSecret} {
		if strings.Contains(stored, secret) {
			t.Errorf("the access-token file shows the %s", what)
		}
	}
}
