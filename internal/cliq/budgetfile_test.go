//go:build unix

package cliq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// fallbackWarnings returns the WARN lines about the budget file in a tflogtest log.
func fallbackWarnings(t *testing.T, logs *bytes.Buffer) []map[string]any {
	t.Helper()
	entries, err := tflogtest.MultilineJSONDecode(logs)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, e := range entries {
		if msg, _ := e["@message"].(string); e["@level"] == "warn" && strings.Contains(msg, "rate-limit state file") {
			out = append(out, e)
		}
	}
	return out
}

// unwritableDir is a directory that cannot be created, even by root: its parent is a regular file.
func unwritableDir(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "not-a-directory")
	must(t, os.WriteFile(file, []byte("x"), 0o600))
	return filepath.Join(file, "terraform-provider-cliq")
}

// TestUnwritableStateDirectoryFallsBackWithOneWarning is issue 14's locked-down container: the
// budget directory cannot be created. Every write must still succeed, paced in process, with one
// warning that says what, where, and how to set CLIQ_RATE_STATE_DIR.
func TestUnwritableStateDirectoryFallsBackWithOneWarning(t *testing.T) {
	dir := unwritableDir(t)
	e := newTestEnv(t, fakecliq.Options{}, func(c *Config) { c.RateStateDir = dir })
	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(tflogtest.RootLogger(context.Background(), &logs), 30*time.Second)
	defer cancel()
	f, err := e.client.CreateFolder(ctx, "F", "", []string{"1"})
	if err != nil {
		t.Fatalf("create with an unwritable budget directory: %v", err)
	}
	must(t, e.client.PinChat(ctx, "2", f.ID))
	must(t, e.client.DeleteFolder(ctx, f.ID, true))
	warns := fallbackWarnings(t, &logs)
	if len(warns) != 1 {
		t.Fatalf("%d warnings about the budget file, want 1:\n%s", len(warns), logs.String())
	}
	msg, _ := warns[0]["@message"].(string)
	for _, want := range []string{dir, "not a directory", "CLIQ_RATE_STATE_DIR", `"off"`, "in this process only"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the warning lacks %q: %s", want, msg)
		}
	}
}

// TestBudgetsInProcessStillPace: after the fallback, budgets still keep requests under the limit.
func TestBudgetsInProcessStillPace(t *testing.T) {
	window := 300 * time.Millisecond
	e := newTestEnv(t, fakecliq.Options{RateWindow: window, LockPeriod: 20 * window}, func(c *Config) { c.RateStateDir = unwritableDir(t) })
	ctx := testCtx(t)
	n := 2*Threshold(OpListFolders) + 5
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.client.do(ctx, call{op: OpListFolders, path: "/pin-categories"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	if thr := e.fake.ThrottledCount(fakecliq.OpListFolders); thr != 0 {
		t.Fatalf("%d requests throttled: in-process budgets did not pace", thr)
	}
}

// testBudgets returns budgets over the file at path, with a subsystem logger writing to logs.
func testBudgets(t *testing.T, path string, logs *bytes.Buffer) (*budgets, context.Context) {
	t.Helper()
	rc := &resolvedConfig{Config: Config{RateWindow: time.Minute, RatePad: time.Second, LockPeriod: 5 * time.Minute}}
	b := newBudgets(rc, "account")
	b.shared = newSharedStore(path)
	b.store = b.shared
	ctx := tflog.NewSubsystem(tflogtest.RootLogger(context.Background(), logs), logSubsystem)
	return b, ctx
}

// TestUnusableBudgetFilesFallBack: a file that cannot be opened, a corrupt file and a file of a later
// format each give one warning and in-process budgets; the file is left as it was.
func TestUnusableBudgetFilesFallBack(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(path string)
		want    string
	}{
		{"a directory in the file's place", func(path string) { must(t, os.MkdirAll(path, 0o700)) }, "cannot be opened"},
		{"corrupt", func(path string) { must(t, os.WriteFile(path, []byte(`{"POST /pin-categories": {"slots": [`), 0o600)) }, "is corrupt"},
		{"not an object", func(path string) { must(t, os.WriteFile(path, []byte(`[1,2]`), 0o600)) }, "is corrupt"},
		{"later format", func(path string) {
			must(t, os.WriteFile(path, []byte(`{"version": 99, "budgets": {"anything": true}}`), 0o600))
		}, "was written by a later version of the provider (format 99"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "budget.json")
			tc.prepare(path)
			before, _ := os.ReadFile(path)
			var logs bytes.Buffer
			b, ctx := testBudgets(t, path, &logs)
			for range 3 {
				release, err := b.acquire(ctx, OpCreateFolder, operations[OpCreateFolder].class)
				if err != nil {
					t.Fatalf("acquire: %v", err)
				}
				release(true, false)
			}
			if free := b.free(ctx, OpCreateFolder); free != Threshold(OpCreateFolder)-3 {
				t.Fatalf("free = %d, want %d: the in-process budget does not count", free, Threshold(OpCreateFolder)-3)
			}
			warns := fallbackWarnings(t, &logs)
			if len(warns) != 1 {
				t.Fatalf("%d warnings, want 1:\n%s", len(warns), logs.String())
			}
			if msg, _ := warns[0]["@message"].(string); !strings.Contains(msg, tc.want) || !strings.Contains(msg, path) || !strings.Contains(msg, "CLIQ_RATE_STATE_DIR") {
				t.Fatalf("warning %q lacks %q, the path or CLIQ_RATE_STATE_DIR", msg, tc.want)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Fatalf("the file was changed from %q to %q", before, after)
			}
		})
	}
}

// TestBudgetFileFormats: the file is written with its version, and the first, unversioned format
// (classes at the top level) is still read.
func TestBudgetFileFormats(t *testing.T) {
	path := filepath.Join(t.TempDir(), "budget.json")
	class := operations[OpCreateFolder].class
	old := map[budgetClass]*budgetState{class: {}}
	for i := range Threshold(OpCreateFolder) {
		old[class].Slots = append(old[class].Slots, slot{ID: "other-" + string(rune('a'+i)), At: time.Now()})
	}
	data, err := json.Marshal(old)
	must(t, err)
	must(t, os.WriteFile(path, data, 0o600))
	var logs bytes.Buffer
	b, _ := testBudgets(t, path, &logs)
	if free := b.free(testCtx(t), OpCreateFolder); free != 0 {
		t.Fatalf("free = %d: the slots of the unversioned file were not read", free)
	}
	written, err := os.ReadFile(path)
	must(t, err)
	var f budgetFile
	if err := json.Unmarshal(written, &f); err != nil || f.Version != budgetFileVersion || len(f.Classes[class].Slots) != Threshold(OpCreateFolder) {
		t.Fatalf("file now %s (err %v), want version %d with the slots", written, err, budgetFileVersion)
	}
	if w := fallbackWarnings(t, &logs); len(w) != 0 {
		t.Fatalf("warnings: %v", w)
	}
}

// holdLock takes the budget file's lock as another process would, until the returned function runs.
func holdLock(t *testing.T, path string) func() {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	must(t, err)
	must(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX))
	var once sync.Once
	done := func() {
		once.Do(func() {
			_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			_ = f.Close()
		})
	}
	t.Cleanup(done)
	return done
}

// TestWaitingForTheBudgetFileHonoursTheContext: a caller waiting for another process's lock on the
// budget file stops when its context ends; the answer of a request already sent is still recorded.
func TestWaitingForTheBudgetFileHonoursTheContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "budget.json")
	var logs bytes.Buffer
	b, ctx := testBudgets(t, path, &logs)
	class := operations[OpPinChat].class
	release, err := b.acquire(ctx, OpPinChat, class) // a request on the wire
	must(t, err)

	unlock := holdLock(t, path)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = b.acquire(short, OpPinChat, class)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("acquire returned %v after its context ended", waited)
	}

	// The answer arrives while the lock is held: release waits for it, context or not.
	released := make(chan struct{})
	go func() { release(true, false); close(released) }()
	select {
	case <-released:
		t.Fatal("release did not wait for the lock")
	case <-time.After(100 * time.Millisecond):
	}
	unlock()
	select {
	case <-released:
	case <-time.After(5 * time.Second):
		t.Fatal("release did not finish after the lock was freed")
	}
	data, err := os.ReadFile(path)
	must(t, err)
	var f budgetFile
	must(t, json.Unmarshal(data, &f))
	if st := f.Classes[class]; st == nil || len(st.Slots) != 1 || st.Slots[0].Pending {
		t.Fatalf("file %s: want the one slot, answered", data)
	}
	if w := fallbackWarnings(t, &logs); len(w) != 0 {
		t.Fatalf("a cancelled wait gave up the file: %v", w)
	}
}

// TestABudgetFileLockedForTooLongFallsBack: a lock another process never releases (a stuck
// process, a broken network file system) costs one wait, then budgets move into the process.
func TestABudgetFileLockedForTooLongFallsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "budget.json")
	var logs bytes.Buffer
	b, ctx := testBudgets(t, path, &logs)
	b.shared.file.lockWait = 150 * time.Millisecond
	holdLock(t, path)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	release, err := b.acquire(ctx, OpPinChat, operations[OpPinChat].class)
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	release(true, false)
	warns := fallbackWarnings(t, &logs)
	if len(warns) != 1 {
		t.Fatalf("%d warnings, want 1:\n%s", len(warns), logs.String())
	}
	if msg, _ := warns[0]["@message"].(string); !strings.Contains(msg, "cannot be locked") {
		t.Fatalf("warning: %s", msg)
	}
}
