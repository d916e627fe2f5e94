package helpium

import (
	"fmt"
	"testing"
)

func TestPageOf(t *testing.T) {
	cursor := func(i int) string { return fmt.Sprint("c", i) }
	for _, c := range []struct {
		name                  string
		items                 []int // in walk order
		n                     int
		backward, cursorGiven bool
		want                  string // items, start-end, next, previous
	}{
		{"first page with more", []int{1, 2, 3}, 2, false, false, "[1 2] c1-c2 next:true prev:false"},
		{"last page after a cursor", []int{3, 4}, 2, false, true, "[3 4] c3-c4 next:false prev:true"},
		{"backward with more", []int{9, 8, 7}, 2, true, false, "[8 9] c8-c9 next:false prev:true"},
		{"backward before a cursor, no more", []int{5, 4}, 2, true, true, "[4 5] c4-c5 next:true prev:false"},
		{"empty", nil, 2, false, true, "[] - next:false prev:true"},
		{"zero size", []int{1}, 0, false, false, "[] - next:true prev:false"},
	} {
		p := PageOf(c.items, c.n, c.backward, c.cursorGiven, cursor)
		span := "-"
		if p.Info.StartCursor != nil {
			span = *p.Info.StartCursor + "-" + *p.Info.EndCursor
		}
		got := fmt.Sprintf("%v %s next:%v prev:%v", p.Items, span, p.Info.HasNextPage, p.Info.HasPreviousPage)
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
