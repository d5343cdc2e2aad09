package cliq

import (
	"slices"
	"testing"
)

func TestPlanMovesIsMinimalAndCorrect(t *testing.T) {
	cases := []struct {
		current, target []string
		moves           int
	}{
		{[]string{"a", "b", "c"}, []string{"a", "b", "c"}, 0},
		{[]string{"a", "b", "c"}, []string{"c", "a", "b"}, 1},
		{[]string{"a", "b", "c"}, []string{"b", "c", "a"}, 1},
		{[]string{"a", "b", "c", "d"}, []string{"d", "c", "b", "a"}, 3},
		{[]string{"a", "b", "c", "d", "e"}, []string{"a", "c", "b", "e", "d"}, 2},
		{[]string{"x"}, []string{"x"}, 0},
	}
	for _, tc := range cases {
		moves := planMoves(tc.current, tc.target)
		if len(moves) != tc.moves {
			t.Errorf("planMoves(%v, %v) = %d moves %v, want %d", tc.current, tc.target, len(moves), moves, tc.moves)
		}
		got := slices.Clone(tc.current)
		for _, m := range moves {
			got = applyMove(got, m.Item, m.Above)
		}
		if !slices.Equal(got, tc.target) {
			t.Errorf("moves %v turn %v into %v, want %v", moves, tc.current, got, tc.target)
		}
	}
}

func TestDesiredFolderOrderKeepsOthersBelow(t *testing.T) {
	got := DesiredFolderOrder([]string{"1", "2", "3", "4"}, []string{"3", "1"})
	if want := []string{"3", "1", "2", "4"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestMergeChatsAppliesOnlyThePlansChange(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		current, prior, want []string
		out                  []string
	}{
		{"nothing changed by hand", []string{"1", "2"}, []string{"1", "2"}, []string{"2", "3"}, []string{"2", "3"}},
		{"pinned by hand since the plan: stays, after the chat it follows", []string{"1", "9", "2"}, []string{"1", "2"}, []string{"1", "2", "3"}, []string{"1", "9", "2", "3"}},
		{"pinned by hand at the top", []string{"9", "1"}, []string{"1"}, []string{"1", "2"}, []string{"9", "1", "2"}},
		{"unpinned by hand, kept by the plan: stays unpinned", []string{"2"}, []string{"1", "2"}, []string{"1", "2", "3"}, []string{"2", "3"}},
		{"removed by the plan", []string{"1", "2", "9"}, []string{"1", "2"}, []string{"2"}, []string{"2", "9"}},
		{"the plan reorders", []string{"1", "2", "3"}, []string{"1", "2", "3"}, []string{"3", "1", "2"}, []string{"3", "1", "2"}},
		{"added by the plan and by hand alike", []string{"1", "3"}, []string{"1"}, []string{"1", "3"}, []string{"1", "3"}},
		{"to none", []string{"1"}, []string{"1"}, nil, nil},
	} {
		if got := MergeChats(tc.current, tc.prior, tc.want); !slices.Equal(got, tc.out) {
			t.Errorf("%s: MergeChats(%v, %v, %v) = %v, want %v", tc.name, tc.current, tc.prior, tc.want, got, tc.out)
		}
	}
}
