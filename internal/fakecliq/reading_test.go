package fakecliq

import (
	"slices"
	"testing"
)

func TestReadings(t *testing.T) {
	def := New(Options{})
	a := def.CreateFolderOOB("A", "", []string{"1"})
	b := def.CreateFolderOOB("B", "", nil)
	if err := def.PinChatOOB("1", b); err != nil {
		t.Fatal(err)
	}
	if fa, _ := def.Folder(a); !slices.Equal(fa.ChatIDs, []string{"1"}) {
		t.Fatalf("default reading: pinning into B took 1 out of A: %v", fa.ChatIDs)
	}

	one := New(Options{Reading: Reading{OneFolderPerChat: true, NewOnTop: true, UnpinAllEverywhere: true}})
	a = one.CreateFolderOOB("A", "", []string{"1", "2"})
	b = one.CreateFolderOOB("B", "", []string{"3"})
	if ids := folderIDs(one.Folders()); !slices.Equal(ids, []string{DefaultFolderID, b, a}) {
		t.Fatalf("NewOnTop: order = %v", ids)
	}
	if err := one.PinChatOOB("1", b); err != nil {
		t.Fatal(err)
	}
	fa, _ := one.Folder(a)
	fb, _ := one.Folder(b)
	if !slices.Equal(fa.ChatIDs, []string{"2"}) || !slices.Equal(fb.ChatIDs, []string{"1", "3"}) {
		t.Fatalf("OneFolderPerChat + NewOnTop: A = %v, B = %v", fa.ChatIDs, fb.ChatIDs)
	}
	if err := one.PinChatOOB("2", DefaultFolderID); err != nil {
		t.Fatal(err)
	}
	if fa, _ := one.Folder(a); len(fa.ChatIDs) != 0 {
		t.Fatalf("pinning 2 into My Pins left it in A: %v", fa.ChatIDs)
	}
}

func folderIDs(fs []Folder) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}
