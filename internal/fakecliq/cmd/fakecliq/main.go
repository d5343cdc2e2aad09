// Command fakecliq runs the in-memory fake of the Zoho Cliq "My Pins" API
// (package internal/fakecliq) as a standalone HTTP server, for `make demo`
// and for trying Terraform configurations without a Cliq account.
//
//	fakecliq --listen 127.0.0.1:8088 --ready-file /tmp/cliq.env
//
// It prints the API root URL and the access token on stdout, logs every
// request (method, path, status, operation; never a token) on stderr and
// exits cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fakecliq:", err)
		os.Exit(1)
	}
}

type config struct {
	listen       string
	token        string
	timeScale    float64
	noRateLimits bool
	maxFolders   int
	readyFile    string
	clientID     string
	clientSecret string
	refreshToken string
	tokenTTL     time.Duration
	allowRemote  bool
	spec         string
	quiet        bool
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{timeScale: 1}
	if v := os.Getenv("CLIQ_TIME_SCALE"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("CLIQ_TIME_SCALE=%q: %v", v, err)
		}
		c.timeScale = f
	}
	fs := flag.NewFlagSet("fakecliq", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8088", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&c.token, "token", "", "static access token to accept (default: random)")
	fs.Float64Var(&c.timeScale, "time-scale", c.timeScale, "divide the rate window and lock period by this (default from CLIQ_TIME_SCALE, else 1)")
	fs.BoolVar(&c.noRateLimits, "no-rate-limits", false, "disable the per-operation rate limits")
	fs.IntVar(&c.maxFolders, "max-folders", fakecliq.DefaultMaxFolders, "maximum number of user folders")
	fs.StringVar(&c.readyFile, "ready-file", "", "once listening, write CLIQ_API_URL=... and CLIQ_ACCESS_TOKEN=... lines to this file (atomically)")
	fs.StringVar(&c.clientID, "client-id", "", "OAuth client id the token endpoint accepts")
	fs.StringVar(&c.clientSecret, "client-secret", "", "OAuth client secret the token endpoint accepts")
	fs.StringVar(&c.refreshToken, "refresh-token", "", "OAuth refresh token the token endpoint accepts (enables OAuth)")
	fs.DurationVar(&c.tokenTTL, "token-ttl", fakecliq.DefaultAccessTokenTTL, "lifetime of access tokens minted by the token endpoint")
	fs.BoolVar(&c.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.StringVar(&c.spec, "openapi-spec", "", "validate traffic against this vendor OpenAPI document and log violations")
	fs.BoolVar(&c.quiet, "quiet", false, "do not log requests")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.timeScale <= 0 {
		return nil, fmt.Errorf("--time-scale must be positive, not %v", c.timeScale)
	}
	if c.maxFolders <= 0 {
		return nil, fmt.Errorf("--max-folders must be positive")
	}
	if !c.allowRemote {
		if err := checkLoopback(c.listen); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// checkLoopback refuses listen addresses that are not loopback-only.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q is not a loopback address; pass --allow-remote to expose the fake", addr)
}

func (c *config) options() fakecliq.Options {
	scale := func(d time.Duration) time.Duration {
		return max(time.Duration(float64(d)/c.timeScale), time.Millisecond)
	}
	return fakecliq.Options{
		AccessToken:       c.token,
		RateWindow:        scale(fakecliq.DefaultRateWindow),
		LockPeriod:        scale(fakecliq.DefaultLockPeriod),
		DisableRateLimits: c.noRateLimits,
		MaxFolders:        c.maxFolders,
		ClientID:          c.clientID,
		ClientSecret:      c.clientSecret,
		RefreshToken:      c.refreshToken,
		AccessTokenTTL:    c.tokenTTL,
		OpenAPISpec:       c.spec,
	}
}

// writeReadyFile writes the env file atomically (temp file + rename).
func writeReadyFile(path, url, token string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fakecliq-ready-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := fmt.Fprintf(tmp, "CLIQ_API_URL=%s\nCLIQ_ACCESS_TOKEN=%s\n", url, token); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// run starts the server and blocks until ctx ends or a signal arrives.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	srv := fakecliq.New(c.options())
	logger := log.New(stderr, "fakecliq: ", log.LstdFlags|log.Lmicroseconds)
	if !c.quiet {
		srv.AfterRequest(func(r fakecliq.LoggedRequest) {
			op := string(r.Op)
			if op == "" {
				op = "-"
			}
			status := strconv.Itoa(r.Status)
			if r.Status == 0 {
				status = "dropped"
			}
			if r.Code != "" {
				status += " " + r.Code
			}
			logger.Printf("%s %s -> %s op=%s", r.Method, r.Path, status, op)
		})
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	fmt.Fprintf(stdout, "CLIQ_API_URL=%s\nCLIQ_ACCESS_TOKEN=%s\n", url, srv.AccessToken())
	if c.readyFile != "" {
		if err := writeReadyFile(c.readyFile, url, srv.AccessToken()); err != nil {
			hs.Close()
			return fmt.Errorf("--ready-file: %v", err)
		}
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Printf("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		hs.Close()
	}
	for _, v := range srv.ContractViolations() {
		logger.Printf("contract violation: %s", v)
	}
	return nil
}
