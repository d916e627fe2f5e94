package helpium

import (
	"testing"
	"time"
)

// BenchmarkBusinessHoursStatus measures the widget hot path: a compiled
// Mon–Fri 09:00–17:00 Amsterdam schedule with a few holidays.
func BenchmarkBusinessHoursStatus(b *testing.B) {
	s, err := BusinessHours{
		Enabled:  true,
		Timezone: "Europe/Amsterdam",
		Ranges: []OpeningRange{
			{Day: Monday, Start: "09:00", End: "17:00"},
			{Day: Tuesday, Start: "09:00", End: "17:00"},
			{Day: Wednesday, Start: "09:00", End: "12:30"},
			{Day: Wednesday, Start: "13:30", End: "17:00"},
			{Day: Thursday, Start: "09:00", End: "17:00"},
			{Day: Friday, Start: "09:00", End: "16:00"},
		},
		Closures: []Closure{
			{Date: "2026-04-27", Reason: "King's Day"},
			{Date: "2026-12-25", Reason: "Christmas"},
			{Date: "2026-12-26"},
			{Date: "2027-01-01", Reason: "New Year"},
		},
	}.Compile()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, now string }{
		{"open", "2026-12-01T10:00:00Z"},            // Tue 11:00
		{"closed_evening", "2026-12-01T19:00:00Z"},  // Tue 20:00
		{"weekend", "2026-12-05T12:00:00Z"},         // Sat
		{"before_holidays", "2026-12-24T17:00:00Z"}, // Thu 18:00, next Mon 28th
		{"dst_weekend", "2026-10-24T12:00:00Z"},     // Sat before fall-back
	} {
		now, err := time.Parse(time.RFC3339, bc.now)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				st := s.Status(now)
				if st.NextChangeAt == nil {
					b.Fatal("no next change")
				}
			}
		})
	}
}
