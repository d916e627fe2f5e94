package helpium

import (
	"fmt"
	"testing"
)

func TestMessageEffect(t *testing.T) {
	for _, c := range []struct {
		author   AuthorKind
		internal bool
		want     string // activity, first response, reopens from
	}{
		{AuthorCustomer, false, "activity first:false reopen:[resolved closed]"},
		{AuthorAgent, false, "activity first:true reopen:[]"},
		{AuthorAgent, true, "quiet first:false reopen:[]"},
		{AuthorBot, false, "activity first:false reopen:[]"},
		{AuthorSystem, false, "activity first:false reopen:[]"},
	} {
		e := (&Message{Author: c.author, Internal: c.internal}).Effect()
		activity := map[bool]string{true: "activity", false: "quiet"}[e.Activity]
		got := fmt.Sprintf("%s first:%v reopen:%v", activity, e.FirstResponse, e.ReopenFrom)
		if got != c.want {
			t.Errorf("%s internal=%v: %s, want %s", c.author, c.internal, got, c.want)
		}
	}
}
