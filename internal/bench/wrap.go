package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Wrap mode: Terraform starts the provider through a tiny shell script that execs this binary with
// CLIQ_BENCH_WRAP set to the real provider binary. The wrapper runs the provider as its child with
// stdin, stdout and stderr passed through (so the go-plugin handshake and the gRPC socket are the
// provider's own), forwards signals, waits, and appends the child's resource usage to the file
// named by CLIQ_BENCH_RUSAGE.
//
// go-plugin shuts a provider down with a gRPC Shutdown call and then waits up to two seconds for
// the process it started (the wrapper) to exit before killing it. The provider exits promptly on
// Shutdown, so the wrapper normally records; to prove it, every wrapper writes a "start" record
// first, and the benchmark checks that each start has its matching "exit" record.

const (
	envWrap   = "CLIQ_BENCH_WRAP"
	envRusage = "CLIQ_BENCH_RUSAGE"
)

// usageRecord is one line of the rusage file.
type usageRecord struct {
	Event    string `json:"event"` // "start" or "exit"
	PID      int    `json:"pid"`   // the wrapper's pid, which pairs start and exit
	UserNS   int64  `json:"user_ns,omitempty"`
	SysNS    int64  `json:"sys_ns,omitempty"`
	MaxRSSKB int64  `json:"maxrss_kb,omitempty"`
	WallNS   int64  `json:"wall_ns,omitempty"`
	Exit     int    `json:"exit,omitempty"`
}

func runWrapped(child string) int {
	file := os.Getenv(envRusage)
	cmd := exec.Command(child, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envWrap+"=") && !strings.HasPrefix(kv, envRusage+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "bench wrapper: starting %s: %v\n", child, err)
		return 1
	}
	appendRecord(file, usageRecord{Event: "start", PID: os.Getpid()})
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	signal.Stop(sigs)
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
		if code < 0 {
			code = 1 // killed by a signal
		}
	} else if err != nil {
		code = 1
	}
	rec := usageRecord{Event: "exit", PID: os.Getpid(), WallNS: int64(time.Since(start)), Exit: code}
	if ps := cmd.ProcessState; ps != nil {
		rec.UserNS, rec.SysNS = int64(ps.UserTime()), int64(ps.SystemTime())
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			rec.MaxRSSKB = ru.Maxrss // kilobytes on Linux
		}
	}
	appendRecord(file, rec)
	return code
}

// appendRecord appends one JSON line; each record is a single small write to an O_APPEND file, so
// concurrent wrappers do not interleave.
func appendRecord(path string, rec usageRecord) {
	if path == "" {
		return
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench wrapper: %v\n", err)
		return
	}
	defer f.Close()
	_, _ = f.Write(append(data, '\n'))
}

// providerUsage sums what the wrappers recorded for one terraform command.
type providerUsage struct {
	Processes  int           // provider processes that exited and were recorded
	Unrecorded int           // started but never recorded their exit (killed before recording)
	CPU        time.Duration // user + sys, summed over processes
	MaxRSSKB   int64         // the largest peak RSS of any one process
}

func readUsage(path string) (providerUsage, error) {
	var u providerUsage
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return u, err
	}
	started := map[int]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var rec usageRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return u, fmt.Errorf("%s: %w", path, err)
		}
		switch rec.Event {
		case "start":
			started[rec.PID] = true
		case "exit":
			delete(started, rec.PID)
			u.Processes++
			u.CPU += time.Duration(rec.UserNS + rec.SysNS)
			u.MaxRSSKB = max(u.MaxRSSKB, rec.MaxRSSKB)
		}
	}
	u.Unrecorded = len(started)
	return u, nil
}
