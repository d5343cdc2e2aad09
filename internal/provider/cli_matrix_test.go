package provider

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The default run drives the terraform on PATH (or TF_ACC_TERRAFORM_PATH). TestCLIMatrix runs
// again, in a child process of this test binary, the tests that need a newer CLI under the
// Terraform in ../shared/tools, and the lifecycle, identity and example tests under its OpenTofu.
// A clone without ../shared/tools skips it, saying so.

// cliMatrix lists, per CLI of ../shared/tools, the tests that must run and pass under it: the
// smallest set that covers each feature once per CLI (the default run covers the rest). min is the
// oldest version that has the features the tests need.
var cliMatrix = []struct {
	tool    string // argument of unpack.sh
	product string // as `version` names it
	min     [2]int // major, minor
	env     []string
	tests   []string
}{
	{
		tool: "terraform", product: "Terraform", min: [2]int{1, 14}, // terraform query
		tests: []string{
			"TestAccPinFolder_identity",          // import { identity = ... }, identity in state
			"TestAccChatPin_identity",            // the same for a pin
			"TestAccChatPin_identityChatOnly",    // folder_id left out of the identity
			"TestAccChatPin_identityFollowsMove", // MutableIdentity
			"TestAccChatIDs_identity",            // identities holding the chat ids Cliq issues
			"TestAccPinFolderList_query",         // terraform query, folders
			"TestAccChatPinList_query",           // terraform query, pins, bad list configurations
			"TestExamplesQuery",                  // query -generate-config-out, apply, empty plan
		},
	},
	{
		tool: "tofu", product: "OpenTofu", min: [2]int{1, 12}, // import by identity
		// plugin-testing reattaches the provider as <host>/hashicorp/cliq; OpenTofu's default host
		// is its own registry.
		env: []string{"TF_ACC_PROVIDER_HOST=registry.opentofu.org"},
		tests: []string{
			"TestAccPinFolder_lifecycle",         // create, update, drift, import by id
			"TestAccPinFolderOrder_basic",        // folder order
			"TestAccChatPin_myPinsAndFolder",     // pins, import by id and import blocks
			"TestAccPinFolder_identity",          // import by identity, identity in state
			"TestAccChatPin_identityFollowsMove", // a pin's move, MutableIdentity, import by identity
			"TestExamplesApply",                  // every example: apply, empty plan, destroy
		},
	},
}

// repoRoot is the root of this repository.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// sharedToolsDir is where the newer CLIs live, beside the repository.
func sharedToolsDir() string {
	return filepath.Clean(filepath.Join(repoRoot(), "..", "shared", "tools"))
}

// sharedCLI unpacks (once) and returns the path of a CLI of ../shared/tools.
func sharedCLI(tool string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(sharedToolsDir(), "unpack.sh"), tool)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("unpack.sh %s: %v: %s", tool, err, stderr.String())
	}
	path := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(path, '\n'); i >= 0 {
		path = path[i+1:]
	}
	return path, nil
}

// cliInfo is what a terraform or tofu binary says of itself.
type cliInfo struct {
	Product      string // "Terraform" or "OpenTofu"
	Version      string // such as "1.15.9"
	Major, Minor int
}

func (c cliInfo) String() string { return c.Product + " " + c.Version }

func (c cliInfo) atLeast(major, minor int) bool {
	return c.Major > major || (c.Major == major && c.Minor >= minor)
}

var cliInfos sync.Map // path -> cliInfo

// describeCLI runs `<path> version` and `<path> version -json`.
func describeCLI(path string) (cliInfo, error) {
	if v, ok := cliInfos.Load(path); ok {
		return v.(cliInfo), nil
	}
	run := func(args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, path, args...)
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+os.DevNull)
		return cmd.Output()
	}
	text, err := run("version")
	if err != nil {
		return cliInfo{}, fmt.Errorf("%s version: %w", path, err)
	}
	js, err := run("version", "-json")
	if err != nil {
		return cliInfo{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(js, &v); err != nil {
		return cliInfo{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	info := cliInfo{Product: "Terraform", Version: v.Version}
	if strings.HasPrefix(string(text), "OpenTofu") {
		info.Product = "OpenTofu"
	}
	parts := strings.SplitN(v.Version, ".", 3)
	if len(parts) < 2 {
		return cliInfo{}, fmt.Errorf("%s: unexpected version %q", path, v.Version)
	}
	if info.Major, err = strconv.Atoi(parts[0]); err == nil {
		info.Minor, err = strconv.Atoi(parts[1])
	}
	if err != nil {
		return cliInfo{}, fmt.Errorf("%s: unexpected version %q", path, v.Version)
	}
	cliInfos.Store(path, info)
	return info, nil
}

// currentCLI describes the CLI that this test binary's acceptance tests drive.
func currentCLI(t *testing.T) cliInfo {
	t.Helper()
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		var err error
		if path, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("this test needs the terraform CLI on PATH or in TF_ACC_TERRAFORM_PATH")
		}
	}
	info, err := describeCLI(path)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

var testResultLine = regexp.MustCompile(`^(\s*)--- (PASS|FAIL|SKIP): (\S+) \(([0-9.]+)s\)`)

// TestCLIMatrix runs the tests of cliMatrix under each CLI of ../shared/tools, and fails unless
// every one of them ran and passed there: none may skip.
func TestCLIMatrix(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI")
	}
	dir := sharedToolsDir()
	if _, err := os.Stat(filepath.Join(dir, "unpack.sh")); err != nil {
		t.Skipf("%s not found: not running the identity and query tests under its Terraform, nor the lifecycle tests and examples under its OpenTofu", dir)
	}
	t.Parallel()
	for _, m := range cliMatrix {
		t.Run(m.tool, func(t *testing.T) {
			t.Parallel()
			path, err := sharedCLI(m.tool)
			if err != nil {
				t.Fatal(err)
			}
			info, err := describeCLI(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Product != m.product || !info.atLeast(m.min[0], m.min[1]) {
				t.Fatalf("%s gave %s; these tests need %s %d.%d or later", filepath.Join(dir, "unpack.sh"), info, m.product, m.min[0], m.min[1])
			}
			runChild(t, info, path, m.env, m.tests)
		})
	}
}

// runChild runs tests in a child process of this test binary with the CLI at path, and checks
// that each of them passed, with no test or subtest skipped.
func runChild(t *testing.T, info cliInfo, path string, env, tests []string) {
	t.Helper()
	timeout := 10 * time.Minute
	if deadline, ok := t.Deadline(); ok {
		timeout = time.Until(deadline) - 30*time.Second
	}
	rc := filepath.Join(t.TempDir(), "cli.tfrc")
	must(t, os.WriteFile(rc, nil, 0o600))
	cmd := exec.CommandContext(t.Context(), os.Args[0],
		"-test.run", "^("+strings.Join(tests, "|")+")$", "-test.count=1", "-test.v", "-test.timeout="+timeout.String())
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_ACC_TERRAFORM_PATH=") && !strings.HasPrefix(kv, "TF_ACC_PROVIDER_HOST=") && !strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Env = append(cmd.Env, "TF_ACC=1", "CHECKPOINT_DISABLE=1", "TF_ACC_TERRAFORM_PATH="+path, "TF_CLI_CONFIG_FILE="+rc)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start).Round(100 * time.Millisecond)
	if err != nil {
		t.Fatalf("the tests under %s failed (%v, %s):\n%s", info, err, elapsed, out)
	}

	passed := map[string]string{}
	var skipped []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		m := testResultLine.FindStringSubmatch(sc.Text())
		switch {
		case m == nil:
		case m[2] == "SKIP":
			skipped = append(skipped, m[3])
		case m[2] == "PASS" && m[1] == "":
			passed[m[3]] = m[4] + "s"
		}
	}
	var missing []string
	for _, name := range tests {
		if _, ok := passed[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(skipped) > 0 || len(missing) > 0 {
		t.Fatalf("under %s, skipped: %v; did not run or pass: %v\n%s", info, skipped, missing, out)
	}
	var summary []string
	for _, name := range tests {
		summary = append(summary, name+" "+passed[name])
	}
	slices.Sort(summary)
	t.Logf("%d tests passed under %s (%s) in %s: %s", len(tests), info, path, elapsed, strings.Join(summary, ", "))
}
