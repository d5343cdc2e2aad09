package cliq

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cliq-tf/terraform-provider-cliq/internal/fakecliq"
)

// TestHTMLPageAfterCreateAdoptsTheFolder is the case of issue 14 as a new user met it: a proxy
// answers a folder create that Cliq carried out with a 200 HTML page. The create must return the
// folder it made (so that it goes into the state), and never make a second one.
func TestHTMLPageAfterCreateAdoptsTheFolder(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpCreateFolder, Kind: fakecliq.FaultHTMLAfter})
	f, err := e.client.CreateFolder(ctx, "Releases", ":rocket:", []string{"1"})
	if err != nil {
		t.Fatalf("CreateFolder: %v", err)
	}
	var made []string
	for _, sf := range e.fake.Folders() {
		if sf.Title == "Releases" {
			made = append(made, sf.ID)
		}
	}
	if len(made) != 1 || made[0] != f.ID {
		t.Fatalf("folders titled Releases on the server = %v, CreateFolder returned %q: want exactly the one it returned", made, f.ID)
	}
	if n := e.count(OpCreateFolder); n != 1 {
		t.Fatalf("create sent %d times; a create that took effect must not be repeated", n)
	}
}

// unreadableBodies are answers a proxy or a broken server may give instead of the documented one.
var unreadableBodies = []struct {
	name string
	f    fakecliq.Fault
}{
	{"HTML page", fakecliq.Fault{}},
	{"truncated JSON", fakecliq.Fault{Body: `{"url":"/v3/pin-categories","type":"pin_categories","data":{"category_id":"40000`, ContentType: "application/json;charset=UTF-8"}},
	{"plain text", fakecliq.Fault{Body: "upstream connect error or disconnect/reset before headers", ContentType: "text/plain"}},
	{"JSON under an HTML content type", fakecliq.Fault{Body: `{"data":{}}`, ContentType: "text/html"}},
}

// writeCase is one write operation of the client, run against a fresh account holding folder F
// (chats 1, 2) and folder G (empty), in that order.
type writeCase struct {
	op   Operation
	run  func(t *testing.T, e *testEnv, f, g string) error
	want func(e *testEnv, f, g string) error // the server holds the change
}

func writeCases() []writeCase {
	chats := func(e *testEnv, id string, want ...string) error {
		sf, ok := e.fake.Folder(id)
		if !ok {
			return errors.New("folder " + id + " is gone")
		}
		if !slices.Equal(sf.ChatIDs, want) {
			return fmt.Errorf("folder %s holds %v, want %v", id, sf.ChatIDs, want)
		}
		return nil
	}
	return []writeCase{
		{OpCreateFolder,
			func(t *testing.T, e *testEnv, _, _ string) error {
				_, err := e.client.CreateFolder(testCtx(t), "New", ":smile:", []string{"7"})
				return err
			},
			func(e *testEnv, _, _ string) error {
				var n []string
				for _, sf := range e.fake.Folders() {
					if sf.Title == "New" {
						n = append(n, sf.ID)
					}
				}
				if len(n) != 1 {
					return fmt.Errorf("%d folders titled New, want 1", len(n))
				}
				return chats(e, n[0], "7")
			}},
		{OpModifyFolder,
			func(t *testing.T, e *testEnv, f, _ string) error {
				title := "Renamed"
				return e.client.ModifyFolder(testCtx(t), f, &title, nil, nil)
			},
			func(e *testEnv, f, _ string) error {
				if sf, _ := e.fake.Folder(f); sf.Title != "Renamed" {
					return fmt.Errorf("title %q", sf.Title)
				}
				return nil
			}},
		{OpDeleteFolder,
			func(t *testing.T, e *testEnv, _, g string) error { return e.client.DeleteFolder(testCtx(t), g, false) },
			func(e *testEnv, _, g string) error {
				if _, ok := e.fake.Folder(g); ok {
					return errors.New("folder G is still there")
				}
				return nil
			}},
		{OpReorderChat,
			func(t *testing.T, e *testEnv, f, _ string) error { return e.client.ReorderChat(testCtx(t), f, "1", "") },
			func(e *testEnv, f, _ string) error { return chats(e, f, "2", "1") }},
		{OpReorderFolder,
			func(t *testing.T, e *testEnv, f, _ string) error { return e.client.ReorderFolder(testCtx(t), f, "") },
			func(e *testEnv, f, g string) error {
				var ids []string
				for _, sf := range e.fake.Folders() {
					ids = append(ids, sf.ID)
				}
				if !slices.Equal(ids, []string{DefaultFolderID, g, f}) {
					return fmt.Errorf("order %v", ids)
				}
				return nil
			}},
		{OpReplaceChats,
			func(t *testing.T, e *testEnv, f, _ string) error {
				return e.client.ReplaceChats(testCtx(t), f, []string{"3", "1"})
			},
			func(e *testEnv, f, _ string) error { return chats(e, f, "3", "1") }},
		{OpPinChat,
			func(t *testing.T, e *testEnv, f, _ string) error { return e.client.PinChat(testCtx(t), "5", f) },
			func(e *testEnv, f, _ string) error { return chats(e, f, "1", "2", "5") }},
		{OpUnpinChat,
			func(t *testing.T, e *testEnv, _, _ string) error { return e.client.UnpinChat(testCtx(t), "2") },
			func(e *testEnv, f, _ string) error { return chats(e, f, "1") }},
		{OpBulkUnpin,
			func(t *testing.T, e *testEnv, _, _ string) error {
				return e.client.UnpinChats(testCtx(t), []string{"1", "2"})
			},
			func(e *testEnv, f, _ string) error { return chats(e, f) }},
	}
}

// TestUnreadableWriteAnswersAreSettledByReading: for every write, an answer the client cannot read
// (before or after the write took effect) is an unknown outcome. The client reads, and either finds
// the change made (and does not send it again) or sends it again; the write succeeds, the server
// holds the change once.
func TestUnreadableWriteAnswersAreSettledByReading(t *testing.T) {
	for _, wc := range writeCases() {
		for _, body := range unreadableBodies {
			for _, kind := range []fakecliq.FaultKind{fakecliq.FaultHTMLBefore, fakecliq.FaultHTMLAfter} {
				t.Run(string(wc.op)+"/"+body.name+"/"+kind.String(), func(t *testing.T) {
					t.Parallel()
					e := newTestEnv(t, fakecliq.Options{})
					f := e.fake.CreateFolderOOB("F", "", []string{"1", "2"})
					g := e.fake.CreateFolderOOB("G", "", nil)
					e.tick()
					_, err := e.client.ListFolders(testCtx(t))
					must(t, err)
					fault := body.f
					fault.Op, fault.Kind = fakecliq.Op(wc.op), kind
					e.fake.InjectFault(fault)
					if err := wc.run(t, e, f, g); err != nil {
						t.Fatalf("the write failed: %v", err)
					}
					if len(e.fake.PendingFaults()) != 0 {
						t.Fatal("the fault was never hit")
					}
					if err := wc.want(e, f, g); err != nil {
						t.Fatalf("server: %v", err)
					}
					sent, want := e.count(wc.op), 1
					if kind == fakecliq.FaultHTMLBefore {
						want = 2 // nothing happened: sent again
					}
					if sent != want {
						t.Fatalf("%s sent %d times, want %d", wc.op, sent, want)
					}
				})
			}
		}
	}
}

// TestCreateAnswersMissingTheFolderAreSettled: a create answered 200 with JSON that lacks the new
// folder's id (or with no body at all) made a folder the client cannot name from the answer. It must
// adopt that folder from a read instead of failing (the folder would be left out of the state) or
// creating another.
func TestCreateAnswersMissingTheFolderAreSettled(t *testing.T) {
	for name, fault := range map[string]fakecliq.Fault{
		"no data":             {Body: `{"url":"/v3/pin-categories","type":"pin_categories"}`, ContentType: "application/json"},
		"no category_id":      {Body: `{"data":{"title":"New","state":"expanded"}}`, ContentType: "application/json"},
		"numeric id":          {Body: `{"data":{"category_id":4000000020003}}`, ContentType: "application/json"},
		"data is a list":      {Body: `{"data":[]}`, ContentType: "application/json"},
		"empty body":          {NoBody: true, ContentType: "none"},
		"JSON null":           {Body: `null`, ContentType: "application/json"},
		"empty category_id":   {Body: `{"data":{"category_id":""}}`, ContentType: "application/json"},
		"title of wrong type": {Body: `{"data":{"category_id":"4000000020003","title":7}}`, ContentType: "application/json"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, fakecliq.Options{})
			fault.Op, fault.Kind = fakecliq.OpCreateFolder, fakecliq.FaultHTMLAfter
			e.fake.InjectFault(fault)
			got, err := e.client.CreateFolder(testCtx(t), "New", "", nil)
			must(t, err)
			folders := e.fake.Folders()
			if len(folders) != 2 || folders[1].ID != got.ID || got.Title != "New" {
				t.Fatalf("server holds %+v, client returned %+v: want one folder New, the one returned", folders, got)
			}
			if n := e.count(OpCreateFolder); n != 1 {
				t.Fatalf("create sent %d times", n)
			}
		})
	}
}

// TestUnreadableListIsReadAgainOnce: one unreadable answer to a read costs one more request.
func TestUnreadableListIsReadAgainOnce(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	id := e.fake.CreateFolderOOB("F", "", nil)
	e.tick()
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultHTMLBefore})
	folders, err := e.client.ListFolders(testCtx(t))
	must(t, err)
	if len(folders) != 2 || folders[1].ID != id {
		t.Fatalf("folders = %+v", folders)
	}
	if n := e.count(OpListFolders); n != 2 {
		t.Fatalf("list requests = %d, want 2", n)
	}
}

// TestUnreadableListFailsWithAClearError: a read that stays unreadable fails after its second try
// with an error that says which request, what came back (status, content type, the first bytes) and
// what to do; never a bare JSON decoder message.
func TestUnreadableListFailsWithAClearError(t *testing.T) {
	cases := []struct {
		name  string
		fault fakecliq.Fault
		want  []string
	}{
		{"HTML page", fakecliq.Fault{}, []string{
			"Cliq answered the folder list (list_folders) with an HTML page instead of JSON (HTTP 200, text/html): `<html><head><title>503 Service Temporarily Unavailable</title></head> <body><h1>…`",
		}},
		{"HTML page with a JSON content type", fakecliq.Fault{ContentType: "application/json"}, []string{"with an HTML page instead of JSON (HTTP 200, application/json): `<html>"}},
		{"truncated", fakecliq.Fault{Body: `{"url":"/v3/pin-categories","type":"pin_categories","data":[{"category_id":"default"},{"category_`, ContentType: "application/json;charset=UTF-8"},
			[]string{"with JSON that breaks off (the answer was cut short) (HTTP 200, application/json): `{\"url\""}},
		{"data is an object", fakecliq.Fault{Body: `{"data":{"category_id":"default"}}`, ContentType: "application/json"},
			[]string{"with JSON in which data is an object, not a list (HTTP 200, application/json)"}},
		{"no data", fakecliq.Fault{Body: `{"url":"/v3/pin-categories","type":"pin_categories"}`, ContentType: "application/json"},
			[]string{"with JSON without data (HTTP 200"}},
		{"folder without id", fakecliq.Fault{Body: `{"data":[{"category_id":"default"},{"title":"x"}]}`, ContentType: "application/json"},
			[]string{"with JSON without data[1].category_id (HTTP 200"}},
		{"chat without id", fakecliq.Fault{Body: `{"data":[{"category_id":"default","chats":[{"name":"x"}]}]}`, ContentType: "application/json"},
			[]string{"with JSON without data[0].chats[0].chat_id"}},
		{"title of wrong type", fakecliq.Fault{Body: `{"data":[{"category_id":"4","title":["x"]}]}`, ContentType: "application/json"},
			[]string{"with JSON in which data.title is an array, not a string"}},
		{"empty body", fakecliq.Fault{NoBody: true, ContentType: "none"}, []string{"with an empty body instead of JSON (HTTP 200, no content type)."}},
		{"plain text", fakecliq.Fault{Body: "upstream request timeout", ContentType: "text/plain; charset=utf-8"},
			[]string{"with a text/plain body instead of JSON (HTTP 200, text/plain): `upstream request timeout`"}},
		{"HTTP 203", fakecliq.Fault{Status: 203}, []string{"(HTTP 203, text/html)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t, fakecliq.Options{})
			f := tc.fault
			f.Op, f.Kind, f.Times = fakecliq.OpListFolders, fakecliq.FaultHTMLBefore, 2
			e.fake.InjectFault(f)
			_, err := e.client.ListFolders(testCtx(t))
			var uerr *UnreadableAnswerError
			if !errors.As(err, &uerr) {
				t.Fatalf("err = %v, want an *UnreadableAnswerError", err)
			}
			msg := err.Error()
			for _, w := range append(tc.want, "A proxy or an outage between you and Cliq may cause this; try again") {
				if !strings.Contains(msg, w) {
					t.Errorf("error\n  %s\nlacks\n  %s", msg, w)
				}
			}
			if strings.Contains(msg, "invalid character") || strings.Contains(msg, "unexpected end of JSON") || strings.Contains(msg, "json:") {
				t.Errorf("error carries a bare decoder message: %s", msg)
			}
			if n := e.count(OpListFolders); n != 2 {
				t.Fatalf("list requests = %d, want 2 (one more try, no more)", n)
			}
		})
	}
}

// TestUnreadableAnswerErrorsShowNoSecret: the first bytes of an unreadable answer are shown, but
// never a secret the client holds, nor anything shaped like a credential.
func TestUnreadableAnswerErrorsShowNoSecret(t *testing.T) {
	const clientSecret, refresh = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7", "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
	e := newTestEnv(t, fakecliq.Options{ClientID: "1000.CLIENT", ClientSecret: clientSecret, RefreshToken: refresh})
	ctx := testCtx(t)
	_, err := e.client.ListFolders(ctx) // mints an access token
	must(t, err)
	issued := e.fake.IssuedAccessTokens()
	if len(issued) != 1 {
		t.Fatalf("issued %v", issued)
	}
	page := "<p>" + issued[0] + "</p> secret " + clientSecret + " Authorization: Bearer xyz12 refresh=" + refresh + " key=" + strings.Repeat("Zz9", 10)
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultHTMLBefore, Times: 2, Body: page})
	e.client.Invalidate()
	_, err = e.client.ListFolders(ctx)
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{issued[0], clientSecret, refresh, "xyz12", strings.Repeat("Zz9", 10)} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error shows %q: %v", secret, err)
		}
	}
	if !strings.Contains(err.Error(), "`<p>[redacted]</p> secret [redacted] Authorization: [redacted]") {
		t.Errorf("the excerpt is not the page with its secrets removed: %v", err)
	}
}

// TestAnswersWithUnknownKeysAreRead: unknown keys are ignored and optional keys may be missing; such
// answers are read as they are, without a read to settle them.
func TestAnswersWithUnknownKeysAreRead(t *testing.T) {
	e := newTestEnv(t, fakecliq.Options{})
	ctx := testCtx(t)
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpListFolders, Kind: fakecliq.FaultHTMLBefore, ContentType: "application/json; charset=utf-8",
		Body: `{"url":"/v3/pin-categories","type":"pin_categories","next_token":null,"data":[{"category_id":"default","colour":"red","chats":[{"chat_id":"9","unread":3}]}]}`})
	folders, err := e.client.ListFolders(ctx)
	must(t, err)
	if len(folders) != 1 || !slices.Equal(folders[0].ChatIDs(), []string{"9"}) {
		t.Fatalf("folders = %+v", folders)
	}
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpCreateFolder, Kind: fakecliq.FaultHTMLAfter, ContentType: "application/json",
		Body: `{"data":{"category_id":"4000000020001","position":7},"request_id":"abc"}`})
	f, err := e.client.CreateFolder(ctx, "New", ":smile:", nil)
	must(t, err)
	e.fake.InjectFault(fakecliq.Fault{Op: fakecliq.OpPinChat, Kind: fakecliq.FaultHTMLAfter, ContentType: "application/json", Body: `{"data":{"pinned_at":1}}`})
	must(t, e.client.PinChat(ctx, "5", f.ID))
	if f.ID != "4000000020001" || f.Title != "New" || f.Symbol != ":smile:" || f.State != "expanded" {
		t.Fatalf("created %+v: the missing title, symbol and state are the ones asked for", f)
	}
	if n := e.count(OpListFolders); n != 1 {
		t.Fatalf("list requests = %d, want 1: an answer with unknown keys was not taken as it is", n)
	}
	if !slices.Equal(e.chatIDs(t, f.ID), []string{"5"}) || len(e.fake.PendingFaults()) != 0 {
		t.Fatalf("server folder holds %v", e.chatIDs(t, f.ID))
	}
}
