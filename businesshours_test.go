package helpium

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // hermetic zone data when the host has none
)

// Helpers to build schedules that read like the settings a workspace saves.

var bhMonFri = []Weekday{Monday, Tuesday, Wednesday, Thursday, Friday}
var bhEveryDay = []Weekday{Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday}

// on returns one range per day, from start to end.
func bhOn(days []Weekday, start, end string) []OpeningRange {
	rs := make([]OpeningRange, 0, len(days))
	for _, d := range days {
		rs = append(rs, OpeningRange{Day: d, Start: start, End: end})
	}
	return rs
}

func bhOne(day Weekday, start, end string) []OpeningRange {
	return []OpeningRange{{Day: day, Start: start, End: end}}
}

func bhJoin(rs ...[]OpeningRange) []OpeningRange {
	var out []OpeningRange
	for _, r := range rs {
		out = append(out, r...)
	}
	return out
}

// hours is an enabled schedule in tz with the given ranges and closed dates.
func bhHours(tz string, ranges []OpeningRange, closed ...string) BusinessHours {
	b := BusinessHours{Enabled: true, Timezone: tz, Ranges: ranges}
	for _, d := range closed {
		b.Closures = append(b.Closures, Closure{Date: d, Reason: "holiday"})
	}
	return b
}

// utc parses an RFC 3339 instant; the test tables write every instant in UTC
// with the local reading in a comment.
func bhUTC(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad instant %q: %v", s, err)
	}
	return v
}

func bhCompile(t testing.TB, b BusinessHours) *Schedule {
	t.Helper()
	s, err := b.Compile()
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}

var (
	bhAms       = "Europe/Amsterdam"
	bhOffice    = bhOn(bhMonFri, "09:00", "17:00")
	bhAmsOffice = bhHours(bhAms, bhOffice)
)

type bhStatusCase struct {
	name  string
	hours BusinessHours
	now   string // UTC
	open  bool
	next  string // UTC; "" means NextChangeAt == nil
}

func runBHStatusCases(t *testing.T, cases []bhStatusCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := bhCompile(t, tc.hours).Status(bhUTC(t, tc.now))
			if got.IsOpen != tc.open {
				t.Errorf("IsOpen = %v, want %v", got.IsOpen, tc.open)
			}
			switch {
			case tc.next == "" && got.NextChangeAt != nil:
				t.Errorf("NextChangeAt = %v, want nil", got.NextChangeAt)
			case tc.next != "" && got.NextChangeAt == nil:
				t.Errorf("NextChangeAt = nil, want %s", tc.next)
			case tc.next != "" && !got.NextChangeAt.Equal(bhUTC(t, tc.next)):
				t.Errorf("NextChangeAt = %s, want %s", got.NextChangeAt.UTC().Format(time.RFC3339), tc.next)
			case got.NextChangeAt != nil && got.NextChangeAt.Location() != time.UTC:
				t.Errorf("NextChangeAt location = %v, want UTC", got.NextChangeAt.Location())
			}
		})
	}
}

// Amsterdam is UTC+1 (CET) in January; 2026-01-05 is a Monday.
func TestBusinessHoursStatusWeekly(t *testing.T) {
	runBHStatusCases(t, []bhStatusCase{
		{"during hours", bhAmsOffice, "2026-01-05T09:00:00Z" /* Mon 10:00 */, true, "2026-01-05T16:00:00Z"},
		{"at opening instant (start is inclusive)", bhAmsOffice, "2026-01-05T08:00:00Z" /* Mon 09:00 */, true, "2026-01-05T16:00:00Z"},
		{"one second before opening", bhAmsOffice, "2026-01-05T07:59:59Z", false, "2026-01-05T08:00:00Z"},
		{"before opening", bhAmsOffice, "2026-01-05T06:00:00Z" /* Mon 07:00 */, false, "2026-01-05T08:00:00Z"},
		{"last nanosecond before closing", bhAmsOffice, "2026-01-05T15:59:59.999999999Z", true, "2026-01-05T16:00:00Z"},
		{"at closing instant (end is exclusive)", bhAmsOffice, "2026-01-05T16:00:00Z" /* Mon 17:00 */, false, "2026-01-06T08:00:00Z"},
		{"after closing", bhAmsOffice, "2026-01-05T19:00:00Z" /* Mon 20:00 */, false, "2026-01-06T08:00:00Z"},
		{"friday evening waits for monday", bhAmsOffice, "2026-01-09T17:00:00Z" /* Fri 18:00 */, false, "2026-01-12T08:00:00Z"},
		{"saturday", bhAmsOffice, "2026-01-10T12:00:00Z", false, "2026-01-12T08:00:00Z"},
		{"sunday late evening", bhAmsOffice, "2026-01-11T22:30:00Z" /* Sun 23:30 */, false, "2026-01-12T08:00:00Z"},
		{"UTC timezone", bhHours("UTC", bhOffice), "2026-01-05T08:00:00Z", false, "2026-01-05T09:00:00Z"},

		// Monday 09:00–12:00 and 13:00–17:30, listed out of order.
		{"lunch: morning", bhHours(bhAms, bhJoin(bhOne(Monday, "13:00", "17:30"), bhOne(Monday, "09:00", "12:00"))), "2026-01-05T10:00:00Z" /* 11:00 */, true, "2026-01-05T11:00:00Z"},
		{"lunch: during the gap", bhHours(bhAms, bhJoin(bhOne(Monday, "13:00", "17:30"), bhOne(Monday, "09:00", "12:00"))), "2026-01-05T11:30:00Z" /* 12:30 */, false, "2026-01-05T12:00:00Z"},
		{"lunch: afternoon", bhHours(bhAms, bhJoin(bhOne(Monday, "13:00", "17:30"), bhOne(Monday, "09:00", "12:00"))), "2026-01-05T12:00:00Z" /* 13:00 */, true, "2026-01-05T16:30:00Z"},
		{"lunch: after the day, next week", bhHours(bhAms, bhJoin(bhOne(Monday, "13:00", "17:30"), bhOne(Monday, "09:00", "12:00"))), "2026-01-05T17:00:00Z", false, "2026-01-12T08:00:00Z"},
		{"overlapping ranges merge", bhHours(bhAms, bhJoin(bhOne(Monday, "09:00", "13:00"), bhOne(Monday, "12:00", "17:00"), bhOne(Monday, "10:00", "11:00"))), "2026-01-05T08:30:00Z", true, "2026-01-05T16:00:00Z"},
		{"ranges touching within a day merge", bhHours(bhAms, bhJoin(bhOne(Monday, "09:00", "12:00"), bhOne(Monday, "12:00", "17:00"))), "2026-01-05T10:00:00Z", true, "2026-01-05T16:00:00Z"},

		// Friday 22:00–02:00 crosses midnight into Saturday.
		{"overnight: friday night", bhHours(bhAms, bhOne(Friday, "22:00", "02:00")), "2026-01-09T22:00:00Z" /* Fri 23:00 */, true, "2026-01-10T01:00:00Z" /* Sat 02:00 */},
		{"overnight: saturday 01:00", bhHours(bhAms, bhOne(Friday, "22:00", "02:00")), "2026-01-10T00:00:00Z" /* Sat 01:00 */, true, "2026-01-10T01:00:00Z"},
		{"overnight: saturday 03:00", bhHours(bhAms, bhOne(Friday, "22:00", "02:00")), "2026-01-10T02:00:00Z" /* Sat 03:00 */, false, "2026-01-16T21:00:00Z" /* Fri 22:00 */},
		{"overnight: sunday night wraps to monday", bhHours(bhAms, bhOne(Sunday, "22:00", "02:00")), "2026-01-05T00:00:00Z" /* Mon 01:00 */, true, "2026-01-05T01:00:00Z"},
		{"overnight: end 00:00 is next midnight", bhHours(bhAms, bhOne(Friday, "20:00", "00:00")), "2026-01-09T20:00:00Z" /* Fri 21:00 */, true, "2026-01-09T23:00:00Z" /* Sat 00:00 */},
	})
}

func TestBusinessHoursStatusWholeDays(t *testing.T) {
	runBHStatusCases(t, []bhStatusCase{
		{"24/7 never changes", bhHours(bhAms, bhOn(bhEveryDay, "00:00", "24:00")), "2026-01-07T12:00:00Z", true, ""},
		{"24/7 plus an overlapping range", bhHours(bhAms, bhJoin(bhOn(bhEveryDay, "00:00", "24:00"), bhOne(Monday, "09:00", "17:00"))), "2026-01-05T12:00:00Z", true, ""},
		{"mon-fri 24h: open until saturday 00:00, not midnight", bhHours(bhAms, bhOn(bhMonFri, "00:00", "24:00")), "2026-01-07T12:00:00Z" /* Wed */, true, "2026-01-09T23:00:00Z" /* Sat 00:00 */},
		{"mon-fri 24h: weekend", bhHours(bhAms, bhOn(bhMonFri, "00:00", "24:00")), "2026-01-10T12:00:00Z", false, "2026-01-11T23:00:00Z" /* Mon 00:00 */},
		{"24:00 monday touches 00:00 tuesday", bhHours(bhAms, bhJoin(bhOne(Monday, "20:00", "24:00"), bhOne(Tuesday, "00:00", "04:00"))), "2026-01-05T20:00:00Z" /* Mon 21:00 */, true, "2026-01-06T03:00:00Z" /* Tue 04:00 */},
		{"overnight ranges covering the week are 24/7", bhHours(bhAms, bhJoin(bhOn(bhEveryDay, "18:00", "06:00"), bhOn(bhEveryDay, "06:00", "18:00"))), "2026-01-07T12:00:00Z", true, ""},
	})
}

func TestBusinessHoursStatusClosures(t *testing.T) {
	runBHStatusCases(t, []bhStatusCase{
		{"holiday on a weekday", bhHours(bhAms, bhOffice, "2026-01-06"), "2026-01-06T09:00:00Z" /* Tue 10:00 */, false, "2026-01-07T08:00:00Z" /* Wed 09:00 */},
		{"next change skips the holiday", bhHours(bhAms, bhOffice, "2026-01-06"), "2026-01-05T17:00:00Z" /* Mon 18:00 */, false, "2026-01-07T08:00:00Z"},
		{"day before the holiday is unaffected", bhHours(bhAms, bhOffice, "2026-01-06"), "2026-01-05T09:00:00Z", true, "2026-01-05T16:00:00Z"},
		{"past closures are ignored", bhHours(bhAms, bhOffice, "2025-12-25", "2025-12-26"), "2026-01-05T09:00:00Z", true, "2026-01-05T16:00:00Z"},
		{"duplicate closures", bhHours(bhAms, bhOffice, "2026-01-06", "2026-01-06"), "2026-01-06T09:00:00Z", false, "2026-01-07T08:00:00Z"},
		{"christmas shutdown spans a fortnight", bhHours(bhAms, bhOffice, "2026-12-24", "2026-12-25", "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01"),
			"2026-12-23T17:00:00Z" /* Wed 18:00 */, false, "2027-01-04T08:00:00Z" /* Mon 09:00 */},

		// Friday 22:00–02:00 with Saturday closed: open only until midnight.
		{"closure cuts an overnight range at midnight", bhHours(bhAms, bhOne(Friday, "22:00", "02:00"), "2026-01-10"), "2026-01-09T22:00:00Z" /* Fri 23:00 */, true, "2026-01-09T23:00:00Z" /* Sat 00:00 */},
		{"closed after the cut", bhHours(bhAms, bhOne(Friday, "22:00", "02:00"), "2026-01-10"), "2026-01-10T00:00:00Z" /* Sat 01:00 */, false, "2026-01-16T21:00:00Z"},
		// Friday closed: only Friday's part is gone, Saturday 00:00–02:00 stays open.
		{"closure of the starting day keeps the next day's part", bhHours(bhAms, bhOne(Friday, "22:00", "02:00"), "2026-01-09"), "2026-01-09T22:00:00Z" /* Fri 23:00 */, false, "2026-01-09T23:00:00Z" /* Sat 00:00 */},
		{"closure of the starting day: saturday part", bhHours(bhAms, bhOne(Friday, "22:00", "02:00"), "2026-01-09"), "2026-01-10T00:00:00Z" /* Sat 01:00 */, true, "2026-01-10T01:00:00Z"},

		{"24/7 with a holiday: open until it starts", bhHours(bhAms, bhOn(bhEveryDay, "00:00", "24:00"), "2026-01-07"), "2026-01-05T12:00:00Z", true, "2026-01-06T23:00:00Z" /* Wed 00:00 */},
		{"24/7 with a holiday: closed during it", bhHours(bhAms, bhOn(bhEveryDay, "00:00", "24:00"), "2026-01-07"), "2026-01-07T12:00:00Z", false, "2026-01-07T23:00:00Z" /* Thu 00:00 */},
		{"24/7 with only past holidays", bhHours(bhAms, bhOn(bhEveryDay, "00:00", "24:00"), "2025-12-25"), "2026-01-07T12:00:00Z", true, ""},
		{"24/7 with a holiday beyond the horizon", bhHours(bhAms, bhOn(bhEveryDay, "00:00", "24:00"), "2028-01-01"), "2026-01-07T12:00:00Z", true, ""},
	})
}

// Europe/Amsterdam: 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z);
// 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z), so 02:00–03:00 happens twice.
// America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z);
// 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z), so 01:00–02:00 happens twice.
func TestBusinessHoursStatusDST(t *testing.T) {
	const ny = "America/New_York"
	runBHStatusCases(t, []bhStatusCase{
		// Amsterdam, spring forward.
		{"AMS spring: office hours across the weekend", bhAmsOffice, "2026-03-27T17:00:00Z" /* Fri 18:00 CET */, false, "2026-03-30T07:00:00Z" /* Mon 09:00 CEST */},
		{"AMS spring: overnight range is an hour shorter", bhHours(bhAms, bhOne(Saturday, "22:00", "06:00")), "2026-03-28T22:00:00Z" /* Sat 23:00 CET */, true, "2026-03-29T04:00:00Z" /* Sun 06:00 CEST */},
		{"AMS spring: opening in the gap opens at 03:00", bhHours(bhAms, bhOne(Sunday, "02:30", "05:00")), "2026-03-29T00:30:00Z" /* 01:30 CET */, false, "2026-03-29T01:00:00Z" /* 03:00 CEST */},
		{"AMS spring: open from the end of the gap", bhHours(bhAms, bhOne(Sunday, "02:30", "05:00")), "2026-03-29T01:00:00Z", true, "2026-03-29T03:00:00Z" /* 05:00 CEST */},
		{"AMS spring: closing in the gap closes at 03:00", bhHours(bhAms, bhOne(Saturday, "23:00", "02:30")), "2026-03-29T00:30:00Z" /* 01:30 CET */, true, "2026-03-29T01:00:00Z"},
		{"AMS spring: range inside the gap is skipped", bhHours(bhAms, bhOne(Sunday, "02:10", "02:50")), "2026-03-29T00:00:00Z", false, "2026-04-05T00:10:00Z" /* next Sun 02:10 CEST */},
		{"AMS spring: ranges touching across the gap merge", bhHours(bhAms, bhJoin(bhOne(Sunday, "00:00", "02:00"), bhOne(Sunday, "03:00", "06:00"))), "2026-03-29T00:30:00Z", true, "2026-03-29T04:00:00Z" /* 06:00 CEST */},
		{"AMS spring: whole sunday is 23 hours", bhHours(bhAms, bhOne(Sunday, "00:00", "24:00")), "2026-03-29T12:00:00Z", true, "2026-03-29T22:00:00Z" /* Mon 00:00 CEST */},
		{"AMS spring: sunday opens at 00:00 CET", bhHours(bhAms, bhOne(Sunday, "00:00", "24:00")), "2026-03-28T12:00:00Z", false, "2026-03-28T23:00:00Z"},

		// Amsterdam, fall back.
		{"AMS fall: office hours across the weekend", bhAmsOffice, "2026-10-23T15:00:00Z" /* Fri 17:00 CEST */, false, "2026-10-26T08:00:00Z" /* Mon 09:00 CET */},
		{"AMS fall: overnight range is an hour longer", bhHours(bhAms, bhOne(Saturday, "22:00", "06:00")), "2026-10-24T21:00:00Z" /* Sat 23:00 CEST */, true, "2026-10-25T05:00:00Z" /* Sun 06:00 CET */},
		{"AMS fall: opening in the overlap uses the first 02:30", bhHours(bhAms, bhOne(Sunday, "02:30", "04:00")), "2026-10-25T00:00:00Z" /* 02:00 CEST */, false, "2026-10-25T00:30:00Z" /* 02:30 CEST */},
		{"AMS fall: still open during the second 02:15", bhHours(bhAms, bhOne(Sunday, "02:30", "04:00")), "2026-10-25T01:15:00Z" /* 02:15 CET */, true, "2026-10-25T03:00:00Z" /* 04:00 CET */},
		{"AMS fall: closing in the overlap uses the first 02:30", bhHours(bhAms, bhOne(Saturday, "22:00", "02:30")), "2026-10-25T00:15:00Z" /* 02:15 CEST */, true, "2026-10-25T00:30:00Z"},
		{"AMS fall: closed during the second 02:15", bhHours(bhAms, bhOne(Saturday, "22:00", "02:30")), "2026-10-25T01:15:00Z" /* 02:15 CET */, false, "2026-10-31T21:00:00Z" /* Sat 22:00 CET */},

		// New York, spring forward.
		{"NY spring: office hours across the weekend", bhHours(ny, bhOffice), "2026-03-06T23:00:00Z" /* Fri 18:00 EST */, false, "2026-03-09T13:00:00Z" /* Mon 09:00 EDT */},
		{"NY spring: overnight range across the change", bhHours(ny, bhOne(Saturday, "20:00", "04:00")), "2026-03-08T02:00:00Z" /* Sat 21:00 EST */, true, "2026-03-08T08:00:00Z" /* Sun 04:00 EDT */},
		{"NY spring: opening at 02:00 opens at 03:00 EDT", bhHours(ny, bhOne(Sunday, "02:00", "04:00")), "2026-03-08T06:30:00Z" /* 01:30 EST */, false, "2026-03-08T07:00:00Z"},
		{"NY spring: closing at 02:30 closes at 03:00 EDT", bhHours(ny, bhOne(Sunday, "01:00", "02:30")), "2026-03-08T06:30:00Z" /* 01:30 EST */, true, "2026-03-08T07:00:00Z"},

		// New York, fall back.
		{"NY fall: office hours across the weekend", bhHours(ny, bhOffice), "2026-10-30T21:00:00Z" /* Fri 17:00 EDT */, false, "2026-11-02T14:00:00Z" /* Mon 09:00 EST */},
		{"NY fall: overnight range across the change", bhHours(ny, bhOne(Saturday, "22:00", "06:00")), "2026-11-01T03:00:00Z" /* Sat 23:00 EDT */, true, "2026-11-01T11:00:00Z" /* Sun 06:00 EST */},
		{"NY fall: opening at 01:30 uses the first one", bhHours(ny, bhOne(Sunday, "01:30", "03:00")), "2026-11-01T05:00:00Z" /* 01:00 EDT */, false, "2026-11-01T05:30:00Z" /* 01:30 EDT */},
		{"NY fall: open during the second 01:15", bhHours(ny, bhOne(Sunday, "01:30", "03:00")), "2026-11-01T06:15:00Z" /* 01:15 EST */, true, "2026-11-01T08:00:00Z" /* 03:00 EST */},
		{"NY fall: closing at 01:30 uses the first one", bhHours(ny, bhOne(Saturday, "20:00", "01:30")), "2026-11-01T05:15:00Z" /* 01:15 EDT */, true, "2026-11-01T05:30:00Z"},
		{"NY fall: closed during the second 01:15", bhHours(ny, bhOne(Saturday, "20:00", "01:30")), "2026-11-01T06:15:00Z" /* 01:15 EST */, false, "2026-11-08T01:00:00Z" /* Sat 20:00 EST */},

		// America/Havana springs forward at midnight: 2026-03-08 00:00 CST -> 01:00 CDT (05:00Z),
		// so a closure of 8 March starts at the first instant of that date.
		{"Havana: closure whose midnight is in the gap", bhHours("America/Havana", bhOn(bhEveryDay, "00:00", "24:00"), "2026-03-08"), "2026-03-07T12:00:00Z", true, "2026-03-08T05:00:00Z" /* 01:00 CDT */},
		{"Havana: closed day ends at the next midnight", bhHours("America/Havana", bhOn(bhEveryDay, "00:00", "24:00"), "2026-03-08"), "2026-03-08T12:00:00Z", false, "2026-03-09T04:00:00Z" /* 00:00 CDT */},
	})
}

func TestBusinessHoursStatusFarFromUTC(t *testing.T) {
	const kiritimati, kolkata = "Pacific/Kiritimati", "Asia/Kolkata" // UTC+14, UTC+5:30
	runBHStatusCases(t, []bhStatusCase{
		{"Kiritimati: sunday in UTC is monday locally", bhHours(kiritimati, bhOffice), "2026-01-04T20:00:00Z" /* Mon 10:00 */, true, "2026-01-05T03:00:00Z" /* Mon 17:00 */},
		{"Kiritimati: before opening", bhHours(kiritimati, bhOffice), "2026-01-04T18:00:00Z" /* Mon 08:00 */, false, "2026-01-04T19:00:00Z"},
		{"Kiritimati: friday evening", bhHours(kiritimati, bhOffice), "2026-01-09T03:00:00Z" /* Fri 17:00 */, false, "2026-01-11T19:00:00Z" /* Mon 09:00 */},
		{"Kiritimati: closure is a local date", bhHours(kiritimati, bhOffice, "2026-01-05"), "2026-01-04T20:00:00Z" /* Mon 10:00 */, false, "2026-01-05T19:00:00Z" /* Tue 09:00 */},
		{"Kolkata: one minute before opening", bhHours(kolkata, bhOffice), "2026-01-05T03:29:00Z" /* Mon 08:59 */, false, "2026-01-05T03:30:00Z"},
		{"Kolkata: open", bhHours(kolkata, bhOffice), "2026-01-05T05:00:00Z", true, "2026-01-05T11:30:00Z" /* 17:00 */},
		{"Kolkata: after closing", bhHours(kolkata, bhOffice), "2026-01-05T11:30:00Z", false, "2026-01-06T03:30:00Z"},
	})
}

func TestBusinessHoursStatusEnabled(t *testing.T) {
	disabled := bhAmsOffice
	disabled.Enabled = false
	runBHStatusCases(t, []bhStatusCase{
		{"disabled is always open", disabled, "2026-01-10T12:00:00Z" /* Saturday */, true, ""},
		{"disabled with nothing set", BusinessHours{}, "2026-01-10T12:00:00Z", true, ""},
		{"enabled without ranges is always closed", bhHours(bhAms, nil), "2026-01-05T09:00:00Z", false, ""},
		{"enabled without ranges, with closures", bhHours(bhAms, nil, "2026-01-06"), "2026-01-05T09:00:00Z", false, ""},
	})
}

// Walking through weeks with DST changes, NextChangeAt must be exactly where
// the state flips: the state holds until just before it and differs at it.
func TestBusinessHoursStatusNextChangeIsExact(t *testing.T) {
	schedules := map[string]BusinessHours{
		"AMS office":       bhHours(bhAms, bhOffice, "2026-03-31"),
		"AMS overnight":    bhHours(bhAms, bhJoin(bhOn(bhEveryDay, "22:00", "02:30"), bhOne(Sunday, "02:10", "02:50"), bhOne(Saturday, "12:00", "24:00"))),
		"NY split":         bhHours("America/New_York", bhJoin(bhOn(bhEveryDay, "01:30", "02:30"), bhOn(bhMonFri, "00:00", "01:00"), bhOne(Sunday, "03:00", "04:00")), "2026-11-02"),
		"Kolkata 24h":      bhHours("Asia/Kolkata", bhOn(bhMonFri, "00:00", "24:00"), "2026-03-25"),
		"Kiritimati lunch": bhHours("Pacific/Kiritimati", bhJoin(bhOn(bhMonFri, "09:00", "12:00"), bhOn(bhMonFri, "13:00", "17:00"))),
		"Havana midnight":  bhHours("America/Havana", bhJoin(bhOn(bhEveryDay, "23:00", "00:30"), bhOn(bhMonFri, "09:00", "17:00")), "2026-03-08", "2026-11-02"),
	}
	windows := [][2]string{
		{"2026-03-04T00:00:00Z", "2026-04-02T00:00:00Z"},
		{"2026-10-22T00:00:00Z", "2026-11-05T00:00:00Z"},
	}
	for name, b := range schedules {
		s := bhCompile(t, b)
		for _, w := range windows {
			for now := bhUTC(t, w[0]); now.Before(bhUTC(t, w[1])); now = now.Add(17 * time.Minute) {
				st := s.Status(now)
				if st.NextChangeAt == nil {
					t.Fatalf("%s at %s: NextChangeAt = nil", name, now)
				}
				next := *st.NextChangeAt
				if !next.After(now) {
					t.Fatalf("%s at %s: NextChangeAt %s not after now", name, now, next)
				}
				before := s.Status(next.Add(-time.Nanosecond))
				if before.IsOpen != st.IsOpen || before.NextChangeAt == nil || !before.NextChangeAt.Equal(next) {
					t.Fatalf("%s at %s: state %v until %s, but just before it: %+v", name, now, st.IsOpen, next, before)
				}
				if after := s.Status(next); after.IsOpen == st.IsOpen {
					t.Fatalf("%s at %s: state %v does not change at %s", name, now, st.IsOpen, next)
				}
			}
		}
	}
}

func TestBusinessHoursStatusExtremeInstants(t *testing.T) {
	s := bhCompile(t, bhHours("America/New_York", bhOffice, "2026-01-06"))
	for _, now := range []time.Time{
		{},
		time.Date(1883, 11, 18, 12, 0, 0, 0, time.UTC), // before standard time
		time.Date(2100, 3, 14, 7, 0, 0, 0, time.UTC),   // beyond the zone file's explicit transitions
		time.Date(9999, 12, 31, 12, 0, 0, 0, time.UTC),
	} {
		st := s.Status(now)
		if st.NextChangeAt == nil || !st.NextChangeAt.After(now) || st.NextChangeAt.Sub(now) > 4*24*time.Hour {
			t.Errorf("Status(%s) = %+v", now, st)
		}
	}
}

func TestBusinessHoursStatusConcurrent(t *testing.T) {
	s := bhCompile(t, bhHours(bhAms, bhOffice, "2026-01-06"))
	want := s.Status(bhUTC(t, "2026-01-05T17:00:00Z"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				got := s.Status(bhUTC(t, "2026-01-05T17:00:00Z"))
				if got.IsOpen != want.IsOpen || !got.NextChangeAt.Equal(*want.NextChangeAt) {
					t.Errorf("concurrent Status = %+v, want %+v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestBusinessHoursJSON(t *testing.T) {
	const in = `{
		"enabled": true,
		"timezone": "Europe/Amsterdam",
		"ranges": [{"day": "monday", "start": "09:00", "end": "17:00"}],
		"closures": [{"date": "2026-01-12", "reason": "Team day"}],
		"out_of_office_message": "We're away."
	}`
	var b BusinessHours
	if err := json.Unmarshal([]byte(in), &b); err != nil {
		t.Fatal(err)
	}
	s := bhCompile(t, b)
	if s.OutOfOfficeMessage() != "We're away." || s.Location().String() != bhAms {
		t.Errorf("message %q, location %v", s.OutOfOfficeMessage(), s.Location())
	}
	st := s.Status(bhUTC(t, "2026-01-05T17:00:00Z"))
	out, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	// Monday 12 January is closed, so the next opening is a fortnight away.
	if want := `{"is_open":false,"next_change_at":"2026-01-19T08:00:00Z"}`; string(out) != want {
		t.Errorf("status JSON = %s, want %s", out, want)
	}
	out, _ = json.Marshal(BusinessHoursStatus{IsOpen: true})
	if want := `{"is_open":true,"next_change_at":null}`; string(out) != want {
		t.Errorf("status JSON = %s, want %s", out, want)
	}
}

func TestBusinessHoursWeekday(t *testing.T) {
	want := map[Weekday]time.Weekday{
		Monday: time.Monday, Tuesday: time.Tuesday, Wednesday: time.Wednesday, Thursday: time.Thursday,
		Friday: time.Friday, Saturday: time.Saturday, Sunday: time.Sunday,
	}
	for d, w := range want {
		if got, ok := d.TimeWeekday(); !ok || got != w {
			t.Errorf("%s.TimeWeekday() = %v, %v; want %v", d, got, ok, w)
		}
	}
	for _, d := range []Weekday{"", "Monday", "mon", "funday"} {
		if _, ok := d.TimeWeekday(); ok || d.Valid() {
			t.Errorf("%q accepted as a weekday", d)
		}
	}
}

func TestBusinessHoursValidate(t *testing.T) {
	valid := func(edit func(*BusinessHours)) BusinessHours {
		b := bhHours(bhAms, bhJoin(bhOffice, bhOne(Saturday, "22:00", "00:00"), bhOne(Sunday, "00:00", "24:00"), bhOne(Sunday, "23:59", "00:01")), "2026-12-25")
		b.OutOfOfficeMessage = "Back tomorrow."
		edit(&b)
		return b
	}
	setRange := func(i int, start, end string) func(*BusinessHours) {
		return func(b *BusinessHours) { b.Ranges[i].Start, b.Ranges[i].End = start, end }
	}
	cases := []struct {
		name  string
		hours BusinessHours
		field string // "" means valid
	}{
		{"valid schedule", valid(func(*BusinessHours) {}), ""},
		{"disabled without timezone", BusinessHours{}, ""},
		{"disabled still validates ranges", BusinessHours{Ranges: bhOne("funday", "09:00", "17:00")}, "ranges[0].day"},
		{"UTC", valid(func(b *BusinessHours) { b.Timezone = "UTC" }), ""},
		{"half-hour zone", valid(func(b *BusinessHours) { b.Timezone = "Asia/Kolkata" }), ""},
		{"1,000-character message", valid(func(b *BusinessHours) { b.OutOfOfficeMessage = strings.Repeat("é", 1000) }), ""},
		{"100 ranges", valid(func(b *BusinessHours) { b.Ranges = bhRepeatRange(100) }), ""},
		{"366 closures", valid(func(b *BusinessHours) { b.Closures = bhClosuresFrom("2026-01-01", 366) }), ""},

		{"enabled without timezone", valid(func(b *BusinessHours) { b.Timezone = "" }), "timezone"},
		{"unknown timezone", valid(func(b *BusinessHours) { b.Timezone = "Mars/Olympus_Mons" }), "timezone"},
		{"server-local timezone", valid(func(b *BusinessHours) { b.Timezone = "Local" }), "timezone"},
		{"path as timezone", valid(func(b *BusinessHours) { b.Timezone = "../../etc/passwd" }), "timezone"},
		{"bad timezone when disabled", BusinessHours{Timezone: "Nowhere/Town"}, "timezone"},

		{"101 ranges", valid(func(b *BusinessHours) { b.Ranges = bhRepeatRange(101) }), "ranges"},
		{"capitalised day", valid(func(b *BusinessHours) { b.Ranges[1].Day = "Tuesday" }), "ranges[1].day"},
		{"empty day", valid(func(b *BusinessHours) { b.Ranges[0].Day = "" }), "ranges[0].day"},
		{"start without leading zero", valid(setRange(2, "9:00", "17:00")), "ranges[2].start"},
		{"start 24:00", valid(setRange(2, "24:00", "17:00")), "ranges[2].start"},
		{"start minute 60", valid(setRange(2, "09:60", "17:00")), "ranges[2].start"},
		{"start with seconds", valid(setRange(2, "09:00:00", "17:00")), "ranges[2].start"},
		{"empty start", valid(setRange(2, "", "17:00")), "ranges[2].start"},
		{"end 24:01", valid(setRange(2, "09:00", "24:01")), "ranges[2].end"},
		{"end 25:00", valid(setRange(2, "09:00", "25:00")), "ranges[2].end"},
		{"end with a dot", valid(setRange(2, "09:00", "17.00")), "ranges[2].end"},
		{"end with non-ASCII digits", valid(setRange(2, "09:00", "١٧:00")), "ranges[2].end"},
		{"end equals start", valid(setRange(2, "09:00", "09:00")), "ranges[2].end"},
		{"00:00 to 00:00 (use 24:00)", valid(setRange(2, "00:00", "00:00")), "ranges[2].end"},

		{"367 closures", valid(func(b *BusinessHours) { b.Closures = bhClosuresFrom("2026-01-01", 367) }), "closures"},
		{"impossible date", valid(func(b *BusinessHours) { b.Closures[0].Date = "2026-02-30" }), "closures[0].date"},
		{"date with slashes", valid(func(b *BusinessHours) { b.Closures[0].Date = "2026/12/25" }), "closures[0].date"},
		{"date with time", valid(func(b *BusinessHours) { b.Closures[0].Date = "2026-12-25T00:00:00Z" }), "closures[0].date"},
		{"empty date", valid(func(b *BusinessHours) { b.Closures[0].Date = "" }), "closures[0].date"},
		{"second closure bad", valid(func(b *BusinessHours) { b.Closures = append(b.Closures, Closure{Date: "26-12-26"}) }), "closures[1].date"},
		{"reason too long", valid(func(b *BusinessHours) { b.Closures[0].Reason = strings.Repeat("x", 201) }), "closures[0].reason"},

		{"1,001-character message", valid(func(b *BusinessHours) { b.OutOfOfficeMessage = strings.Repeat("é", 1001) }), "outOfOfficeMessage"},
		{"message not UTF-8", valid(func(b *BusinessHours) { b.OutOfOfficeMessage = "away\xff" }), "outOfOfficeMessage"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.hours.Validate()
			_, cerr := tc.hours.Compile()
			if tc.field == "" {
				if err != nil || cerr != nil {
					t.Fatalf("Validate() = %v, Compile() error = %v; want valid", err, cerr)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want an error for %s", tc.field)
			}
			if code, field := ErrorCode(err), ErrorField(err); code != EInvalid || field != tc.field {
				t.Errorf("Validate() = %v: code %q field %q, want %q %q", err, code, field, EInvalid, tc.field)
			}
			if cerr == nil || ErrorField(cerr) != tc.field {
				t.Errorf("Compile() error = %v, want the Validate error", cerr)
			}
		})
	}
}

func bhRepeatRange(n int) []OpeningRange {
	rs := make([]OpeningRange, n)
	for i := range rs {
		rs[i] = OpeningRange{Day: bhEveryDay[i%7], Start: "09:00", End: "17:00"}
	}
	return rs
}

func bhClosuresFrom(first string, n int) []Closure {
	d, _ := time.Parse(time.DateOnly, first)
	cs := make([]Closure, n)
	for i := range cs {
		cs[i] = Closure{Date: d.AddDate(0, 0, i).Format(time.DateOnly)}
	}
	return cs
}
