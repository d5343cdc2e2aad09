package cliq

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// testEnv is a fake Cliq account and a client pointed at it, with the vendor's minute scaled down
// alike on both sides.
type testEnv struct {
	fake   *fakecliq.Server
	url    string
	client *Client
	extra  atomic.Int64 // nanoseconds the fake's clock runs ahead of the real one
}

// tick moves the fake's clock on by two seconds. Date headers have seconds granularity, and a
// read proves a folder only from a second before its Date on (readMargin): a folder changed out
// of band less than that before the client's read looks changed after it, which costs the client
// a refused request and one more read. Tests that set up state out of band tick before the client
// reads, as a real user's changes are seldom that close to Terraform's.
func (e *testEnv) tick() { e.extra.Add(int64(time.Second + readMargin)) }

const testWindow = time.Minute / 60

func newTestEnv(t *testing.T, opts fakecliq.Options, tweak ...func(*Config)) *testEnv {
	t.Helper()
	if opts.RateWindow == 0 {
		opts.RateWindow = testWindow
	}
	if opts.LockPeriod == 0 {
		opts.LockPeriod = 5 * opts.RateWindow
	}
	if opts.OpenAPISpec == "" {
		opts.OpenAPISpec = fakecliq.FindOpenAPISpec()
	}
	e := &testEnv{}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().Add(time.Duration(e.extra.Load())) }
	}
	fake, srv := fakecliq.NewTestServer(t, opts)
	cfg := Config{
		APIURL:         srv.URL,
		AccessToken:    fake.AccessToken(),
		RateWindow:     opts.RateWindow,
		LockPeriod:     opts.LockPeriod,
		RetryBaseDelay: 5 * time.Millisecond,
		BatchDelay:     50 * time.Millisecond,

		TokenRefreshWindow: 10 * opts.RateWindow,
	}
	if opts.RefreshToken != "" {
		cfg.AccessToken = ""
		cfg.ClientID, cfg.ClientSecret, cfg.RefreshToken = opts.ClientID, opts.ClientSecret, opts.RefreshToken
	}
	for _, f := range tweak {
		f(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if v := fake.ContractViolations(); len(v) > 0 {
			t.Errorf("requests or answers broke the vendor's OpenAPI document:\n%v", v)
		}
	})
	e.fake, e.url, e.client = fake, srv.URL, c
	return e
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (e *testEnv) count(op Operation) int { return e.fake.RequestCount(fakecliq.Op(op)) }

func (e *testEnv) chatIDs(t *testing.T, folderID string) []string {
	t.Helper()
	f, ok := e.fake.Folder(folderID)
	if !ok {
		t.Fatalf("folder %s is not on the server", folderID)
	}
	return f.ChatIDs
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
