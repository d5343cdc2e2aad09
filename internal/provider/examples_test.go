package provider

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

const requiredProviders = `
terraform {
  required_providers {
    cliq = { source = "cliq-tf/cliq" }
  }
}
`

// TestExamplesApply applies every example under examples/ with the built provider against a fake
// account, checks that a second plan is empty, validates the import examples beside it, and
// destroys: the documentation never shows a configuration that does not work.
func TestExamplesApply(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "examples")
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*"))
	dirs = append(dirs, filepath.Join(root, "provider"), filepath.Join(root, "demo"))
	seen := 0
	for _, dir := range dirs {
		main := ""
		for _, name := range []string{"resource.tf", "data-source.tf", "provider.tf", "main.tf"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				main = name
			}
		}
		if main == "" {
			continue // list-resources: Terraform 1.14+ only
		}
		seen++
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			fake, srv := fakecliq.NewTestServer(t, fakecliq.Options{RateWindow: time.Minute / 60, LockPeriod: 5 * time.Minute / 60})
			r := newCLIRun(t, map[string]string{"CLIQ_API_URL": srv.URL, "CLIQ_ACCESS_TOKEN": fake.AccessToken(), "CLIQ_TIME_SCALE": "60"})
			if !copyTF(t, dir, r.dir, main) {
				must(t, os.WriteFile(filepath.Join(r.dir, "versions.tf"), []byte(requiredProviders), 0o600))
			}
			if main == "provider.tf" {
				// The aliased OAuth provider would need real credentials to apply: validate it.
				if out, err := r.terraform(nil, "validate", "-no-color"); err != nil {
					t.Fatalf("validate: %v\n%s", err, out)
				}
				return
			}
			steps := [][]string{
				{"apply", "-auto-approve", "-no-color"},
				{"plan", "-detailed-exitcode", "-no-color"},
			}
			for _, args := range steps {
				if out, err := r.terraform(nil, args...); err != nil {
					t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "import-by-string-id.tf")); err == nil {
				_ = copyTF(t, dir, r.dir, "import-by-string-id.tf")
				if out, err := r.terraform(nil, "validate", "-no-color"); err != nil {
					t.Fatalf("validate with the import example: %v\n%s", err, out)
				}
				must(t, os.Remove(filepath.Join(r.dir, "import-by-string-id.tf")))
			}
			if out, err := r.terraform(nil, "destroy", "-auto-approve", "-no-color"); err != nil {
				t.Fatalf("destroy: %v\n%s", err, out)
			}
		})
	}
	if seen < 6 {
		t.Fatalf("found %d examples, want at least 6: the examples moved?", seen)
	}
}

// copyTF copies the named file of an example, or every .tf file when name is main.tf (the demo),
// and reports whether they declare the provider's source themselves.
func copyTF(t *testing.T, from, to, name string) bool {
	t.Helper()
	declared := false
	names := []string{name}
	if name == "main.tf" {
		all, _ := filepath.Glob(filepath.Join(from, "*.tf"))
		names = names[:0]
		for _, p := range all {
			names = append(names, filepath.Base(p))
		}
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(from, n))
		must(t, err)
		declared = declared || strings.Contains(string(data), "required_providers")
		must(t, os.WriteFile(filepath.Join(to, n), data, 0o600))
	}
	return declared
}
