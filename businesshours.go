package helpium

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Business-hours limits.
const (
	maxBusinessHoursRanges   = 100
	maxBusinessHoursClosures = 366
	maxOutOfOfficeMessage    = 1000 // characters
	maxClosureReason         = 200  // characters
	maxTimezoneName          = 64   // bytes; the longest IANA name is ~32

	// businessHoursHorizonDays bounds how far ahead Status looks for the
	// next change. A state that lasts longer is reported as never changing.
	businessHoursHorizonDays = 400
)

// BusinessHours is a workspace's weekly opening schedule.
//
// Wall-clock times are in Timezone. Ranges may overlap or touch; they are
// merged, so the open/closed state only changes where the union of all ranges
// (minus closures) starts or ends.
type BusinessHours struct {
	Enabled            bool           `json:"enabled"`  // false: always open, nothing else applies
	Timezone           string         `json:"timezone"` // IANA name, e.g. "Europe/Amsterdam"
	Ranges             []OpeningRange `json:"ranges"`   // several per day allowed
	Closures           []Closure      `json:"closures"` // dated closures (holidays)
	OutOfOfficeMessage string         `json:"out_of_office_message"`
}

// OpeningRange opens on Day at Start (local "HH:MM", 00:00–23:59) until End
// ("HH:MM", 00:00–24:00). End <= Start means the range crosses midnight and
// ends on the next day; "00:00"–"24:00" is the whole day. Start == End is
// invalid.
type OpeningRange struct {
	Day   Weekday `json:"day"`
	Start string  `json:"start"`
	End   string  `json:"end"`
}

// Closure closes the whole local calendar day Date ("2006-01-02"), from
// 00:00 to 24:00, including the part of the previous day's overnight range
// that falls on Date. It does not affect the part of Date's own overnight
// range that falls on the next day.
type Closure struct {
	Date   string `json:"date"`
	Reason string `json:"reason,omitempty"`
}

// Weekday is a day of the week as it appears in JSON: "monday".."sunday".
type Weekday string

// Weekdays.
const (
	Monday    Weekday = "monday"
	Tuesday   Weekday = "tuesday"
	Wednesday Weekday = "wednesday"
	Thursday  Weekday = "thursday"
	Friday    Weekday = "friday"
	Saturday  Weekday = "saturday"
	Sunday    Weekday = "sunday"
)

// weekdaysFromMonday lists the weekdays in ISO order; the index is the
// day's offset from Monday.
var weekdaysFromMonday = [7]Weekday{Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday}

// mondayIndex returns 0 for Monday .. 6 for Sunday, or -1 for an unknown day.
func (d Weekday) mondayIndex() int {
	for i, w := range weekdaysFromMonday {
		if d == w {
			return i
		}
	}
	return -1
}

// Valid reports whether d is one of Monday..Sunday (lower case, as in JSON).
func (d Weekday) Valid() bool { return d.mondayIndex() >= 0 }

// TimeWeekday converts d to a time.Weekday; ok is false for an unknown day.
func (d Weekday) TimeWeekday() (wd time.Weekday, ok bool) {
	i := d.mondayIndex()
	if i < 0 {
		return 0, false
	}
	return time.Weekday((i + 1) % 7), true
}

// BusinessHoursStatus is the open/closed state at one instant.
type BusinessHoursStatus struct {
	IsOpen bool `json:"is_open"`
	// NextChangeAt is the next instant (in UTC) at which IsOpen flips. It is
	// nil when the state never changes: always open (disabled, or 24/7
	// without closures), no range at all, or no change within ~400 days.
	NextChangeAt *time.Time `json:"next_change_at"`
}

// Validate reports the first invalid field of b as an EInvalid error whose
// field is a path such as "ranges[2].end". Every field is
// checked, whether or not b is enabled; only an empty timezone is allowed
// when b is disabled.
func (b BusinessHours) Validate() error {
	_, err := b.validate()
	return err
}

// validate is Validate that also returns the loaded location.
func (b BusinessHours) validate() (*time.Location, error) {
	const tzField = "timezone"
	loc := time.UTC
	switch {
	case b.Timezone == "":
		if b.Enabled {
			return nil, Invalid(tzField, "timezone is required when business hours are enabled")
		}
	case b.Timezone == "Local" || len(b.Timezone) > maxTimezoneName:
		return nil, Invalid(tzField, "timezone must be an IANA time zone name like Europe/Amsterdam")
	default:
		l, err := time.LoadLocation(b.Timezone)
		if err != nil {
			return nil, Invalid(tzField, "timezone must be an IANA time zone name like Europe/Amsterdam")
		}
		loc = l
	}

	if len(b.Ranges) > maxBusinessHoursRanges {
		return nil, Invalid("ranges", "at most %d opening ranges are allowed (got %d)", maxBusinessHoursRanges, len(b.Ranges))
	}
	for i, r := range b.Ranges {
		if !r.Day.Valid() {
			return nil, Invalid(bhRangeField(i, "day"), "day must be one of monday, tuesday, wednesday, thursday, friday, saturday, sunday")
		}
		start, ok := parseBHClock(r.Start, false)
		if !ok {
			return nil, Invalid(bhRangeField(i, "start"), "start must be a time from 00:00 to 23:59")
		}
		end, ok := parseBHClock(r.End, true)
		if !ok {
			return nil, Invalid(bhRangeField(i, "end"), "end must be a time from 00:00 to 24:00")
		}
		if start == end {
			return nil, Invalid(bhRangeField(i, "end"), "end must differ from start; use 00:00 to 24:00 for the whole day")
		}
	}

	if len(b.Closures) > maxBusinessHoursClosures {
		return nil, Invalid("closures", "at most %d closures are allowed (got %d)", maxBusinessHoursClosures, len(b.Closures))
	}
	for i, c := range b.Closures {
		if _, ok := parseBHDate(c.Date); !ok {
			return nil, Invalid(bhClosureField(i, "date"), "date must be a calendar date like 2026-12-25")
		}
		if err := CheckText(bhClosureField(i, "reason"), c.Reason, maxClosureReason, false); err != nil {
			return nil, err
		}
	}

	if err := CheckText("outOfOfficeMessage", b.OutOfOfficeMessage, maxOutOfOfficeMessage, false); err != nil {
		return nil, err
	}
	return loc, nil
}

func bhRangeField(i int, name string) string {
	return "ranges[" + strconv.Itoa(i) + "]." + name
}

func bhClosureField(i int, name string) string {
	return "closures[" + strconv.Itoa(i) + "]." + name
}

const (
	bhMinutesPerDay = 24 * 60
	bhSecondsPerDay = 24 * 60 * 60
)

// parseBHClock parses a strict "HH:MM" into minutes after midnight. It accepts
// 00:00–23:59, and also 24:00 when allow24 is set.
func parseBHClock(s string, allow24 bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range [4]int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	switch {
	case m > 59:
		return 0, false
	case h < 24:
		return h*60 + m, true
	case h == 24 && m == 0 && allow24:
		return bhMinutesPerDay, true
	}
	return 0, false
}

// parseBHDate parses a strict "2006-01-02" into days since 1970-01-01.
func parseBHDate(s string) (int64, bool) {
	if len(s) != len(time.DateOnly) {
		return 0, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, false
	}
	return bhFloorDiv(t.Unix(), bhSecondsPerDay), true
}

// Schedule is compiled, immutable BusinessHours, safe for concurrent use.
// Build it once per workspace with Compile and call Status per request.
type Schedule struct {
	loc     *time.Location
	mode    scheduleMode
	allDay  bool         // every weekday is open 00:00–24:00 (closures aside)
	days    [7][]daySpan // open spans per weekday, Monday first, merged and sorted
	closed  []int64      // closed civil days (days since 1970-01-01), sorted, unique
	message string       // out-of-office message
}

type scheduleMode uint8

const (
	modeAlwaysOpen   scheduleMode = iota // disabled, or 24/7 without closures
	modeAlwaysClosed                     // enabled without ranges
	modeWeekly
)

// daySpan is [start, end) in seconds after local midnight, 0 <= start < end <= 86400.
type daySpan struct{ start, end int64 }

// Compile validates b and precomputes what Status needs: the location is
// loaded once and the ranges are merged into per-weekday open spans.
func (b BusinessHours) Compile() (*Schedule, error) {
	loc, err := b.validate()
	if err != nil {
		return nil, err
	}
	s := &Schedule{loc: loc, message: b.OutOfOfficeMessage}
	switch {
	case !b.Enabled:
		s.mode = modeAlwaysOpen
		return s, nil
	case len(b.Ranges) == 0:
		s.mode = modeAlwaysClosed
		return s, nil
	}

	// Weekly spans in minutes after Monday 00:00; a range crossing Sunday
	// midnight wraps to Monday.
	const week = 7 * bhMinutesPerDay
	type wspan struct{ start, end int }
	spans := make([]wspan, 0, len(b.Ranges)+1)
	for _, r := range b.Ranges {
		start, _ := parseBHClock(r.Start, false)
		end, _ := parseBHClock(r.End, true)
		if end <= start {
			end += bhMinutesPerDay
		}
		off := r.Day.mondayIndex() * bhMinutesPerDay
		start, end = start+off, end+off
		if end > week {
			spans = append(spans, wspan{0, end - week})
			end = week
		}
		spans = append(spans, wspan{start, end})
	}
	slices.SortFunc(spans, func(a, b wspan) int { return a.start - b.start })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		last := &merged[len(merged)-1]
		if sp.start <= last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}

	// Cut the weekly spans at midnight into per-day spans in seconds.
	buf := make([]daySpan, 0, len(merged)+7)
	var counts [7]int
	for _, sp := range merged {
		for start := sp.start; start < sp.end; {
			day := start / bhMinutesPerDay
			end := min(sp.end, (day+1)*bhMinutesPerDay)
			buf = append(buf, daySpan{
				start: int64(start-day*bhMinutesPerDay) * 60,
				end:   int64(end-day*bhMinutesPerDay) * 60,
			})
			counts[day]++
			start = end
		}
	}
	s.allDay = true
	for d, i := 0, 0; d < 7; d++ {
		s.days[d] = buf[i : i+counts[d] : i+counts[d]]
		i += counts[d]
		if len(s.days[d]) != 1 || s.days[d][0] != (daySpan{0, bhSecondsPerDay}) {
			s.allDay = false
		}
	}

	closed := make([]int64, 0, len(b.Closures))
	for _, c := range b.Closures {
		day, _ := parseBHDate(c.Date)
		closed = append(closed, day)
	}
	slices.Sort(closed)
	s.closed = slices.Compact(closed)

	s.mode = modeWeekly
	if s.allDay && len(s.closed) == 0 {
		s.mode = modeAlwaysOpen
	}
	return s, nil
}

// Location returns the schedule's time zone (UTC when none was given).
func (s *Schedule) Location() *time.Location { return s.loc }

// OutOfOfficeMessage returns the message to show while closed.
func (s *Schedule) OutOfOfficeMessage() string { return s.message }

// Status reports whether the team is open at now and when that next changes.
//
// Wall-clock boundaries (range starts and ends, and the midnights around
// closures) are mapped to instants in the schedule's location as the first
// instant whose local reading is at or after the boundary:
//
//   - a boundary inside a spring-forward gap (02:30 when clocks jump from
//     02:00 to 03:00) takes effect at the end of the gap (03:00 local);
//   - a boundary inside a fall-back overlap (01:30 when 01:00–02:00 happens
//     twice) takes effect at its first occurrence. The state is then
//     defined by instants, not by the wall clock: a range ending at 01:30 is
//     closed during the second 01:00–01:30, and one starting at 01:30 is open.
//
// Open periods that touch after this mapping (a range ending at 02:00 and one
// starting at 03:00 across the gap) form one period. Status only allocates
// the returned NextChangeAt.
func (s *Schedule) Status(now time.Time) BusinessHoursStatus {
	switch s.mode {
	case modeAlwaysOpen:
		return BusinessHoursStatus{IsOpen: true}
	case modeAlwaysClosed:
		return BusinessHoursStatus{}
	}

	// Boundaries fall on whole seconds, so comparing now's whole second
	// with a boundary second b gives the same answer as comparing instants:
	// now >= b  <=>  floor(now) >= b.
	nowSec := now.Unix()
	_, off := now.In(s.loc).Zone()
	civilNow := nowSec + int64(off)
	firstDay := bhFloorDiv(civilNow, bhSecondsPerDay)

	it := civilIter{s: s, day: firstDay, horizon: firstDay + businessHoursHorizonDays}
	it.ci, _ = slices.BinarySearch(s.closed, firstDay)
	horizonSec := it.horizon * bhSecondsPerDay

	for {
		cs, ce, ok := it.next()
		if !ok {
			return BusinessHoursStatus{} // closed, no opening within the horizon
		}
		if ce <= civilNow {
			// Ended at or before now: now itself reads at or after ce, so
			// the first instant reading ce is not after now.
			continue
		}
		re := int64(math.MaxInt64) // open beyond the horizon
		if ce < horizonSec {
			re = s.resolve(ce)
		}
		if re <= nowSec {
			continue // ended during a fall-back overlap now is repeating
		}
		// cs <= civilNow implies resolve(cs) <= now, as above; cs may also
		// be the start of firstDay rather than the true start, which is fine.
		started := cs <= civilNow
		if !started {
			rs := s.resolve(cs)
			if rs >= re {
				continue // lies entirely in a spring-forward gap
			}
			if rs > nowSec {
				return businessHoursStatusAt(false, rs)
			}
		}
		// Open until re, extended by periods that start exactly at re.
		for re != math.MaxInt64 {
			ns, ne, ok := it.next()
			if !ok || s.resolve(ns) > re {
				break
			}
			if ne >= horizonSec {
				re = math.MaxInt64
			} else {
				re = max(re, s.resolve(ne))
			}
		}
		if re == math.MaxInt64 {
			return BusinessHoursStatus{IsOpen: true}
		}
		return businessHoursStatusAt(true, re)
	}
}

func businessHoursStatusAt(open bool, sec int64) BusinessHoursStatus {
	t := time.Unix(sec, 0).UTC()
	return BusinessHoursStatus{IsOpen: open, NextChangeAt: &t}
}

// resolveLookback exceeds any UTC offset, so no instant earlier than
// u-resolveLookback reads u or later on the local clock.
const resolveLookback = 48 * 60 * 60

// resolve maps the local wall-clock reading u (seconds since 1970-01-01
// local) to the first instant whose local reading is at or after u: u itself
// when it occurs once, its first occurrence in a fall-back overlap, and the
// end of the gap in a spring-forward gap. It is monotonic in u.
//
// It walks the zone periods from u-resolveLookback; within one period the
// local reading grows with the instant, so the answer in a period with
// offset o is max(periodStart, u-o) if that is before the period's end.
func (s *Schedule) resolve(u int64) int64 {
	t := u - resolveLookback
	for {
		lt := time.Unix(t, 0).In(s.loc)
		_, off := lt.Zone()
		cand := max(t, u-int64(off))
		_, end := lt.ZoneBounds()
		if end.IsZero() || cand < end.Unix() {
			return cand
		}
		t = end.Unix()
	}
}

// civilIter yields the open periods of a schedule as maximal intervals
// [start, end) of local wall-clock seconds since 1970-01-01, beginning at
// local midnight of day and stopping at local midnight of horizon.
type civilIter struct {
	s            *Schedule
	day, horizon int64 // days since 1970-01-01
	i            int   // next span of day
	ci           int   // index of the first closure >= day
	pending      bool  // pa, pb hold a piece read ahead
	pa, pb       int64
}

// piece returns the next open span of a single day (or of a run of whole
// days for an all-day schedule), skipping closed days.
func (it *civilIter) piece() (a, b int64, ok bool) {
	s := it.s
	for it.day < it.horizon {
		d := it.day
		for it.ci < len(s.closed) && s.closed[it.ci] < d {
			it.ci++
		}
		if it.ci < len(s.closed) && s.closed[it.ci] == d {
			it.day, it.i = d+1, 0
			continue
		}
		if s.allDay { // open until the next closure
			end := it.horizon
			if it.ci < len(s.closed) {
				end = min(end, s.closed[it.ci])
			}
			it.day, it.i = end, 0
			return d * bhSecondsPerDay, end * bhSecondsPerDay, true
		}
		spans := s.days[bhFloorMod(d+3, 7)] // 1970-01-01 was a Thursday
		if it.i < len(spans) {
			sp := spans[it.i]
			it.i++
			base := d * bhSecondsPerDay
			return base + sp.start, base + sp.end, true
		}
		it.day, it.i = d+1, 0
	}
	return 0, 0, false
}

// next returns the next maximal open interval, merging pieces that touch
// across midnight.
func (it *civilIter) next() (a, b int64, ok bool) {
	if it.pending {
		a, b, it.pending = it.pa, it.pb, false
	} else if a, b, ok = it.piece(); !ok {
		return 0, 0, false
	}
	for {
		na, nb, ok := it.piece()
		if !ok {
			break
		}
		if na > b {
			it.pa, it.pb, it.pending = na, nb, true
			break
		}
		b = nb
	}
	return a, b, true
}

func bhFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func bhFloorMod(a, b int64) int64 {
	return a - bhFloorDiv(a, b)*b
}
