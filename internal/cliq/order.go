package cliq

import (
	"slices"
	"sort"
)

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

// mergeOrder is current, the order a read shows, with the plan's change from prior (the state) to
// want (the configuration) applied, and nothing else changed:
//   - items the plan removes (in prior, not in want) go when drop is set; items it adds (in want,
//     not in prior) come if absent, right below the last item the plan puts above them (or on
//     top), and so do those that fresh reports, present or not; items both keep but current lacks
//     stay absent;
//   - a pair of want's items is the plan's when the plan adds one of them or orders the two unlike
//     prior: it takes want's order. Every other pair keeps current's order, as the person left it.
//
// While a plan's pair is out of order, an item the plan adds in such a pair, else the item in most
// such pairs, is taken out (the fewest moves this greedy finds that move no kept item the plan
// does not order); each is put back, in want's order, between the items its plan's pairs put it
// after and before, at the place there that keeps the most of its other pairs as they were. Where
// the person's order leaves no such place, it goes right after the last item it must follow, and
// the plan's pairs it cannot keep are excused (heldPairs), so that a merge of the result changes
// nothing.
func mergeOrder(current, prior, want []string, drop bool, fresh func(id string) bool) []string {
	priorAt, wantAt, curAt := positions(prior), positions(want), positions(current)
	planPair := func(x, y string) bool {
		wx, okx := wantAt[x]
		wy, oky := wantAt[y]
		if !okx || !oky {
			return false
		}
		px, inx := priorAt[x]
		py, iny := priorAt[y]
		return !inx || !iny || (px < py) != (wx < wy)
	}
	var base []string
	for _, id := range current {
		_, inPrior := priorAt[id]
		_, inWant := wantAt[id]
		if drop && inPrior && !inWant || slices.Contains(base, id) {
			continue
		}
		base = append(base, id)
	}
	// The fresh items the plan adds are placed where it puts them even if present: a folder this
	// client made sits where Cliq put it, not where a person did.
	moving := map[string]bool{}
	for _, id := range base {
		if _, inPrior := priorAt[id]; !inPrior && fresh != nil && fresh(id) {
			if _, inWant := wantAt[id]; inWant {
				moving[id] = true
			}
		}
	}
	// Take out the items of the plan's pairs that current has the other way round, unless the
	// person's order forces it (excused).
	for {
		var kept []string
		for _, id := range base {
			if !moving[id] {
				kept = append(kept, id)
			}
		}
		ok := heldPairs(kept, planPair, wantAt)
		count := map[string]int{}
		for i, y := range kept {
			for j := i + 1; j < len(kept); j++ {
				if !ok[i][j] {
					count[y]++
					count[kept[j]]++
				}
			}
		}
		// An item the plan adds is taken out before any it keeps: all its pairs are the plan's
		// to move, while moving a kept item would turn its pairs with the person's chats around.
		pick, pickAdded := "", false
		for _, id := range want {
			_, inPrior := priorAt[id]
			if added := !inPrior; count[id] > 0 && (pick == "" || added && !pickAdded || added == pickAdded && count[id] > count[pick]) {
				pick, pickAdded = id, added
			}
		}
		if pick == "" {
			break
		}
		moving[pick] = true
	}
	out := slices.DeleteFunc(slices.Clone(base), func(id string) bool { return moving[id] })
	for _, x := range want {
		_, present := curAt[x]
		_, inPrior := priorAt[x]
		if !moving[x] && (present || inPrior) {
			continue // in place, or kept by the plan but unpinned by hand
		}
		lo, hi := 0, len(out)
		for i, y := range out {
			if planPair(x, y) {
				if wantAt[y] < wantAt[x] {
					lo = max(lo, i+1)
				} else {
					hi = min(hi, i)
				}
			}
		}
		at := lo
		if present && inPrior {
			// The place between lo and hi that turns the fewest of x's other pairs around.
			best := -1
			for p := lo; p <= max(lo, hi); p++ {
				turned := 0
				for i, y := range out {
					if yAt, ok := curAt[y]; ok && (i < p) != (yAt < curAt[x]) {
						turned++
					}
				}
				if best < 0 || turned < best {
					best, at = turned, p
				}
			}
		}
		out = slices.Insert(out, at, x)
	}
	return out
}

// heldPairs reports, for i < j, whether ids[i] may stay above ids[j]: the pair is not the plan's,
// or the plan puts it that way, or the person's order forces it: the plan puts ids[j] above ids[i],
// but ids[j] must stay below some ids[k] between them (a pair of the plan's that holds), and ids[i]
// may stay above ids[k].
func heldPairs(ids []string, planPair func(x, y string) bool, wantAt map[string]int) [][]bool {
	n := len(ids)
	ok := make([][]bool, n)
	for i := range ok {
		ok[i] = make([]bool, n)
	}
	for gap := 1; gap < n; gap++ {
		for i := 0; i+gap < n; i++ {
			j := i + gap
			x, y := ids[i], ids[j]
			held := !planPair(x, y) || wantAt[x] < wantAt[y]
			for k := i + 1; k < j && !held; k++ {
				z := ids[k]
				held = planPair(z, y) && wantAt[z] < wantAt[y] && ok[i][k]
			}
			ok[i][j] = held
		}
	}
	return ok
}

func positions(ids []string) map[string]int {
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		if _, ok := at[id]; !ok {
			at[id] = i
		}
	}
	return at
}
