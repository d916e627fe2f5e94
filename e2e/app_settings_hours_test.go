//go:build e2e

package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpium/helpium/service"
)

// TestAppBusinessHours: several opening ranges a day in the agent app's
// Settings (#18), on a 390-pixel phone and from the keyboard. The demo
// owner adds a second range to Tuesday (Enter on "Add range", which puts
// the focus in the new range); one that overlaps the first is refused in
// the page, under the day, naming the range, with the field marked invalid
// and focused, and nothing is saved; a time zone the server refuses shows
// its message under that field the same way. Lunch split off, the hours
// are saved, and after a reload the page shows both ranges, as the API
// has them. Removing the second range again leaves the focus on "Add
// range" and saves one range. The card fits the screen, and axe-core finds
// no serious violation, the refusal shown or not.
func TestAppBusinessHours(t *testing.T) {
	const card = `form:has(#bh-timezone)` // the business-hours card of Settings
	srv := startServer(t)
	b := newBrowser(t)
	q := func(sel string) string { return fmt.Sprintf("document.querySelector(%s)", jsString(sel)) }
	all := func(sel string) string { return fmt.Sprintf("[...document.querySelectorAll(%s)]", jsString(sel)) }
	text := func(sel string) string { return "(" + q(sel) + `?.textContent ?? "")` }
	// field is the input a screen reader names label.
	field := func(label string) string { return q(`input[aria-label=` + jsString(label) + `]`) }
	save := func() {
		b.do("save", chromedp.Click(chromedp.JSPath(all(card+" button")+`.find(b => b.textContent === "Save business hours")`)))
	}
	step := func(name string, fn func()) {
		if !t.Failed() {
			fn()
		}
	}
	// fits checks that the page and the card fit the phone's width.
	fits := func(when string) {
		var got struct{ Width, Page, Right, Content, Box int }
		b.eval(`(c => ({width: innerWidth, page: document.documentElement.scrollWidth, right: Math.round(c.getBoundingClientRect().right),
			content: c.scrollWidth, box: c.clientWidth}))(`+q(card)+`)`, &got)
		if got.Page > got.Width || got.Right > got.Width || got.Content > got.Box {
			t.Errorf("%s: on a %d px screen the page is %d px wide, the card ends at %d px and holds %d px in %d",
				when, got.Width, got.Page, got.Right, got.Content, got.Box)
		}
	}

	token, wsID := srv.demoOwner(t)
	type hours struct {
		Timezone string
		Ranges   []struct{ Day, Start, End string }
	}
	serverHas := func() (h hours, tuesday []string) {
		t.Helper()
		var out struct{ Workspace struct{ BusinessHours hours } }
		if errs := srv.graphQL(t, token, `query($w: ID!) { workspace(id: $w) { businessHours { timezone ranges { day start end } } } }`,
			map[string]any{"w": wsID}, &out); len(errs) > 0 {
			t.Fatalf("workspace.businessHours: %+v", errs)
		}
		for _, r := range out.Workspace.BusinessHours.Ranges {
			if r.Day == "TUESDAY" {
				tuesday = append(tuesday, r.Start+"-"+r.End)
			}
		}
		return out.Workspace.BusinessHours, tuesday
	}

	step("Settings on a phone show Tuesday's one range", func() {
		if _, tue := serverHas(); !slices.Equal(tue, []string{"09:00-17:30"}) {
			t.Fatalf("the demo's Tuesday: %v, want 09:00-17:30", tue)
		}
		b.do("phone viewport", chromedp.EmulateViewport(390, 844))
		b.do("open the app", chromedp.Navigate(srv.URL+"/app"))
		b.signIn(service.DemoOwnerEmail, service.DemoOwnerPassword)
		b.do("open settings", chromedp.Click(chromedp.JSPath(all("nav button")+`.find(b => b.textContent === "Settings")`)))
		b.wait("the business hours", field("Tuesday opens"), 15*time.Second)
		if got := b.str(field("Tuesday opens")+`.value`) + "-" + b.str(field("Tuesday closes")+`.value`); got != "09:00-17:30" {
			t.Errorf("Tuesday shows %s, want 09:00-17:30", got)
		}
		if !b.boolean(q(`input[aria-label="Open on Saturday"]`)+`.checked === false`) || b.str(text(`[role=group][aria-labelledby=bh-SATURDAY-name] .ranges`)) != "Closed" {
			t.Errorf("Saturday is not shown closed: %q", b.str(text(`[role=group][aria-labelledby=bh-SATURDAY-name]`)))
		}
		b.eval(q(card)+`.querySelector(".hours").scrollIntoView()`, nil)
		fits("one range a day")
	})

	step("Enter on Add range gives Tuesday a second range, focused", func() {
		b.do("add a range", chromedp.SendKeys(chromedp.JSPath(q(`#bh-TUESDAY-add`)), kb.Enter))
		b.wait("the second range", field("Tuesday, range 2, opens"), 5*time.Second)
		if got := b.str(`document.activeElement?.getAttribute("aria-label")`); got != "Tuesday, range 2, opens" {
			t.Errorf("the focus is on %q, want the new range's opening time", got)
		}
		// The first range is numbered now, and the new one starts an hour after it.
		if got := b.str(field("Tuesday, range 1, closes")+`?.value`) + " " + b.str(field("Tuesday, range 2, opens")+`.value`); got != "17:30 18:30" {
			t.Errorf("range 1 closes, range 2 opens: %s, want 17:30 18:30", got)
		}
	})

	step("an overlapping range is refused under the day, naming it", func() {
		b.setValue(field("Tuesday, range 2, opens"), "12:00")
		b.setValue(field("Tuesday, range 2, closes"), "18:00")
		save()
		const want = "Tuesday, range 2 (12:00–18:00) overlaps range 1 (09:00–17:30)."
		b.wait("the message", all(card+" .field-error")+`.some(p => p.textContent === `+jsString(want)+`)`, 5*time.Second)
		b.shot("hours-overlap")
		input := field("Tuesday, range 2, opens")
		if !b.boolean(input+`.getAttribute("aria-invalid") === "true"`) ||
			b.str(`document.getElementById(`+input+`.getAttribute("aria-describedby"))?.textContent`) != want {
			t.Errorf("the field is not marked invalid and described by the message: aria-invalid=%q aria-describedby=%q",
				b.str(input+`.getAttribute("aria-invalid")`), b.str(input+`.getAttribute("aria-describedby")`))
		}
		if !b.boolean(`document.activeElement === ` + input) {
			t.Errorf("the focus is on %q, want Tuesday's range 2", b.str(`document.activeElement?.getAttribute("aria-label")`))
		}
		if !b.boolean(all(card+" .field-error") + `.every(p => p.closest("[role=group]")?.getAttribute("aria-labelledby") === "bh-TUESDAY-name")`) {
			t.Error("the message is not under Tuesday")
		}
		if got := b.str(text(".saved")); got != "" {
			t.Errorf("the page says %q after a refused save", got)
		}
		if _, tue := serverHas(); !slices.Equal(tue, []string{"09:00-17:30"}) {
			t.Errorf("after a refused save the API has Tuesday %v", tue)
		}
		fits("a refusal shown")
		b.accessible("business hours, a range refused")
	})

	step("a time zone the server refuses shows its message under the field", func() {
		b.setValue(field("Tuesday, range 1, closes"), "12:30")
		b.setValue(field("Tuesday, range 2, opens"), "13:30")
		b.eval(`(() => { const i = document.getElementById("bh-timezone"); i.value = "Mars/Olympus_Mons"; i.dispatchEvent(new Event("input", {bubbles: true})); })()`, nil)
		save()
		b.wait("the server's message", text("#bh-timezone-error")+`.startsWith("Time zone: ")`, 10*time.Second)
		if got := b.str(`document.activeElement?.id`); got != "bh-timezone" {
			t.Errorf("the focus is on %q, want the time zone", got)
		}
		if b.str(all(card+" .field-error")+`.length`) != "1" {
			t.Errorf("messages shown: %s, want only the time zone's", b.str(all(card+" .field-error")+`.map(p => p.textContent).join(" | ")`))
		}
		if h, _ := serverHas(); h.Timezone != "Europe/Amsterdam" {
			t.Errorf("the API has time zone %q after a refused save", h.Timezone)
		}
	})

	step("save two ranges, reload, see them as the API has them", func() {
		b.eval(`(() => { const i = document.getElementById("bh-timezone"); i.value = "Europe/Amsterdam"; i.dispatchEvent(new Event("input", {bubbles: true})); })()`, nil)
		save()
		b.wait("saved", text(".saved")+` === "Business hours saved."`, 10*time.Second)
		if _, tue := serverHas(); !slices.Equal(tue, []string{"09:00-12:30", "13:30-18:00"}) {
			t.Errorf("the API has Tuesday %v, want 09:00-12:30 and 13:30-18:00", tue)
		}
		b.do("reload", chromedp.Reload())
		b.wait("the second range again", field("Tuesday, range 2, opens")+`?.value === "13:30"`, 15*time.Second)
		got := b.str(`["Tuesday, range 1, opens", "Tuesday, range 1, closes", "Tuesday, range 2, opens", "Tuesday, range 2, closes"]
			.map(l => document.querySelector("input[aria-label=\"" + l + "\"]")?.value).join(" ")`)
		if got != "09:00 12:30 13:30 18:00" {
			t.Errorf("after a reload Tuesday shows %s, want 09:00 12:30 13:30 18:00", got)
		}
		if b.str(field("Monday opens")+`?.value`) != "09:00" || b.str(field("Monday closes")+`?.value`) != "17:30" {
			t.Error("Monday's range changed")
		}
		b.eval(q(`#bh-TUESDAY-add`)+`.scrollIntoView({block: "center"})`, nil)
		b.shot("hours-two-ranges")
		fits("two ranges on Tuesday")
		b.accessible("business hours, two ranges")
	})

	step("remove the second range from the keyboard and save", func() {
		b.do("remove", chromedp.SendKeys(chromedp.JSPath(all(card+" button")+`.find(b => b.textContent === "Remove Tuesday, range 2")`), kb.Enter))
		b.wait("one range", `!`+field("Tuesday, range 2, opens")+` && `+field("Tuesday opens"), 5*time.Second)
		if got := b.str(`document.activeElement?.id`); got != "bh-TUESDAY-add" {
			t.Errorf("the focus is on %q, want Tuesday's Add range", got)
		}
		save()
		b.wait("saved", text(".saved")+` === "Business hours saved."`, 10*time.Second)
		if _, tue := serverHas(); !slices.Equal(tue, []string{"09:00-12:30"}) {
			t.Errorf("the API has Tuesday %v, want 09:00-12:30", tue)
		}
	})

	for _, line := range b.consoleErrors() {
		t.Errorf("browser console: %s", line)
	}
}
