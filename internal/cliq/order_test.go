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
