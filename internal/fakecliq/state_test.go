package fakecliq

import (
	"errors"
	"reflect"
	"testing"
)

func TestFoldersSnapshot(t *testing.T) {
	s := New(Options{})
	f := s.Folders()
	if len(f) != 1 || f[0].ID != "default" || f[0].Title != "" || f[0].State != "" || f[0].ChatIDs == nil {
		t.Fatalf("fresh server: %+v", f)
	}
	id := s.CreateFolderOOB("A", ":x:", []string{"1", "not an id", "2", "1"})
	got, ok := s.Folder(id)
	if !ok || got.Title != "A" || got.Symbol != ":x:" || got.State != "expanded" || !reflect.DeepEqual(got.ChatIDs, []string{"1", "2"}) {
		t.Fatalf("folder %+v", got)
	}
	got.ChatIDs[0] = "changed"
	s.Folders()[1].ChatIDs[1] = "changed"
	if again, _ := s.Folder(id); !reflect.DeepEqual(again.ChatIDs, []string{"1", "2"}) {
		t.Fatal("snapshot shares memory with the state")
	}
	if _, ok := s.Folder("nope"); ok {
		t.Fatal("found a missing folder")
	}
}

func TestOOBChanges(t *testing.T) {
	s := New(Options{})
	a := s.CreateFolderOOB("A", "", []string{"1", "2"})
	b := s.CreateFolderOOB("B", "", nil)
	c := s.CreateFolderOOB("C", "", []string{"3"})
	if a != "4000000020001" || c != "4000000020003" {
		t.Fatalf("ids %s %s", a, c)
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(s.RenameFolderOOB(a, "A2"))
	title, symbol, state := "A3", ":y:", "collapsed"
	check(s.SetFolderOOB(a, &title, &symbol, &state))
	check(s.SetFolderOOB(a, nil, nil, nil))
	if f, _ := s.Folder(a); f.Title != "A3" || f.Symbol != ":y:" || f.State != "collapsed" {
		t.Fatalf("A: %+v", f)
	}
	check(s.MoveFolderOOB(c, a))
	check(s.MoveFolderOOB(a, ""))
	order := func() []string {
		var ids []string
		for _, f := range s.Folders() {
			ids = append(ids, f.ID)
		}
		return ids
	}
	if got := order(); !reflect.DeepEqual(got, []string{"default", c, b, a}) {
		t.Fatalf("order %v", got)
	}
	check(s.PinChatOOB("2", ""))
	check(s.PinChatOOB("5", b))
	check(s.PinChatOOB("5", b)) // no-op
	check(s.SetFolderChatsOOB(c, []string{"7", "8", "7"}))
	check(s.UnpinChatOOB("1"))
	check(s.DeleteFolderOOB(a)) // a holds "2" (already in default)
	check(s.SetFolderChatsOOB("default", append(s.mustFolder(t, "default").ChatIDs, "9")))
	want := map[string][]string{"default": {"2", "9"}, b: {"5"}, c: {"7", "8"}}
	for id, chats := range want {
		if got := s.mustFolder(t, id).ChatIDs; !reflect.DeepEqual(got, chats) {
			t.Errorf("%s: %v, want %v", id, got, chats)
		}
	}
	s.TouchFolderOOB("missing") // ignored

	errs := []struct {
		name string
		err  error
		want error
	}{
		{"rename default", s.RenameFolderOOB("default", "x"), ErrDefaultFolder},
		{"rename missing", s.RenameFolderOOB("42", "x"), ErrFolderNotFound},
		{"bad state", s.SetFolderOOB(b, nil, nil, ptr("open")), ErrInvalidState},
		{"delete default", s.DeleteFolderOOB("default"), ErrDefaultFolder},
		{"delete missing", s.DeleteFolderOOB(a), ErrFolderNotFound},
		{"move default", s.MoveFolderOOB("default", ""), ErrDefaultFolder},
		{"move above default", s.MoveFolderOOB(b, "default"), ErrDefaultFolder},
		{"move above missing", s.MoveFolderOOB(b, "42"), ErrFolderNotFound},
		{"set chats missing", s.SetFolderChatsOOB("42", nil), ErrFolderNotFound},
		{"set bad chat", s.SetFolderChatsOOB(b, []string{"x y"}), ErrInvalidChatID},
		{"pin bad chat", s.PinChatOOB("x/y", b), ErrInvalidChatID},
		{"pin missing folder", s.PinChatOOB("1", "42"), ErrFolderNotFound},
		{"unpin not pinned", s.UnpinChatOOB("99"), ErrNotPinned},
	}
	for _, tt := range errs {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if err := s.MoveFolderOOB(b, b); err == nil {
		t.Error("moved a folder above itself")
	}
}

func (s *Server) mustFolder(t *testing.T, id string) Folder {
	t.Helper()
	f, ok := s.Folder(id)
	if !ok {
		t.Fatalf("no folder %s", id)
	}
	return f
}
