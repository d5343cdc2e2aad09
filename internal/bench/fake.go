package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// fakeAccount is an in-process fake Cliq server with the documented thresholds and lock period,
// both scaled by the same factor the provider gets through CLIQ_TIME_SCALE.
type fakeAccount struct {
	*fakecliq.Server
	URL    string
	Scale  float64
	Window time.Duration // the scaled vendor minute
	http   *http.Server
}

func startFake(scale float64) (*fakeAccount, error) {
	window := time.Duration(float64(time.Minute) / scale)
	srv := fakecliq.New(fakecliq.Options{
		RateWindow: window,
		LockPeriod: time.Duration(float64(5*time.Minute) / scale),
		MaxFolders: 1000, // the 200-folder plan is beyond the default of 50
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return &fakeAccount{Server: srv, URL: "http://" + ln.Addr().String(), Scale: scale, Window: window, http: hs}, nil
}

func (f *fakeAccount) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = f.http.Shutdown(ctx)
}

// counts is the fake's request, throttle and lock counters per operation.
type counts struct {
	Requests, Throttled, Locks map[fakecliq.Op]int
}

func (f *fakeAccount) counts() counts {
	c := counts{Requests: map[fakecliq.Op]int{}, Throttled: map[fakecliq.Op]int{}, Locks: map[fakecliq.Op]int{}}
	for _, op := range fakecliq.AllOps() {
		c.Requests[op] = f.RequestCount(op)
		c.Throttled[op] = f.ThrottledCount(op)
		c.Locks[op] = f.LockCount(op)
	}
	return c
}

func (c counts) total(m map[fakecliq.Op]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
