package cliq

import "sort"

// move places Item directly above Above, or at the end of the list when Above is "".
type move struct {
	Item, Above string
}

// planMoves returns the fewest "move above" steps that turn current into target. Both hold the same
// ids. The items of a longest increasing subsequence (of target positions along current) stay; the
// others move, from the end of target backwards, each above its successor in target, which is by
// then in its final place.
func planMoves(current, target []string) []move {
	pos := make(map[string]int, len(target))
	for i, id := range target {
		pos[id] = i
	}
	seq := make([]int, 0, len(current))
	for _, id := range current {
		if p, ok := pos[id]; ok {
			seq = append(seq, p)
		}
	}
	keep := map[int]bool{}
	for _, p := range longestIncreasing(seq) {
		keep[p] = true
	}
	var moves []move
	for i := len(target) - 1; i >= 0; i-- {
		if keep[i] {
			continue
		}
		above := ""
		if i+1 < len(target) {
			above = target[i+1]
		}
		moves = append(moves, move{Item: target[i], Above: above})
	}
	return moves
}

// longestIncreasing returns one longest strictly increasing subsequence of seq (values, not indexes).
func longestIncreasing(seq []int) []int {
	tails := []int{} // tails[k]: index in seq of the smallest tail of an increasing run of length k+1
	prev := make([]int, len(seq))
	for i, v := range seq {
		k := sort.Search(len(tails), func(j int) bool { return seq[tails[j]] >= v })
		if k > 0 {
			prev[i] = tails[k-1]
		} else {
			prev[i] = -1
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	out := make([]int, len(tails))
	for i, k := len(tails)-1, -1; i >= 0; i-- {
		if k == -1 {
			k = tails[len(tails)-1]
		} else {
			k = prev[k]
		}
		out[i] = seq[k]
	}
	return out
}

// applyMove moves item above "above" (or to the end) in ids, returning the new slice.
func applyMove(ids []string, item, above string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != item {
			out = append(out, id)
		}
	}
	if above == "" {
		return append(out, item)
	}
	for i, id := range out {
		if id == above {
			return append(out[:i], append([]string{item}, out[i:]...)...)
		}
	}
	return append(out, item)
}
