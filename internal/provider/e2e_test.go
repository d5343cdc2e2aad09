package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// These tests run the provider as Terraform runs it for users: a built binary, started by the
// terraform CLI through a dev_overrides CLI configuration.

var (
	buildOnce   sync.Once
	builtDir    string
	buildErr    error
	buildOutput []byte
)

// providerBinaryDir builds the provider once per test binary (not per test, so not in a
// t.TempDir) and returns the directory holding it.
func providerBinaryDir(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		builtDir, buildErr = os.MkdirTemp("", "cliq-provider-bin-") //nolint:usetesting // shared by every test
		if buildErr != nil {
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", filepath.Join(builtDir, "terraform-provider-cliq"), ".")
		cmd.Dir = root
		buildOutput, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building the provider: %v\n%s", buildErr, buildOutput)
	}
	return builtDir
}

// cliRun is a working directory in which the terraform CLI runs the built provider.
type cliRun struct {
	t   *testing.T
	dir string
	env []string
}

func newCLIRun(t *testing.T, env map[string]string) *cliRun {
	t.Helper()
	tf, err := exec.LookPath("terraform")
	if v := os.Getenv("TF_ACC_TERRAFORM_PATH"); v != "" {
		tf, err = v, nil
	}
	if err != nil || tf == "" {
		t.Fatal("this test needs the terraform CLI on PATH or in TF_ACC_TERRAFORM_PATH")
	}
	bin := providerBinaryDir(t)
	dir := t.TempDir()
	rc := filepath.Join(dir, "cli.tfrc")
	must(t, os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"cliq-tf/cliq\" = %q\n  }\n  direct {}\n}\n", bin)), 0o600))
	r := &cliRun{t: t, dir: dir}
	r.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CLIQ_RATE_STATE_DIR="+filepath.Join(dir, "budgets"))
	for k, v := range env {
		r.env = append(r.env, k+"="+v)
	}
	return r
}

func (r *cliRun) writeConfig(hcl string) {
	r.t.Helper()
	must(r.t, os.WriteFile(filepath.Join(r.dir, "main.tf"), []byte(hcl), 0o600))
}

// terraform runs one terraform command and returns its combined output and error.
func (r *cliRun) terraform(extraEnv []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tf := "terraform"
	if v := os.Getenv("TF_ACC_TERRAFORM_PATH"); v != "" {
		tf = v
	}
	cmd := exec.CommandContext(ctx, tf, args...)
	cmd.Dir = r.dir
	cmd.Env = append(append([]string{}, r.env...), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestSecretsNeverReachLogsStateOrDiagnostics applies, changes and fails with OAuth credentials at
// TF_LOG=trace, with an access token that expires mid-run, and searches every log line, the state
// and the error output for each secret.
func TestSecretsNeverReachLogsStateOrDiagnostics(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI")
	}
	opts := fakecliq.Options{
		ClientID:       "1000.SECRETCLIENTIDXYZ",
		ClientSecret:   "client-secret-0123456789abcdef",
		RefreshToken:   "1000.refresh-token-fedcba9876543210",
		AccessTokenTTL: 11 * time.Second, // x/oauth2 renews 10s early: every second, a new token
		RateWindow:     time.Minute / 60,
		LockPeriod:     5 * time.Minute / 60,
	}
	fake, srv := fakecliq.NewTestServer(t, opts)
	r := newCLIRun(t, map[string]string{
		"CLIQ_API_URL":       srv.URL,
		"CLIQ_CLIENT_ID":     opts.ClientID,
		"CLIQ_CLIENT_SECRET": opts.ClientSecret,
		"CLIQ_REFRESH_TOKEN": opts.RefreshToken,
		"CLIQ_TIME_SCALE":    "60",
	})
	logPath := filepath.Join(r.dir, "trace.log")
	trace := []string{"TF_LOG=trace", "TF_LOG_PATH=" + logPath}
	r.writeConfig(`
terraform {
  required_providers {
    cliq = { source = "cliq-tf/cliq" }
  }
}

provider "cliq" {}

resource "cliq_pin_folder" "team" {
  title    = "Team"
  symbol   = ":busts_in_silhouette:"
  chat_ids = ["1488288613043522033", "1488288613043522034"]
}

resource "cliq_chat_pin" "standup" {
  chat_id = "1488288613043522035"
}
`)
	var outputs []string
	out, err := r.terraform(trace, "apply", "-auto-approve", "-no-color")
	outputs = append(outputs, out)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	time.Sleep(1100 * time.Millisecond) // the access token expires: the next run refreshes it
	fake.ExpireAccessTokens()
	fake.ForbidChat("1488288613043522099")
	r.writeConfig(strings.Replace(mustRead(t, filepath.Join(r.dir, "main.tf")), `"1488288613043522034"]`, `"1488288613043522034", "1488288613043522099"]`, 1))
	out, err = r.terraform(trace, "apply", "-auto-approve", "-no-color")
	outputs = append(outputs, out)
	if err == nil || !strings.Contains(out, "operation_not_allowed") {
		t.Fatalf("the second apply should fail with operation_not_allowed:\n%s", out)
	}
	// Revoking a refresh token retires its access tokens too; without that, the stored access token
	// would serve the plan.
	fake.RevokeRefreshToken()
	fake.ExpireAccessTokens()
	out, err = r.terraform(trace, "plan", "-no-color")
	outputs = append(outputs, out)
	if err == nil || !strings.Contains(out, "invalid_code") {
		t.Fatalf("a plan with a revoked refresh token should fail clearly:\n%s", out)
	}
	if fake.TokenRefreshes() < 2 {
		t.Fatalf("token refreshes = %d: the expiry was not exercised", fake.TokenRefreshes())
	}

	logs := mustRead(t, logPath)
	if !strings.Contains(logs, "Cliq request") {
		t.Fatal("the trace log holds none of the provider's request logs: the test would prove nothing")
	}
	state := mustRead(t, filepath.Join(r.dir, "terraform.tfstate"))
	secrets := map[string]string{"client secret": opts.ClientSecret, "refresh token": opts.RefreshToken}
	// The state directory holds the budgets and the shared access token, never the grant's secrets.
	stateFiles, err := filepath.Glob(filepath.Join(r.dir, "budgets", "*"))
	must(t, err)
	if len(stateFiles) < 2 {
		t.Fatalf("state directory: %v, want the budget file and the access-token file", stateFiles)
	}
	for _, f := range stateFiles {
		text := mustRead(t, f)
		for what, secret := range secrets {
			if strings.Contains(text, secret) || strings.Contains(f, secret) {
				t.Errorf("%s shows the %s", f, what)
			}
		}
	}
	for i, tok := range fake.IssuedAccessTokens() {
		secrets[fmt.Sprintf("access token %d", i+1)] = tok
	}
	for what, secret := range secrets {
		for name, text := range map[string]string{"trace log": logs, "state": state, "terraform output": strings.Join(outputs, "\n")} {
			if strings.Contains(text, secret) {
				t.Errorf("the %s shows the %s", name, what)
			}
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	return string(data)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
	os.Exit(code)
}
