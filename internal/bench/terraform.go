package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// harness holds what every terraform run shares: the built provider, the wrapper that dev_overrides
// points at, and the CLI configuration.
type harness struct {
	root      string // repository root
	tmp       string // scratch directory, removed at the end
	realBin   string // the built provider
	cliConfig string // TF_CLI_CONFIG_FILE
	logDir    string // when set, the fake's request logs go here
	tfLog     bool   // and terraform's debug logs too
	commit    string // what the provider was built from
	timeout   time.Duration
	seq       atomic.Int64
}

func newHarness(root, logDir string, timeout time.Duration) (*harness, error) {
	h := &harness{root: root, logDir: logDir, timeout: timeout}
	var err error
	if h.tmp, err = os.MkdirTemp("", "cliq-bench-"); err != nil {
		return nil, err
	}
	h.realBin = filepath.Join(root, "tmp", "terraform-provider-cliq")
	build := exec.Command("go", "build", "-o", h.realBin, ".")
	build.Dir = root
	h.commit = gitDescribe(root)
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the provider: %v\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	// dev_overrides points at scripts that start this binary in wrap mode, which runs the real
	// provider (or, for the benchnull baseline, this binary again as that provider) as its child.
	wrapDir, nullDir := filepath.Join(h.tmp, "wrapbin"), filepath.Join(h.tmp, "nullbin")
	scripts := map[string]string{
		filepath.Join(wrapDir, "terraform-provider-cliq"): fmt.Sprintf("#!/bin/sh\n%s=%s exec %s \"$@\"\n",
			envWrap, shellQuote(h.realBin), shellQuote(self)),
		filepath.Join(nullDir, "terraform-provider-benchnull"): fmt.Sprintf("#!/bin/sh\n%s=%s %s=1 exec %s \"$@\"\n",
			envWrap, shellQuote(self), envNullProvider, shellQuote(self)),
	}
	for path, script := range scripts {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			return nil, err
		}
	}
	h.cliConfig = filepath.Join(h.tmp, "cli.tfrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"cliq-tf/cliq\" = %q\n    \"cliq-tf/benchnull\" = %q\n  }\n  direct {}\n}\n", wrapDir, nullDir)
	if err := os.WriteFile(h.cliConfig, []byte(rc), 0o600); err != nil {
		return nil, err
	}
	return h, nil
}

// close removes the scratch directory and the built provider (and tmp/ if that leaves it empty).
func (h *harness) close() {
	_ = os.RemoveAll(h.tmp)
	_ = os.Remove(h.realBin)
	_ = os.Remove(filepath.Dir(h.realBin))
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// workspace is one terraform working directory pointed at one fake account.
type workspace struct {
	h    *harness
	name string
	dir  string
	fake *fakeAccount // nil for the terraform_data baseline
	// rateDir is the provider's CLIQ_RATE_STATE_DIR; freshRateDir replaces it.
	rateDir string
}

func (h *harness) newWorkspace(name string, fake *fakeAccount) (*workspace, error) {
	dir := filepath.Join(h.tmp, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	w := &workspace{h: h, name: name, dir: dir, fake: fake}
	w.freshRateDir()
	return w, nil
}

// freshRateDir gives the provider an empty rate-budget directory, so that no earlier run's
// requests count against the next one.
func (w *workspace) freshRateDir() {
	w.rateDir = filepath.Join(w.h.tmp, fmt.Sprintf("budgets-%d", w.h.seq.Add(1)))
}

func (w *workspace) writeConfig(hcl string) error {
	return os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(hcl), 0o600)
}

// runResult is what one terraform command cost.
type runResult struct {
	Wall     time.Duration
	TotalCPU time.Duration // terraform's user+sys, including the provider processes it reaped
	Provider providerUsage
	Exit     int
	Output   string
}

// terraform runs one command with -no-color and reports its cost. Any exit code but 0 is an error:
// the benchmark's plans use -detailed-exitcode, so a plan that finds changes (2) fails the run.
func (w *workspace) terraform(args ...string) (runResult, error) {
	n := w.h.seq.Add(1)
	usageFile := filepath.Join(w.h.tmp, fmt.Sprintf("rusage-%d.jsonl", n))
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "CLIQ_") || k == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+w.h.cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		envRusage+"="+usageFile,
	)
	if w.fake != nil {
		env = append(env,
			"CLIQ_API_URL="+w.fake.URL,
			"CLIQ_ACCESS_TOKEN="+w.fake.AccessToken(),
			"CLIQ_TIME_SCALE="+strconv.FormatFloat(w.fake.Scale, 'f', -1, 64),
			"CLIQ_RATE_STATE_DIR="+w.rateDir,
		)
	}
	if w.h.logDir != "" && w.h.tfLog {
		env = append(env, "TF_LOG=debug", "TF_LOG_PATH="+filepath.Join(w.h.logDir, fmt.Sprintf("%s-%03d-%s.log", w.name, n, args[0])))
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.h.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "terraform", append(args, "-no-color")...)
	cmd.Dir = w.dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	res := runResult{Wall: time.Since(start), Output: out.String()}
	if ps := cmd.ProcessState; ps != nil {
		res.TotalCPU = ps.UserTime() + ps.SystemTime()
		res.Exit = ps.ExitCode()
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("terraform %s: %w", strings.Join(args, " "), err)
	}
	if res.Exit != 0 {
		return res, fmt.Errorf("terraform %s in %s exited %d:\n%s", strings.Join(args, " "), w.name, res.Exit, tail(res.Output, 4000))
	}
	u, uerr := readUsage(usageFile)
	if uerr != nil {
		return res, uerr
	}
	res.Provider = u
	return res, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func terraformVersion() string {
	cmd := exec.Command("terraform", "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(first)
}
