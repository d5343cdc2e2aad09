package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// concurrencyConfig is a large configuration: folders folders with two chats each, and pins pins in
// My Pins (after the folders, when pinsLast). prefix and base keep two working directories apart.
func concurrencyConfig(prefix string, base, folders, pins int, pinsLast bool) string {
	dependsOn := ""
	if pinsLast {
		dependsOn = "\n  depends_on = [cliq_pin_folder.f]"
	}
	return fmt.Sprintf(`%s
resource "cliq_pin_folder" "f" {
  count    = %d
  title    = "%s folder ${count.index}"
  chat_ids = ["${%d + 2 * count.index}", "${%d + 2 * count.index + 1}"]
}

resource "cliq_chat_pin" "p" {
  count   = %d
  chat_id = "${%d + count.index}"%s
}
`, cliRequiredProviders, folders, prefix, base, base, pins, base+5000, dependsOn)
}

// concurrencyScale shrinks the vendor's minute less than the other acceptance tests do: terraform's
// own start-up (about half a second) must stay short next to a window for the two runs' windows to
// overlap as they do for users (seconds against a minute).
const concurrencyScale = 12

const concurrencyWindow = time.Minute / concurrencyScale

// TestBackToBackAppliesShareTheBudget runs two large applies against one account from two working
// directories (two provider processes each, sharing the budget directory as users' runs share
// their cache directory), the second starting the moment the first ends, so the vendor's
// per-minute windows overlap. Both must succeed without a single throttled request; the test
// reports how long the second waited for budget.
func TestBackToBackAppliesShareTheBudget(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that drive the terraform CLI")
	}
	t.Parallel()
	// The worst case for the second run: the first ends with a full window of creates (two
	// windows of 20, the vendor's limit and the client's budget) and with its pins, which the
	// second makes first.
	const folders, pins = 40, 30
	fake, srv := fakecliq.NewTestServer(t, fakecliq.Options{
		RateWindow:  concurrencyWindow,
		LockPeriod:  5 * concurrencyWindow,
		MaxFolders:  2 * folders,
		OpenAPISpec: fakecliq.FindOpenAPISpec(),
	})
	budgets := filepath.Join(t.TempDir(), "budgets")
	env := map[string]string{
		"CLIQ_API_URL":        srv.URL,
		"CLIQ_ACCESS_TOKEN":   fake.AccessToken(),
		"CLIQ_TIME_SCALE":     fmt.Sprint(concurrencyScale),
		"CLIQ_RATE_STATE_DIR": budgets, // overrides newCLIRun's per-directory one
	}
	runs := []*cliRun{newCLIRun(t, env), newCLIRun(t, env)}
	runs[0].writeConfig(concurrencyConfig("First", 100000, folders, pins, true) + "provider \"cliq\" {}\n")
	runs[1].writeConfig(concurrencyConfig("Second", 200000, folders, pins, false) + "provider \"cliq\" {}\n")

	type span struct{ start, end time.Time }
	var spans []span
	for i, r := range runs {
		start := fake.Now()
		out, err := r.terraform(nil, "apply", "-auto-approve", "-no-color")
		spans = append(spans, span{start, fake.Now()})
		if err != nil {
			t.Fatalf("apply %d failed: %v\n%s", i+1, err, out)
		}
	}
	if v := fake.ContractViolations(); len(v) > 0 {
		t.Errorf("requests or answers broke the vendor's OpenAPI document:\n%v", v)
	}

	log := fake.RequestLog()
	waits := map[fakecliq.Op]time.Duration{}
	throttled := 0
	for _, e := range log {
		if e.Status == 429 || e.Code == "request_limit_exceeded" {
			throttled++
		}
	}
	if throttled > 0 {
		t.Errorf("%d requests were throttled: back-to-back runs must pace themselves under the shared limits", throttled)
	}
	// Everything declared is there.
	titles := map[string]int{}
	for _, f := range fake.Folders()[1:] {
		titles[strings.Fields(f.Title)[0]]++
	}
	if titles["First"] != folders || titles["Second"] != folders {
		t.Errorf("folders on the server: %v, want %d of each run", titles, folders)
	}
	if def, _ := fake.Folder("default"); len(def.ChatIDs) != 2*pins {
		t.Errorf("My Pins holds %d chats, want %d", len(def.ChatIDs), 2*pins)
	}

	// What the second run waited for. It becomes ready to write when its apply-phase provider has
	// read the folder list; its first create and first pin then wait for budget the first run still
	// holds. The vendor's limit (N in any window) allows the second run's first request of an
	// operation no earlier than the (N)th-latest earlier one plus a window; the client, counting a
	// padded window from each answer, a little later.
	d1, d2 := spans[0].end.Sub(spans[0].start), spans[1].end.Sub(spans[1].start)
	var report []string
	report = append(report, fmt.Sprintf("apply 1: %s; apply 2: %s, started %s after apply 1 ended; window %s (scale %d), so a vendor minute overlaps both",
		d1.Round(10*time.Millisecond), d2.Round(10*time.Millisecond), spans[1].start.Sub(spans[0].end).Round(time.Millisecond), concurrencyWindow, concurrencyScale))
	for _, op := range []fakecliq.Op{fakecliq.OpCreateFolder, fakecliq.OpPinChat, fakecliq.OpListFolders} {
		var all, second []time.Time
		ready := time.Time{}
		for _, e := range log {
			if e.Op == op {
				all = append(all, e.Time)
				if !e.Time.Before(spans[1].start) {
					second = append(second, e.Time)
				}
			}
		}
		peak := peakInWindow(all, concurrencyWindow)
		line := fmt.Sprintf("%s: %d requests; at most %d in any window (vendor limit %d)", op, len(all), peak, fakecliq.DefaultThreshold(op))
		if peak > fakecliq.DefaultThreshold(op) {
			t.Errorf("%s peaked at %d requests in a window: over the vendor's limit of %d", op, peak, fakecliq.DefaultThreshold(op))
		}
		if op != fakecliq.OpListFolders && len(second) > 0 {
			// The second run's apply phase starts with a list read (the last one before its first write).
			for _, e := range log {
				if e.Op == fakecliq.OpListFolders && !e.Time.Before(spans[1].start) && e.Time.Before(second[0]) {
					ready = e.Time
				}
			}
			k := slices.IndexFunc(all, func(ts time.Time) bool { return ts.Equal(second[0]) })
			limit := fakecliq.DefaultThreshold(op)
			vendorEarliest := ready
			if k >= limit {
				vendorEarliest = later(ready, all[k-limit].Add(concurrencyWindow))
			}
			clientEarliest := ready
			if k >= limit {
				clientEarliest = later(ready, all[k-limit].Add(concurrencyWindow+concurrencyWindow/50))
			}
			waited := second[0].Sub(ready)
			line += fmt.Sprintf("; apply 2 waited %s for its first (%.2f vendor minutes); the vendor's limit forced at least %s, the client's budget %s",
				waited.Round(time.Millisecond), float64(waited)/float64(concurrencyWindow),
				vendorEarliest.Sub(ready).Round(time.Millisecond), clientEarliest.Sub(ready).Round(time.Millisecond))
			waits[op] = waited
		}
		report = append(report, line)
	}
	report = append(report, fmt.Sprintf("apply 2 took %s longer than apply 1 (%.2f vendor minutes): the time its creates and pins waited for budget apply 1 still held",
		(d2-d1).Round(10*time.Millisecond), float64(d2-d1)/float64(concurrencyWindow)))
	if os.Getenv("CLIQ_FAULT_DEBUG") != "" {
		for _, e := range log {
			t.Logf("%8s %s %d", e.Time.Sub(spans[0].start).Round(time.Millisecond), e.Op, e.Status)
		}
	}
	t.Log("back-to-back applies:\n  " + strings.Join(report, "\n  "))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// peakInWindow is the most requests in any sliding window of length w.
func peakInWindow(times []time.Time, w time.Duration) int {
	ts := slices.Clone(times)
	slices.SortFunc(ts, func(x, y time.Time) int { return x.Compare(y) })
	peak := 0
	for i, j := 0, 0; j < len(ts); j++ {
		for ts[j].Sub(ts[i]) >= w {
			i++
		}
		peak = max(peak, j-i+1)
	}
	return peak
}
