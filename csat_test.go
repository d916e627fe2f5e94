package helpium

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCSATSummary(t *testing.T) {
	type add struct{ rating, n int }
	for _, tc := range []struct {
		name         string
		adds         []add
		count        int
		distribution []int
		average      *float64
	}{
		{"no ratings", nil, 0, []int{0, 0, 0, 0, 0}, nil},
		{"one rating", []add{{4, 1}}, 1, []int{0, 0, 0, 1, 0}, ptrTo(4.0)},
		{"several at once", []add{{5, 3}}, 3, []int{0, 0, 0, 0, 3}, ptrTo(5.0)},
		{"the ends of the scale", []add{{1, 1}, {5, 1}}, 2, []int{1, 0, 0, 0, 1}, ptrTo(3.0)},
		{"adds accumulate per rating", []add{{2, 1}, {2, 2}, {3, 1}}, 4, []int{0, 3, 1, 0, 0}, ptrTo(2.25)},
		{"a repeating mean is rounded", []add{{5, 2}, {1, 1}}, 3, []int{1, 0, 0, 0, 2}, ptrTo(3.6667)},
		{"adding none changes nothing", []add{{3, 0}}, 0, []int{0, 0, 0, 0, 0}, nil},
	} {
		s := NewCSATSummary()
		for _, a := range tc.adds {
			s.Add(a.rating, a.n)
		}
		avg := s.Average()
		if s.Count != tc.count || !slices.Equal(s.Distribution, tc.distribution) ||
			(avg == nil) != (tc.average == nil) || avg != nil && *avg != *tc.average {
			t.Errorf("%s: count %d, distribution %v, average %s; want %d, %v, %s",
				tc.name, s.Count, s.Distribution, fmtPtr(avg), tc.count, tc.distribution, fmtPtr(tc.average))
		}
	}
}

func TestCanRate(t *testing.T) {
	rated := &CSAT{Rating: 4, SubmittedAt: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		status ConversationStatus
		csat   *CSAT
		want   string
	}{
		{StatusOpen, nil, EConflict},
		{StatusPending, nil, EConflict},
		{StatusResolved, nil, ""},
		{StatusClosed, nil, ""},
		{StatusResolved, rated, EConflict},
		{StatusClosed, rated, EConflict},
		// Rated, then reopened by the customer: still rated once.
		{StatusOpen, rated, EConflict},
	} {
		c := &Conversation{Status: tc.status, CSAT: tc.csat}
		if got := codeOf(c.CanRate()); got != tc.want {
			t.Errorf("%s, rated %v: CanRate = %q, want %q", tc.status, tc.csat != nil, got, tc.want)
		}
	}
	// The two refusals say different things: the widget shows them.
	unresolved := (&Conversation{Status: StatusOpen}).CanRate()
	twice := (&Conversation{Status: StatusResolved, CSAT: rated}).CanRate()
	if ErrorMessage(unresolved) == ErrorMessage(twice) {
		t.Errorf("the same message for an open and a rated conversation: %q", ErrorMessage(twice))
	}
}

func TestValidateRating(t *testing.T) {
	for _, tc := range []struct {
		rating int
		ok     bool
	}{
		{-1, false}, {0, false}, {1, true}, {2, true}, {3, true}, {4, true}, {5, true}, {6, false}, {10, false},
	} {
		err := ValidateRating(tc.rating)
		if tc.ok && err != nil {
			t.Errorf("ValidateRating(%d) = %v, want nil", tc.rating, err)
		}
		if !tc.ok && (codeOf(err) != EInvalid || ErrorField(err) != "rating") {
			t.Errorf("ValidateRating(%d) = %v, want invalid_input on rating", tc.rating, err)
		}
	}
}

func TestCleanComment(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		name string
		in   *string
		want *string
		code string
	}{
		{"none", nil, nil, ""},
		{"empty is none", s(""), nil, ""},
		{"blank is none", s(" \t\n "), nil, ""},
		{"trimmed", s("  Still locked out \n"), s("Still locked out"), ""},
		{"inner spacing kept", s("one  two\nthree"), s("one  two\nthree"), ""},
		{"the longest, counted in characters", s(strings.Repeat("é", MaxFeedbackComment)), s(strings.Repeat("é", MaxFeedbackComment)), ""},
		{"one character too many", s(strings.Repeat("a", MaxFeedbackComment+1)), nil, EInvalid},
		{"the longest with spacing around", s(" " + strings.Repeat("a", MaxFeedbackComment) + "\n"), s(strings.Repeat("a", MaxFeedbackComment)), ""},
		{"not UTF-8", s("caf\xe9"), nil, EInvalid},
		{"a NUL character", s("a\x00b"), nil, EInvalid},
	} {
		got, err := CleanComment("comment", tc.in)
		if codeOf(err) != tc.code || err != nil && ErrorField(err) != "comment" {
			t.Errorf("%s: error %v, want code %q on comment", tc.name, err, tc.code)
			continue
		}
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("%s: %v, want %v", tc.name, strPtr(got), strPtr(tc.want))
		}
	}
	// The error names the caller's field.
	if _, err := CleanComment("feedback.comment", ptrTo(strings.Repeat("a", MaxFeedbackComment+1))); ErrorField(err) != "feedback.comment" {
		t.Errorf("field %q, want feedback.comment", ErrorField(err))
	}
	// The input is not changed in place.
	in := "  padded  "
	if _, err := CleanComment("comment", &in); err != nil || in != "  padded  " {
		t.Errorf("CleanComment changed its input to %q (%v)", in, err)
	}
}

// codeOf is err's code, or "" for nil.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return ErrorCode(err)
}

func strPtr(p *string) string {
	if p == nil {
		return "nil"
	}
	return "\"" + *p + "\""
}
