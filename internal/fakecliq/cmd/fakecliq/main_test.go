package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8088": true, "127.0.0.1:0": true, "[::1]:80": true, "localhost:1": true,
		":8088": false, "0.0.0.0:80": false, "192.168.1.2:80": false, "example.com:80": false, "nonsense": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v", addr, err)
		}
	}
}

func TestParseFlags(t *testing.T) {
	t.Setenv("CLIQ_TIME_SCALE", "60")
	c, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := c.options()
	if c.listen != "127.0.0.1:8088" || o.RateWindow != time.Second || o.LockPeriod != 5*time.Second || o.RefreshToken != "" {
		t.Fatalf("config %+v options %+v", c, o)
	}
	c, err = parseFlags([]string{"--time-scale", "2", "--no-rate-limits", "--max-folders", "3", "--token", "tok",
		"--client-id", "id", "--client-secret", "sec", "--refresh-token", "rt"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o = c.options()
	if o.RateWindow != 30*time.Second || !o.DisableRateLimits || o.MaxFolders != 3 || o.AccessToken != "tok" || o.ClientID != "id" || o.ClientSecret != "sec" || o.RefreshToken != "rt" {
		t.Fatalf("options %+v", o)
	}
	for _, args := range [][]string{
		{"--listen", "0.0.0.0:80"},
		{"--time-scale", "0"},
		{"--max-folders", "0"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	if _, err := parseFlags([]string{"--listen", "0.0.0.0:0", "--allow-remote"}, io.Discard); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
	t.Setenv("CLIQ_TIME_SCALE", "fast")
	if _, err := parseFlags(nil, io.Discard); err == nil {
		t.Error("bad CLIQ_TIME_SCALE accepted")
	}
}

// syncBuffer is a goroutine-safe bytes.Buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRun(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "cliq.env")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--listen", "127.0.0.1:0", "--ready-file", ready, "--token", "secret-token"}, &stdout, &stderr)
	}()
	var env map[string]string
	deadline := time.Now().Add(5 * time.Second)
	for env == nil {
		if time.Now().After(deadline) {
			t.Fatalf("no ready file; stderr: %s", stderr.String())
		}
		if f, err := os.Open(ready); err == nil {
			env = map[string]string{}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				k, v, _ := strings.Cut(sc.Text(), "=")
				env[k] = v
			}
			f.Close()
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	url := env["CLIQ_API_URL"]
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") || env["CLIQ_ACCESS_TOKEN"] != "secret-token" {
		t.Fatalf("ready file %v", env)
	}
	if !strings.Contains(stdout.String(), "CLIQ_API_URL="+url) {
		t.Fatalf("stdout %q", stdout.String())
	}
	req, _ := http.NewRequest("GET", url+"/api/v3/pin-categories", nil)
	req.Header.Set("Authorization", "Bearer secret-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return")
	}
	log := stderr.String()
	if !strings.Contains(log, "GET /api/v3/pin-categories -> 200") || !strings.Contains(log, "op=list_folders") || strings.Contains(log, "secret-token") {
		t.Fatalf("stderr %q", log)
	}
}

func TestRunRefusesRemote(t *testing.T) {
	if err := run(context.Background(), []string{"--listen", ":0"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "allow-remote") {
		t.Fatalf("err %v", err)
	}
}
