package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// planRow is one size of the refresh-plan scenario: the cliq configuration and its two baselines
// (terraform_data, benchnull), each planned `repeat` times, interleaved; medians are reported.
type planRow struct {
	Folders, Resources int
	Lists, Total       []int // per measured plan
	Throttled, Locks   int   // over the measured plans
	Wall, ProviderCPU  []time.Duration
	TotalCPU           []time.Duration
	MaxRSSKB           int64
	Processes          int // provider processes per plan (last run)
	BaseWall, BaseCPU  []time.Duration
	NullWall, NullCPU  []time.Duration // the minimal framework provider (benchnull): wall, terraform+provider CPU
	NullProviderCPU    []time.Duration
	NullMaxRSSKB       int64
	SetupThrottled     int // throttled requests during the (unmeasured) setup apply
	SetupLocks         int
	FirstWall          time.Duration // one plan right after the creating apply, before the state settles
	FirstProviderCPU   time.Duration
}

func (b *benchmark) planScenario(folders int) (*planRow, error) {
	row := &planRow{Folders: folders, Resources: folders * (1 + pinsPerFolder)}
	fake, err := startFake(b.setupScale)
	if err != nil {
		return nil, err
	}
	defer fake.Close()
	ws, err := b.h.newWorkspace(fmt.Sprintf("plan-%d", folders), fake)
	if err != nil {
		return nil, err
	}
	if err := ws.writeConfig(cliqConfig(folders)); err != nil {
		return nil, err
	}
	base, err := b.h.newWorkspace(fmt.Sprintf("baseline-%d", folders), nil)
	if err != nil {
		return nil, err
	}
	if err := base.writeConfig(baselineConfig(folders)); err != nil {
		return nil, err
	}
	null, err := b.h.newWorkspace(fmt.Sprintf("benchnull-%d", folders), nil)
	if err != nil {
		return nil, err
	}
	if err := null.writeConfig(nullConfig(folders)); err != nil {
		return nil, err
	}

	b.logf("plan %d folders: setup apply at time scale %g", folders, b.setupScale)
	if _, err := ws.terraform("apply", "-auto-approve", "-input=false", b.parallelismFlag()); err != nil {
		return nil, err
	}
	c := fake.counts()
	row.SetupThrottled, row.SetupLocks = c.total(c.Throttled), c.total(c.Locks)
	if got := countPins(fake.Folders()); got != folders*pinsPerFolder {
		return nil, fmt.Errorf("setup: the fake holds %d pins, want %d", got, folders*pinsPerFolder)
	}
	for _, w := range []*workspace{base, null} {
		if _, err := w.terraform("apply", "-auto-approve", "-input=false", b.parallelismFlag()); err != nil {
			return nil, err
		}
	}
	// Right after the creating apply, each folder's state still shows no chats (the pins were made
	// after it), so a plan's refresh finds every folder changed. A plan does not save that; the
	// next apply does, and from then on plans find nothing changed: the measured plans run there.
	ws.freshRateDir()
	first, err := ws.terraform("plan", "-refresh=true", "-detailed-exitcode", "-input=false", b.parallelismFlag())
	if err != nil {
		return nil, err
	}
	b.noteUsage(first)
	row.FirstWall, row.FirstProviderCPU = first.Wall, first.Provider.CPU
	ws.freshRateDir()
	if _, err := ws.terraform("apply", "-refresh-only", "-auto-approve", "-input=false", b.parallelismFlag()); err != nil {
		return nil, err
	}

	for i := range b.repeat {
		b.logf("plan %d folders: measured plan %d/%d", folders, i+1, b.repeat)
		fake.ResetCounts()
		ws.freshRateDir()
		start := time.Now()
		res, err := ws.terraform("plan", "-refresh=true", "-detailed-exitcode", "-input=false", b.parallelismFlag())
		if err != nil {
			return nil, err
		}
		b.saveRequestLog(fake, fmt.Sprintf("plan-%d-run%d", folders, i+1), start)
		c := fake.counts()
		row.Lists = append(row.Lists, c.Requests[fakecliq.OpListFolders])
		row.Total = append(row.Total, c.total(c.Requests))
		row.Throttled += c.total(c.Throttled)
		row.Locks += c.total(c.Locks)
		row.Wall = append(row.Wall, res.Wall)
		row.ProviderCPU = append(row.ProviderCPU, res.Provider.CPU)
		row.TotalCPU = append(row.TotalCPU, res.TotalCPU)
		row.MaxRSSKB = max(row.MaxRSSKB, res.Provider.MaxRSSKB)
		row.Processes = res.Provider.Processes
		b.noteUsage(res)

		bres, err := base.terraform("plan", "-refresh=true", "-detailed-exitcode", "-input=false", b.parallelismFlag())
		if err != nil {
			return nil, err
		}
		row.BaseWall = append(row.BaseWall, bres.Wall)
		row.BaseCPU = append(row.BaseCPU, bres.TotalCPU)

		nres, err := null.terraform("plan", "-refresh=true", "-detailed-exitcode", "-input=false", b.parallelismFlag())
		if err != nil {
			return nil, err
		}
		b.noteUsage(nres)
		row.NullWall = append(row.NullWall, nres.Wall)
		row.NullCPU = append(row.NullCPU, nres.TotalCPU)
		row.NullProviderCPU = append(row.NullProviderCPU, nres.Provider.CPU)
		row.NullMaxRSSKB = max(row.NullMaxRSSKB, nres.Provider.MaxRSSKB)
	}
	return row, nil
}

func countPins(folders []fakecliq.Folder) int {
	n := 0
	for _, f := range folders {
		n += len(f.ChatIDs)
	}
	return n
}

// opRow is one measured apply or destroy.
type opRow struct {
	Name      string // apply or destroy
	Shape     string // shapeSeparate or shapeCount
	Parallel  int    // terraform -parallelism
	Advised   bool   // at the -parallelism the README advises for large applies
	NearReal  bool   // at the near-real vendor minute (-advised-scale), not the main rows' short one
	Requests  map[fakecliq.Op]int
	Spans     map[fakecliq.Op][2]time.Duration // first and last arrival of each op, from the command's start
	Throttled int
	Locks     int
	Wall      time.Duration
	CPU       time.Duration
	Window    time.Duration
	Alone     time.Duration // the same command and graph with benchnull: what Terraform itself takes
	Bound     bound         // the thresholds' bound: the largest over operations
	Ordered   bound         // with count, Terraform's order adds phases up (see orderedBound)
	Pins      int           // pins the command added or removed
	MaxRSSKB  int64         // the largest provider process's peak memory
}

// The two ways the apply/destroy configuration is written.
const (
	shapeSeparate = "a block per folder and per pin"
	shapeCount    = "count"
)

// Operations that take pins out (destroy) and that put them in (apply).
var (
	removeOps = []fakecliq.Op{fakecliq.OpBulkUnpin, fakecliq.OpUnpinChat, fakecliq.OpReplaceChats}
	pinOps    = []fakecliq.Op{fakecliq.OpPinChat, fakecliq.OpReplaceChats, fakecliq.OpReorderChat}
)

func (b *benchmark) applyDestroyScenario(folders int, shape string, parallelism int, scale float64) (apply, destroy *opRow, err error) {
	fake, err := startFake(scale)
	if err != nil {
		return nil, nil, err
	}
	defer fake.Close()
	name := "apply-separate"
	config, alone := cliqSeparateConfig(folders), nullSeparateConfig(folders)
	if shape == shapeCount {
		name, config, alone = "apply-count", cliqConfig(folders), nullConfig(folders)
	}
	name = fmt.Sprintf("%s-p%d-x%s", name, parallelism, fmtScale(scale))
	// Terraform alone: the same graph and command with benchnull, which sends nothing.
	aloneWS, err := b.h.newWorkspace(name+"-benchnull", nil)
	if err != nil {
		return nil, nil, err
	}
	if err := aloneWS.writeConfig(alone); err != nil {
		return nil, nil, err
	}
	aloneTime := map[string]time.Duration{}
	for _, cmd := range []string{"apply", "destroy"} {
		res, err := aloneWS.terraform(cmd, "-auto-approve", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism))
		if err != nil {
			return nil, nil, err
		}
		b.noteUsage(res)
		aloneTime[cmd] = res.Wall
	}
	ws, err := b.h.newWorkspace(fmt.Sprintf("%s-%d", name, folders), fake)
	if err != nil {
		return nil, nil, err
	}
	if err := ws.writeConfig(config); err != nil {
		return nil, nil, err
	}
	measure := func(cmd string) (*opRow, error) {
		fake.ResetCounts()
		fake.ResetRateLimits()
		ws.freshRateDir()
		b.logf("%s (%s, -parallelism=%d): %d folders, %d pins at time scale %g", cmd, shape, parallelism, folders, folders*pinsPerFolder, scale)
		start := time.Now()
		res, err := ws.terraform(cmd, "-auto-approve", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism))
		if err != nil {
			return nil, err
		}
		b.noteUsage(res)
		log := fake.RequestLog()
		b.saveRequestLog(fake, fmt.Sprintf("%s-%s-%d", cmd, name, folders), start)
		c := fake.counts()
		row := &opRow{Name: cmd, Shape: shape, Parallel: parallelism, Advised: parallelism != b.parallelism, NearReal: scale != b.applyScale,
			Requests: c.Requests, Throttled: c.total(c.Throttled), Locks: c.total(c.Locks),
			Wall: res.Wall, CPU: res.Provider.CPU, Window: fake.Window, Spans: spans(log, start), Alone: aloneTime[cmd],
			Pins: folders * pinsPerFolder, MaxRSSKB: res.Provider.MaxRSSKB}
		row.Bound = lowerBound(c.Requests, fakecliq.AllOps())
		row.Ordered = row.Bound
		// Terraform orders count instances by block: every pin after every folder on apply, every
		// folder after every pin on destroy. With a block per resource, its slots do the same
		// whenever the folder creates that wait for the create_folder budget fill them all, and on
		// destroy always: the pins queue for slots first, first come first served.
		waitingCreates := c.Requests[fakecliq.OpCreateFolder] - fakecliq.DefaultThreshold(fakecliq.OpCreateFolder)
		switch {
		case cmd == "destroy":
			row.Ordered = orderedBound(c.Requests, [][]fakecliq.Op{removeOps, {fakecliq.OpDeleteFolder}})
		case shape == shapeCount || waitingCreates >= parallelism:
			row.Ordered = orderedBound(c.Requests, [][]fakecliq.Op{{fakecliq.OpCreateFolder}, pinOps})
		}
		return row, nil
	}
	if apply, err = measure("apply"); err != nil {
		return nil, nil, err
	}
	if got := countPins(fake.Folders()); got != folders*pinsPerFolder {
		return nil, nil, fmt.Errorf("apply: the fake holds %d pins, want %d", got, folders*pinsPerFolder)
	}
	if destroy, err = measure("destroy"); err != nil {
		return nil, nil, err
	}
	if n := len(fake.Folders()); n != 1 || countPins(fake.Folders()) != 0 {
		return nil, nil, fmt.Errorf("destroy left %d folders and %d pins", n-1, countPins(fake.Folders()))
	}
	return apply, destroy, nil
}

// Typical sidebar: the first apply of what most people have, at Terraform's default parallelism
// and the real one-minute window.
const (
	sidebarFolders   = 10
	sidebarPerFolder = 8
	sidebarMyPins    = 10
)

// sidebarScenario applies the typical sidebar once (the fake is then dropped: no destroy).
func (b *benchmark) sidebarScenario() (*opRow, error) {
	const scale = 1
	fake, err := startFake(scale)
	if err != nil {
		return nil, err
	}
	defer fake.Close()
	aloneWS, err := b.h.newWorkspace("sidebar-benchnull", nil)
	if err != nil {
		return nil, err
	}
	if err := aloneWS.writeConfig(sidebarConfig(nullHeader, true)); err != nil {
		return nil, err
	}
	alone, err := aloneWS.terraform("apply", "-auto-approve", "-input=false", b.parallelismFlag())
	if err != nil {
		return nil, err
	}
	b.noteUsage(alone)
	ws, err := b.h.newWorkspace("sidebar", fake)
	if err != nil {
		return nil, err
	}
	if err := ws.writeConfig(sidebarConfig(cliqHeader, false)); err != nil {
		return nil, err
	}
	fake.ResetCounts()
	fake.ResetRateLimits()
	ws.freshRateDir()
	b.logf("apply (typical sidebar, %s): %d folders of %d pins, %d pins in My Pins, real minute", b.parallelismFlag(), sidebarFolders, sidebarPerFolder, sidebarMyPins)
	start := time.Now()
	res, err := ws.terraform("apply", "-auto-approve", "-input=false", b.parallelismFlag())
	if err != nil {
		return nil, err
	}
	b.noteUsage(res)
	b.saveRequestLog(fake, "apply-sidebar", start)
	pins := sidebarFolders*sidebarPerFolder + sidebarMyPins
	if got := countPins(fake.Folders()); got != pins {
		return nil, fmt.Errorf("sidebar apply: the fake holds %d pins, want %d", got, pins)
	}
	c := fake.counts()
	row := &opRow{Name: "apply", Shape: "typical sidebar", Parallel: b.parallelism, NearReal: true,
		Requests: c.Requests, Throttled: c.total(c.Throttled), Locks: c.total(c.Locks),
		Wall: res.Wall, CPU: res.Provider.CPU, Window: fake.Window, Spans: spans(fake.RequestLog(), start), Alone: alone.Wall,
		Pins: pins, MaxRSSKB: res.Provider.MaxRSSKB}
	row.Bound = lowerBound(c.Requests, fakecliq.AllOps())
	row.Ordered = row.Bound
	return row, nil
}

func spans(log []fakecliq.LoggedRequest, start time.Time) map[fakecliq.Op][2]time.Duration {
	out := map[fakecliq.Op][2]time.Duration{}
	for _, r := range log {
		d := r.Time.Sub(start)
		s, ok := out[r.Op]
		if !ok {
			s = [2]time.Duration{d, d}
		}
		s[0], s[1] = min(s[0], d), max(s[1], d)
		out[r.Op] = s
	}
	return out
}

// bound is the time the documented thresholds alone impose on a set of requests: an operation
// sent n times needs at least floor((n-1)/threshold) full windows between its first and its last
// request (any window holds at most threshold of them); operations have separate limits, so the
// whole run needs the largest of these.
type bound struct {
	Windows int
	By      string // the operation(s) that set it
}

func lowerBound(requests map[fakecliq.Op]int, ops []fakecliq.Op) bound {
	var b bound
	for _, op := range ops {
		n := requests[op]
		if n == 0 {
			continue
		}
		th := fakecliq.DefaultThreshold(op)
		if w := (n - 1) / th; w > b.Windows {
			b.Windows, b.By = w, string(op)
		}
	}
	return b
}

// orderedBound is the bound when Terraform runs phases one after the other (each phase's first
// request comes after the previous phase's last): the sum of each phase's bound.
func orderedBound(requests map[fakecliq.Op]int, phases [][]fakecliq.Op) bound {
	var out bound
	var by []string
	for _, ph := range phases {
		b := lowerBound(requests, ph)
		out.Windows += b.Windows
		if b.By != "" {
			by = append(by, b.By)
		}
	}
	out.By = strings.Join(by, " then ")
	return out
}

// saveRequestLog writes the fake's request log (arrival offset, op, status, code) when -log-dir is
// set, for finding where a run spends its time.
func (b *benchmark) saveRequestLog(fake *fakeAccount, name string, start time.Time) {
	if b.h.logDir == "" {
		return
	}
	var sb strings.Builder
	sb.WriteString("offset_s\top\tmethod\tpath\tstatus\tcode\n")
	for _, r := range fake.RequestLog() {
		fmt.Fprintf(&sb, "%.3f\t%s\t%s\t%s\t%d\t%s\n", r.Time.Sub(start).Seconds(), r.Op, r.Method, r.Path, r.Status, r.Code)
	}
	_ = os.WriteFile(filepath.Join(b.h.logDir, "requests-"+name+".tsv"), []byte(sb.String()), 0o644)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
