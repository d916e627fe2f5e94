//go:build e2e

package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpium/helpium/service"
)

// TestAppAwaySettings: the away-email card in the agent app's Settings
// (#21). The demo owner switches away emails on with a 10-minute delay and
// a resume page, saves, reloads and finds the values kept, as the API has
// them; a resume URL the server refuses shows the server's message under
// the field (marked invalid, described by it, focused), and nothing is
// saved. axe-core finds no serious violation on the page, the refusal
// shown or not.
func TestAppAwaySettings(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	q := func(sel string) string { return fmt.Sprintf("document.querySelector(%s)", jsString(sel)) }
	all := func(sel string) string { return fmt.Sprintf("[...document.querySelectorAll(%s)]", jsString(sel)) }
	// text is the element's text, "" without one, in parentheses: ?? binds
	// more loosely than ===.
	text := func(sel string) string { return "(" + q(sel) + `?.textContent ?? "")` }
	button := func(scope, label string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.JSPath(all(scope+" button") + `.find(b => b.textContent === ` + jsString(label) + `)`))
	}
	step := func(name string, fn func()) {
		if !t.Failed() {
			fn()
		}
	}
	const (
		card    = `form:has(input[name=resumeUrl])`
		enabled = card + ` input[name=enabled]`
		delay   = card + ` input[name=delayMinutes]`
		resume  = card + ` input[name=resumeUrl]`
		page    = "https://shop.example.com/help"
	)

	// The demo owner's token and workspace, for asking the API what it has.
	var token, wsID string
	type away struct {
		Enabled      bool    `json:"enabled"`
		DelayMinutes int     `json:"delayMinutes"`
		ResumeURL    *string `json:"resumeUrl"`
	}
	serverHas := func() away {
		t.Helper()
		var out struct{ Workspace struct{ AwayEmail away } }
		if errs := srv.graphQL(t, token, `query($w: ID!) { workspace(id: $w) { awayEmail { enabled delayMinutes resumeUrl } } }`,
			map[string]any{"w": wsID}, &out); len(errs) > 0 {
			t.Fatalf("workspace.awayEmail: %+v", errs)
		}
		return out.Workspace.AwayEmail
	}
	step("the API knows the demo owner", func() {
		token, wsID = srv.demoOwner(t)
		// The seeded demo has it on (the server sends email), resuming at /demo.
		if got := serverHas(); !got.Enabled || got.DelayMinutes != 5 || got.ResumeURL == nil || *got.ResumeURL != srv.URL+"/demo" {
			t.Fatalf("the demo's away email: %+v, want on, 5 minutes, resuming at %s/demo", got, srv.URL)
		}
	})

	step("the card in Settings shows the demo's setting", func() {
		b.do("open the app", chromedp.Navigate(srv.URL+"/app"))
		b.signIn(service.DemoOwnerEmail, service.DemoOwnerPassword)
		b.do("open settings", button("nav", "Settings"))
		b.wait("the away-email card", q(resume), 15*time.Second)
		if got := b.str(q(card+" h2") + `?.textContent`); got != "Email when the customer is away" {
			t.Errorf("the card's heading: %q", got)
		}
		const explained = "When an agent replies and the customer has left, Helpium emails them the reply (identified customers only)."
		if !b.boolean(all(card+" p") + `.some(p => p.textContent === ` + jsString(explained) + `)`) {
			t.Errorf("the card does not say %q", explained)
		}
		if !b.boolean(q(enabled)+`.checked`) || b.str(q(delay)+`.value`) != "5" || b.str(q(resume)+`.value`) != srv.URL+"/demo" {
			t.Errorf("the card shows enabled=%s, delay %q, resume %q; want on, 5, the demo page",
				b.str(q(enabled)+`.checked`), b.str(q(delay)+`.value`), b.str(q(resume)+`.value`))
		}
		// Every field of the card has a name a screen reader reads.
		for _, sel := range []string{enabled, delay, resume} {
			if b.str(q(sel)+`.labels?.[0]?.textContent.trim()`) == "" {
				t.Errorf("%s has no label", sel)
			}
		}
	})

	step("switch it off, save, reload", func() {
		b.do("switch off", chromedp.Click(chromedp.JSPath(q(enabled))))
		b.do("save", button(card, "Save away email"))
		b.wait("saved", text(".saved")+` === "Away email saved."`, 10*time.Second)
		b.do("reload", chromedp.Reload())
		b.wait("the card again", q(resume), 15*time.Second)
		if got := serverHas(); got.Enabled || b.boolean(q(enabled)+`.checked`) {
			t.Errorf("after switching off: the API has %+v, the box checked=%s", got, b.str(q(enabled)+`.checked`))
		}
	})

	step("switch it on with a 10-minute delay and a resume page, save, reload", func() {
		b.do("switch on", chromedp.Click(chromedp.JSPath(q(enabled))))
		b.setValue(q(delay), "10")
		b.setValue(q(resume), page)
		b.do("save", button(card, "Save away email"))
		b.wait("saved", text(".saved")+` === "Away email saved."`, 10*time.Second)
		b.shot("away-saved")
		b.accessible("settings")
		b.do("reload", chromedp.Reload())
		b.wait("the saved values", q(resume)+`?.value === `+jsString(page), 15*time.Second)
		if !b.boolean(q(enabled)+`.checked`) || b.str(q(delay)+`.value`) != "10" {
			t.Errorf("after a reload: enabled=%s, delay %q; want on, 10", b.str(q(enabled)+`.checked`), b.str(q(delay)+`.value`))
		}
		if got := serverHas(); !got.Enabled || got.DelayMinutes != 10 || got.ResumeURL == nil || *got.ResumeURL != page {
			t.Errorf("the API has %+v, want on, 10 minutes, %s", got, page)
		}
	})

	step("a resume URL the server refuses shows its message under the field", func() {
		const bad = "ftp://x"
		// What the API says of it, to find in the page.
		errs := srv.graphQL(t, token, `mutation($w: ID!, $in: AwayEmailSettingsInput!) { setAwayEmail(workspaceId: $w, input: $in) { id } }`,
			map[string]any{"w": wsID, "in": map[string]any{"enabled": true, "delayMinutes": 10, "resumeUrl": bad}}, nil)
		if len(errs) != 1 || errs[0].Extensions["code"] != "invalid_input" || errs[0].Extensions["field"] != "input.resumeUrl" {
			t.Fatalf("setAwayEmail with %s: %+v, want invalid_input naming resumeUrl", bad, errs)
		}
		want := errs[0].Message
		b.setValue(q(resume), bad)
		b.do("save", button(card, "Save away email"))
		b.wait("the server's message under the field", text("#away-resumeUrl-error")+` === `+jsString(want), 10*time.Second)
		b.shot("away-refused")
		if !b.boolean(q(resume)+`.getAttribute("aria-invalid") === "true"`) ||
			!b.boolean(q(resume)+`.getAttribute("aria-describedby")?.split(" ").includes("away-resumeUrl-error")`) {
			t.Errorf("the field is not marked invalid and described by the message: aria-invalid=%q aria-describedby=%q",
				b.str(q(resume)+`.getAttribute("aria-invalid")`), b.str(q(resume)+`.getAttribute("aria-describedby")`))
		}
		if !b.boolean(q("#away-resumeUrl-error") + `.closest("form") === ` + q(resume) + `.closest("form")`) {
			t.Error("the message is not in the away-email card")
		}
		if got := b.str(`document.activeElement?.name`); got != "resumeUrl" {
			t.Errorf("the focus is on %q, want the resume URL", got)
		}
		if got := b.str(q(resume) + `.value`); got != bad {
			t.Errorf("the field now holds %q, want what was typed, %q", got, bad)
		}
		if got := b.str(text(".saved")); got != "" {
			t.Errorf("the page says %q after a refused save", got)
		}
		if b.boolean(q(delay) + `.getAttribute("aria-invalid")`) {
			t.Error("the delay is marked invalid too")
		}
		b.accessible("settings, a field refused")
		if got := serverHas(); got.ResumeURL == nil || *got.ResumeURL != page {
			t.Errorf("after a refused save the API has %+v, want the resume page %s kept", got, page)
		}
	})

	step("fixing the field clears the message", func() {
		b.setValue(q(resume), page+"?from=email")
		b.do("save", button(card, "Save away email"))
		b.wait("saved, and no message", text(".saved")+` === "Away email saved." && !`+q("#away-resumeUrl-error")+
			` && `+q(resume)+`?.value === `+jsString(page+"?from=email"), 10*time.Second)
		if b.boolean(q(resume) + `.getAttribute("aria-invalid")`) {
			t.Error("the field is still marked invalid")
		}
	})

	for _, line := range b.consoleErrors() {
		t.Errorf("browser console: %s", line)
	}
}
