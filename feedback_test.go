package helpium

import "testing"

func TestHandoverBody(t *testing.T) {
	url := "https://help.example.com/refunds"
	for _, tc := range []struct {
		name string
		in   Answer
		want string
	}{
		{"no sources", Answer{Text: "We could not find that."}, "We could not find that."},
		{"sources numbered as cited, links kept, brackets defused", Answer{Text: "Refunds take 5 days [1]. Ask in Billing [2].",
			Sources: []AnswerSource{{Title: "Refunds", URL: &url}, {Title: "Billing [beta]"}}},
			"Refunds take 5 days [1]. Ask in Billing [2].\n\nSources:\n1. [Refunds](https://help.example.com/refunds)\n2. Billing (beta)"},
	} {
		if got := HandoverBody(tc.in); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
