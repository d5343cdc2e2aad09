package cliq

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func TestDocumentedErrorsCarryCodeAndRemediation(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{MaxFolders: 1, MaxPinsPerFolder: 1})
	ctx := testCtx(t)
	f, err := e.client.CreateFolder(ctx, "One", "", []string{"1"})
	must(t, err)
	e.fake.ForbidChat("66")
	e.fake.DenyChat("77")

	cases := []struct {
		name   string
		run    func() error
		status int
		code   string
		hint   string
	}{
		{"max folders", func() error { _, err := e.client.CreateFolder(ctx, "Two", "", nil); return err }, 400, CodeMaxFolders, "delete a folder"},
		{"forbidden chat", func() error { return e.client.PinChat(ctx, "66", "") }, 400, CodeOperationNotAllowed, "may pin every chat"},
		{"not a participant", func() error { return e.client.PinChat(ctx, "77", "") }, 400, CodeChatAccessDenied, "not a participant"},
		{"folder full", func() error { return e.client.PinChat(ctx, "2", f.ID) }, 400, CodeMaxPins, "maximum number of pinned chats"},
		{"unpin what is not pinned", func() error { return e.client.UnpinChat(ctx, "999") }, 400, CodeChatOperationFailed, "check that the chat exists"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if apiErr.Status != tc.status || apiErr.Code != tc.code || !strings.Contains(err.Error(), tc.hint) {
				t.Fatalf("err = %v (status %d code %q), want %d %s with %q", err, apiErr.Status, apiErr.Code, tc.status, tc.code, tc.hint)
			}
		})
	}
}

func TestUnauthorizedAndNotFoundAreClear(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{}, func(c *Config) { c.AccessToken = "wrong" })
	_, err := e.client.ListFolders(testCtx(t))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "invalid AuthToken") || !strings.Contains(err.Error(), "check the credentials") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Fatal("the error shows the token")
	}
	e2 := newTestEnv(t, fakecliq.Options{}, func(c *Config) { c.APIURL += "/elsewhere" })
	_, err = e2.client.ListFolders(testCtx(t))
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || !strings.Contains(err.Error(), "check api_url") {
		t.Fatalf("err = %v", err)
	}
}

func TestReadsRetryServerErrors(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultStatus, Status: 503})
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultDropBefore})
	_, err := e.client.ListFolders(testCtx(t))
	must(t, err)
	if n := e.count(OpListFolders); n != 3 {
		t.Fatalf("list requests = %d, want 3", n)
	}
}

func TestAmbiguousCreateNeverDuplicates(t *testing.T) {
	for _, kind := range []fakecliq.FaultKind{fakecliq.FaultDropAfter, fakecliq.FaultDropBefore} {
		for _, status := range []int{0, 500, 503} {
			e := newTestEnv(t, fakecliq.Options{})
			ctx := testCtx(t)
			e.fake.CreateFolderOOB("Same", "", nil) // a folder with the same title already exists
			e.tick()
			f := fakecliq.Fault{Op: fakecliq.OpCreateFolder, Kind: kind}
			if status != 0 {
				f = fakecliq.Fault{Op: fakecliq.OpCreateFolder, Kind: fakecliq.FaultStatus, Status: status}
			}
			e.fake.InjectFault(f)
			got, err := e.client.CreateFolder(ctx, "Same", "", []string{"1"})
			must(t, err)
			var same []string
			for _, sf := range e.fake.Folders() {
				if sf.Title == "Same" {
					same = append(same, sf.ID)
				}
			}
			if len(same) != 2 || !slices.Contains(same, got.ID) || got.ID == same[0] {
				t.Fatalf("fault %v/%d: folders titled Same = %v, got %s", kind, status, same, got.ID)
			}
		}
	}
}

func TestAmbiguousWritesSettleByReading(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	id := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
	e.tick()
	for _, op := range []fakecliq.Op{fakecliq.OpReplaceChats, fakecliq.OpPinChat, fakecliq.OpModifyFolder} {
		e.fake.InjectFault(fakecliq.Fault{Op: op, Kind: fakecliq.FaultDropAfter})
	}
	must(t, e.client.ReplaceChats(ctx, id, []string{"2", "1", "3"}))
	must(t, e.client.PinChat(ctx, "9", id))
	title := "G"
	must(t, e.client.ModifyFolder(ctx, id, &title, nil, nil))
	sf, _ := e.fake.Folder(id)
	if sf.Title != "G" || !slices.Equal(sf.ChatIDs, []string{"2", "1", "3", "9"}) {
		t.Fatalf("server folder = %+v", sf)
	}
	for _, op := range []Operation{OpReplaceChats, OpPinChat, OpModifyFolder} {
		if n := e.count(op); n != 1 {
			t.Errorf("%s sent %d times; a committed write must not be repeated", op, n)
		}
	}
}

func TestThrottlingWaitsOutTheLock(t *testing.T) {
	for _, style := range []string{"429", "400"} {
		e := newTestEnv(t, fakecliq.Options{ThrottleStyle: style, LockPeriod: 300 * time.Millisecond})
		ctx := testCtx(t)
		e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultThrottle})
		start := time.Now()
		_, err := e.client.ListFolders(ctx)
		must(t, err)
		if waited := time.Since(start); waited < 300*time.Millisecond {
			t.Fatalf("style %s: the client retried after %v, inside the lock period", style, waited)
		}
		if n, thr := e.count(OpListFolders), e.fake.ThrottledCount(fakecliq.OpListFolders); n != 2 || thr != 1 {
			t.Fatalf("style %s: requests = %d throttled = %d, want 2 and 1 (nothing sent during the lock)", style, n, thr)
		}
	}
}
