// Command bench measures the provider against the rate limits: it drives the real terraform CLI
// (with a dev_overrides CLI configuration pointing at a freshly built provider) against an
// in-process fake Cliq server that enforces the documented thresholds in a time-scaled minute, and
// prints a markdown table of request counts, throttling, wall and CPU time and peak memory.
//
//	go run ./internal/bench                 # the full run (make bench)
//	go run ./internal/bench -quick          # smaller sizes, a smoke run
//	go run ./internal/bench -out docs/performance.md
//
// It is not part of `make test`.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

type benchmark struct {
	h                      *harness
	quick                  bool
	repeat                 int
	setupScale, applyScale float64
	planSizes              []int
	applyFolders           int
	shapes                 []string
	parallelism            int
	parallelisms           []int // the near-real-minute rows' -parallelism values
	advisedScale           float64
	sidebar                bool // the typical-sidebar row at the real minute

	processes, unrecorded int // over every terraform run: wrappers that recorded, and that did not
}

func main() {
	if child := os.Getenv(envWrap); child != "" {
		os.Exit(runWrapped(child))
	}
	if os.Getenv(envNullProvider) != "" {
		os.Exit(serveNullProvider())
	}
	quick := flag.Bool("quick", false, "smaller sizes, for a smoke run (about 2 minutes)")
	out := flag.String("out", "", "also write the report to this file (e.g. docs/performance.md)")
	repeat := flag.Int("repeat", 3, "measured plans per size (medians are reported)")
	applyScale := flag.Float64("scale", 10, "time scale of the apply/destroy scenario: a vendor minute lasts 60s/scale")
	setupScale := flag.Float64("setup-scale", 600, "time scale of the unmeasured setup applies and of the measured plans")
	logDir := flag.String("log-dir", "", "write terraform debug logs and the fake's request logs here (slows terraform down)")
	requestLogDir := flag.String("request-log-dir", "", "write only the fake's request logs here (does not slow anything down)")
	plans := flag.String("plans", "", "comma-separated folder counts of the plan scenario (default 10,50,200; -quick 5,20; none: skip it)")
	applyFolders := flag.Int("apply", 0, "folders of the apply/destroy scenario (default 60; -quick 20)")
	parallelism := flag.Int("parallelism", 10, "terraform -parallelism (10 is terraform's default and the issue's setting)")
	advisedScale := flag.Float64("advised-scale", 2, "time scale of the advised-parallelism rows: closer to the real minute, so that Terraform's fixed seconds weigh as they do for users")
	parallelisms := flag.String("parallelisms", "10,50,256", "apply and destroy the block-per-resource configuration at these -parallelism values at the -advised-scale minute (none: skip)")
	sidebar := flag.Bool("sidebar", true, "also apply a typical sidebar (10 folders of 8 pins, 10 pins in My Pins) at Terraform's default -parallelism and the real one-minute window")
	shapes := flag.String("shapes", "separate,count", "apply/destroy configurations to run: separate (a block per folder and pin), count")
	flag.Parse()

	root, err := repoRoot()
	if err != nil {
		fail(err)
	}
	tfLog := *logDir != ""
	if !tfLog {
		logDir = requestLogDir
	}
	if *logDir != "" {
		if *logDir, err = filepath.Abs(*logDir); err != nil {
			fail(err)
		}
		if err := os.MkdirAll(*logDir, 0o755); err != nil {
			fail(err)
		}
	}
	b := &benchmark{quick: *quick, repeat: max(*repeat, 1), setupScale: *setupScale, applyScale: *applyScale,
		planSizes: []int{10, 50, 200}, applyFolders: 60, parallelism: *parallelism, advisedScale: *advisedScale, sidebar: *sidebar}
	for _, f := range strings.Split(*parallelisms, ",") {
		if f = strings.TrimSpace(f); f == "none" || f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			fail(fmt.Errorf("-parallelisms: %q is not a positive number", f))
		}
		b.parallelisms = append(b.parallelisms, n)
	}
	if *quick {
		b.planSizes, b.applyFolders, b.repeat = []int{5, 20}, 20, 1
	}
	if *plans != "" {
		b.planSizes = nil
		for _, f := range strings.Split(*plans, ",") {
			if strings.TrimSpace(f) == "none" {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				fail(fmt.Errorf("-plans: %q is not a positive number", f))
			}
			b.planSizes = append(b.planSizes, n)
		}
	}
	if *applyFolders > 0 {
		b.applyFolders = *applyFolders
	}
	for _, s := range strings.Split(*shapes, ",") {
		switch strings.TrimSpace(s) {
		case "":
		case "separate":
			b.shapes = append(b.shapes, shapeSeparate)
		case "count":
			b.shapes = append(b.shapes, shapeCount)
		default:
			fail(fmt.Errorf("-shapes: unknown shape %q", s))
		}
	}
	b.logf("building the provider")
	if b.h, err = newHarness(root, *logDir, 10*time.Minute); err != nil {
		fail(err)
	}
	b.h.tfLog = tfLog
	report, err := b.run()
	b.h.close()
	if err != nil {
		fail(err)
	}
	fmt.Print(report)
	if *out != "" {
		path := *out
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
			fail(err)
		}
		b.logf("wrote %s", path)
	}
}

func (b *benchmark) run() (string, error) {
	started, load := time.Now(), loadAvg()
	var plans []*planRow
	for _, n := range b.planSizes {
		row, err := b.planScenario(n)
		if err != nil {
			return "", err
		}
		plans = append(plans, row)
	}
	var runs []*opRow
	type config struct {
		shape       string
		parallelism int
		scale       float64
	}
	var configs []config
	for _, shape := range b.shapes {
		configs = append(configs, config{shape, b.parallelism, b.applyScale})
	}
	scale := b.advisedScale
	if b.quick || scale <= 0 {
		scale = b.applyScale
	}
	for _, p := range b.parallelisms {
		if p != b.parallelism || scale != b.applyScale || !slices.Contains(b.shapes, shapeSeparate) {
			configs = append(configs, config{shapeSeparate, p, scale})
		}
	}
	for _, c := range configs {
		apply, destroy, err := b.applyDestroyScenario(b.applyFolders, c.shape, c.parallelism, c.scale)
		if err != nil {
			return "", err
		}
		runs = append(runs, apply, destroy)
	}
	var sidebar *opRow
	if b.sidebar {
		var err error
		if sidebar, err = b.sidebarScenario(); err != nil {
			return "", err
		}
	}
	r := &results{Plans: plans, Runs: runs, Sidebar: sidebar, ApplyFolders: b.applyFolders,
		Elapsed: time.Since(started), Processes: b.processes, Unrecorded: b.unrecorded, LoadBefore: load}
	return b.render(r), nil
}

// noteUsage checks that every provider process a terraform run started recorded its usage.
func (b *benchmark) noteUsage(res runResult) {
	b.processes += res.Provider.Processes
	b.unrecorded += res.Provider.Unrecorded
	if res.Provider.Unrecorded > 0 {
		b.logf("warning: %d provider process(es) exited without recording their usage (killed before the wrapper could write)", res.Provider.Unrecorded)
	}
}

func (b *benchmark) parallelismFlag() string { return fmt.Sprintf("-parallelism=%d", b.parallelism) }

func (b *benchmark) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// repoRoot walks up from the working directory to the provider's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(data), "module github.com/cliq-tf/terraform-provider-cliq") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run the benchmark from the provider's repository (no go.mod of github.com/cliq-tf/terraform-provider-cliq above the working directory)")
		}
		dir = parent
	}
}

func fmtScale(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }
