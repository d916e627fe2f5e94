//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpium/helpium/service"
)

// guidePDF is a small PDF: the server judges files by their content.
const guidePDF = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

// TestAttachments: in the widget a customer chooses a screenshot (the
// hidden file input, as the paper clip opens it), sees its chip and sends
// it; a file the server refuses comes back to the composer with the
// server's reason; a dropped file becomes a chip. In the agent app the
// image shows in the thread, the agent replies with a PDF and adds a note
// with a pasted image; the widget offers the PDF as a download, never shows
// the note, and renders both files again from history after a reload.
func TestAttachments(t *testing.T) {
	srv := startServer(t)
	agent, customer := newBrowser(t), newBrowser(t)
	dir := t.TempDir()
	screenshot := writeFile(t, dir, "sync-error.png", testPNG(t, 480, 300))
	refused := writeFile(t, dir, "invoice.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"))
	guide := writeFile(t, dir, "sync-guide.pdf", []byte(guidePDF))

	q := func(sel string) string { return fmt.Sprintf("document.querySelector(%s)", jsString(sel)) }
	typeIn := func(sel, s string) chromedp.Action[chromedp.Void] {
		return chromedp.SendKeys(chromedp.JSPath(q(sel)), s)
	}
	// loaded is a JavaScript condition: an image has loaded real pixels.
	loaded := func(img string) string { return fmt.Sprintf(`(i => !!i && i.complete && i.naturalWidth > 0)(%s)`, img) }
	step := func(name string, fn func()) {
		if !t.Failed() {
			fn()
		}
	}

	step("the agent signs in", func() {
		agent.do("open", chromedp.Navigate(srv.URL+"/app"))
		agent.signIn(service.DemoOwnerEmail, service.DemoOwnerPassword)
	})

	const body = "The sync fails with this error."
	step("the customer attaches a screenshot and sends it", func() {
		customer.do("open the demo", chromedp.Navigate(srv.URL+"/demo"))
		customer.wait("launcher", visible(".launcher"), 15*time.Second)
		customer.do("open", chromedp.Click(el(".launcher")))
		customer.do("start", chromedp.Click(el(".home .primary")))
		customer.wait("composer", visible("#hp-input"), 5*time.Second)
		if label := customer.str(w(".composer .attach") + `?.getAttribute("aria-label")`); label != "Attach files" {
			t.Errorf("the paper clip is labelled %q", label)
		}
		customer.do("choose the file", chromedp.SetUploadFiles(el(`.composer input[type=file]`), []string{screenshot}))
		customer.wait("its chip, with a thumbnail", wAll(".chips .chip")+`.length === 1 && `+loaded(w(".chips .chip img"))+` && `+
			w(".chips .chip .name")+`.textContent === "sync-error.png" && `+w(".chips .chip-x")+`.getAttribute("aria-label") === "Remove sync-error.png"`, 5*time.Second)
		customer.do("type", chromedp.SendKeys(el("#hp-input"), body))
		customer.shot("widget-file-chosen")
		customer.do("send", chromedp.SendKeys(el("#hp-input"), kb.Enter))
		customer.wait("the message with its image, from the server", wAll(".log .msg.mine:not(.pending)")+`.length === 1 && `+
			loaded(w(".log .msg.mine .files .thumb img")), 15*time.Second)
		if !customer.boolean(w(".chips") + `.hidden && ` + w(".chips") + `.children.length === 0`) {
			t.Error("the chips stay after sending")
		}
		href := customer.str(w(".log .msg.mine .files .thumb") + `.href`)
		if !strings.HasPrefix(href, srv.URL+"/files/") || customer.str(w(".log .msg.mine .files .thumb")+`.target`) != "_blank" {
			t.Errorf("the thumbnail links to %q, want the full image on %s/files/ in a new tab", href, srv.URL)
		}
		customer.shot("widget-image-sent")
	})

	step("a file the server refuses comes back with its reason", func() {
		customer.do("choose the executable", chromedp.SetUploadFiles(el(`.composer input[type=file]`), []string{refused}))
		customer.wait("its chip", wAll(".chips .chip")+`.length === 1`, 5*time.Second)
		customer.do("send it alone", chromedp.SendKeys(el("#hp-input"), kb.Enter))
		customer.wait("the refusal", visible(".composer-error"), 15*time.Second)
		msg := customer.str(w(".composer-error") + `.textContent`)
		if !strings.HasPrefix(msg, "invoice.exe is not a file type that can be attached") {
			t.Errorf("refusal %q, want the server's reason naming invoice.exe", msg)
		}
		if !customer.boolean(w(".chips .chip.bad .name")+`?.textContent === "invoice.exe"`) || customer.boolean(wAll(".log .msg.pending")+`.length > 0`) {
			t.Error("the refused file is not back in the composer, marked")
		}
		customer.shot("widget-file-refused")
		customer.do("remove it", chromedp.Click(el(".chips .chip-x")))
		customer.wait("no chip, no error", w(".chips")+`.hidden && `+w(".composer-error")+`.hidden`, 5*time.Second)
		if got := customer.str(shadow + `.activeElement?.id`); got != "hp-input" {
			t.Errorf("focus after removing the last chip is on %q, want the message box", got)
		}
	})

	step("a file dropped on the panel becomes a chip", func() {
		var hint bool
		customer.eval(`(() => { const dt = new DataTransfer(); dt.items.add(new File(["step 1\n"], "dropped.txt", { type: "text/plain" }));
			const log = `+w(".log")+`; const fire = (type) => log.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true, composed: true }));
			fire("dragenter"); fire("dragover"); const shown = !`+w(".drop")+`.hidden; fire("drop"); return shown })()`, &hint)
		if !hint {
			t.Error("no drop hint while dragging files over the panel")
		}
		customer.wait("the dropped file's chip", w(".chips .chip .name")+`?.textContent === "dropped.txt" && `+w(".drop")+`.hidden`, 5*time.Second)
		customer.do("remove it", chromedp.Click(el(".chips .chip-x")))
		customer.wait("no chip", w(".chips")+`.hidden`, 5*time.Second)
	})

	step("the agent sees the image", func() {
		agent.wait("the conversation in the inbox", `[...document.querySelectorAll(".inbox .list button")].some(b => b.textContent.includes(`+jsString(body)+`))`, 15*time.Second)
		agent.do("open it", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".inbox .list button")].find(b => b.textContent.includes(`+jsString(body)+`))`)))
		agent.wait("the image in the thread", loaded(q(".thread .msg.customer .files img")), 15*time.Second)
		if alt := agent.str(q(".thread .msg.customer .files img") + `.alt`); !strings.HasPrefix(alt, "sync-error.png") {
			t.Errorf("the image's alt text is %q", alt)
		}
	})

	step("the agent replies with a PDF", func() {
		agent.do("choose the file", chromedp.SetUploadFiles(chromedp.JSPath(q(`.reply input[type=file]`)), []string{guide}))
		agent.wait("its chip", q(".reply .chip .name")+`?.textContent === "sync-guide.pdf"`, 5*time.Second)
		agent.do("write", typeIn(`#reply-body`, "Here is the **sync guide**; step 3 fixes this error."))
		agent.do("send", chromedp.Click(chromedp.JSPath(q(`.reply button[type=submit]`))))
		agent.wait("the reply with its file", `[...document.querySelectorAll(".thread .msg.agent .files a.file")].some(a => a.textContent.includes("sync-guide.pdf"))`, 15*time.Second)
		// The thread may show the reply (a live event) before the send
		// itself returns and clears the composer.
		agent.wait("the chips cleared", `!`+q(".reply .chips"), 5*time.Second)
	})

	step("the agent notes a pasted image, for agents only", func() {
		agent.do("note", chromedp.Click(chromedp.JSPath(q(`.reply-actions input[type=checkbox]`))))
		agent.eval(`(async () => { const c = document.createElement("canvas"); c.width = 240; c.height = 120; const g = c.getContext("2d");
			g.fillStyle = "#b45309"; g.fillRect(0, 0, 240, 120); g.fillStyle = "#fff"; g.font = "24px sans-serif"; g.fillText("log excerpt", 50, 68);
			const blob = await new Promise(r => c.toBlob(r, "image/png")); const dt = new DataTransfer();
			dt.items.add(new File([blob], "pasted.png", { type: "image/png" }));
			document.querySelector("#reply-body").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true })); })()`, nil)
		agent.wait("the pasted image's chip", q(".reply .chip .name")+`?.textContent === "pasted.png" && `+loaded(q(".reply .chip img")), 5*time.Second)
		agent.do("write", typeIn(`#reply-body`, "Same error as last week's ticket."))
		agent.do("add the note", chromedp.Click(chromedp.JSPath(q(`.reply button[type=submit]`))))
		agent.wait("the note with its image", loaded(q(".thread .msg.note .files img")), 15*time.Second)
		agent.do("back to replies", chromedp.Click(chromedp.JSPath(q(`.reply-actions input[type=checkbox]`))))
		agent.accessible("a conversation with files")
		// Tall enough for the whole thread: this one is in the README.
		agent.do("tall viewport", chromedp.EmulateViewport(1280, 880))
		agent.eval(`document.querySelector(".thread").scrollTop = 0`, nil)
		agent.shot("app-attachments")
		agent.do("usual viewport", chromedp.ResetViewport())
	})

	step("the widget offers the PDF as a download, and never the note", func() {
		link := w(".log .msg[data-author=agent] .files a.file")
		customer.wait("the reply's download link", link+`?.textContent.includes("sync-guide.pdf")`, 15*time.Second)
		if got := customer.str(link + `.getAttribute("download")`); got != "sync-guide.pdf" {
			t.Errorf("download attribute %q", got)
		}
		res, err := http.Get(customer.str(link + `.href`))
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		got.ReadFrom(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || got.String() != guidePDF || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("the link gives %d %q, %q", res.StatusCode, res.Header.Get("Content-Disposition"), got.String())
		}
		time.Sleep(time.Second) // room for a wrong delivery of the note
		if customer.boolean(wAll(".log .msg")+`.some(m => m.textContent.includes("last week"))`) || customer.boolean(wAll(".log img")+`.some(i => i.alt.startsWith("pasted"))`) {
			t.Error("the internal note or its file reached the widget")
		}
		customer.shot("widget-download-link")
		customer.accessible("the widget with files")
	})

	step("history shows the files again after a reload", func() {
		customer.do("reload", chromedp.Reload())
		customer.wait("launcher", visible(".launcher"), 15*time.Second)
		customer.do("open", chromedp.Click(el(".launcher")))
		customer.do("continue", chromedp.Click(el(".home .primary")))
		customer.wait("the image and the link from history", loaded(w(".log .msg.mine .files .thumb img"))+` && `+
			w(".log .msg[data-author=agent] .files a.file")+`?.textContent.includes("sync-guide.pdf")`, 15*time.Second)
	})

	step("a slow upload shows its progress", func() {
		log := writeFile(t, dir, "sync.log", bytes.Repeat([]byte("12:00:01 sync: retrying in 5 s\n"), 16<<10))
		customer.do("throttle uploads to 200 KB/s", throttle(200<<10))
		customer.do("choose the log", chromedp.SetUploadFiles(el(`.composer input[type=file]`), []string{log}))
		customer.wait("its chip", wAll(".chips .chip")+`.length === 1`, 5*time.Second)
		customer.do("send", chromedp.SendKeys(el("#hp-input"), kb.Enter))
		customer.wait("a progress bar part way", `(p => !!p && p.value > 0 && p.value < 100 && p.getAttribute("aria-label") === "Uploading the file")(`+w(".log .msg.pending progress")+`)`, 10*time.Second)
		customer.shot("widget-upload-progress")
		customer.do("unthrottle", throttle(-1))
		customer.wait("sent", `!`+w(".log .msg.pending")+` && `+wAll(".log .msg.mine .files a.file")+`.some(a => a.textContent.includes("sync.log"))`, 30*time.Second)
	})

	step("on a phone the chips and the composer fit", func() {
		customer.do("phone viewport", chromedp.EmulateViewport(390, 760))
		customer.do("choose two files", chromedp.SetUploadFiles(el(`.composer input[type=file]`), []string{screenshot, guide}))
		customer.wait("their chips", wAll(".chips .chip")+`.length === 2`, 5*time.Second)
		var fit struct{ Composer, Panel bool }
		customer.eval(`(() => { const c = `+w(".composer")+`, p = `+w(".panel")+`;
			return { Composer: c.getBoundingClientRect().right <= innerWidth && c.scrollWidth <= c.clientWidth, Panel: p.getBoundingClientRect().width === innerWidth } })()`, &fit)
		if !fit.Composer || !fit.Panel {
			t.Errorf("on a 390-pixel screen: %+v", fit)
		}
		customer.shot("widget-phone-chips")
		customer.do("desktop viewport", chromedp.ResetViewport())
	})

	step("an admin limits files per message, and the widget hears it", func() {
		agent.do("open settings", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll("nav button")].find(b => b.textContent === "Settings")`)))
		agent.wait("the attachment limits", q(`input[name=perMessage]`)+`?.value === "5" && `+q(`input[name=mb]`)+`.value === "10"`, 15*time.Second)
		agent.eval(`(() => { const i = document.querySelector("input[name=perMessage]"); i.value = "1"; i.dispatchEvent(new Event("input", {bubbles: true})); })()`, nil)
		agent.do("save", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll(".settings button")].find(b => b.textContent === "Save attachment limits")`)))
		agent.wait("saved", q(".saved")+`.textContent === "Attachment limits saved."`, 10*time.Second)
		agent.do("reload", chromedp.Reload())
		agent.wait("the saved limit", q(`input[name=perMessage]`)+`?.value === "1"`, 15*time.Second)
		agent.eval(`document.querySelector("input[name=perMessage]").closest("form").scrollIntoView()`, nil)
		agent.shot("app-attachment-limits")
		agent.accessible("settings")
		customer.do("send the two chosen files", chromedp.SendKeys(el("#hp-input"), kb.Enter))
		customer.wait("the refusal", visible(".composer-error"), 15*time.Second)
		if msg := customer.str(w(".composer-error") + `.textContent`); !strings.Contains(msg, "at most 1") || customer.str(wAll(".chips .chip")+`.length`) != "2" {
			t.Errorf("refusal %q with %s chips, want the limit and both files back", msg, customer.str(wAll(".chips .chip")+`.length`))
		}
		customer.shot("widget-too-many-files")
	})

	for _, b := range []*browser{agent, customer} {
		for _, line := range b.consoleErrors() {
			if strings.Contains(line, "status of 422") {
				continue // the refused file
			}
			if strings.Contains(line, "Content Security Policy") || strings.Contains(line, "Failed to load") {
				t.Errorf("browser console: %s", line)
			}
		}
	}
}

// throttle limits the tab's uploads to bytesPerSecond, or lifts the limit
// (-1).
func throttle(bytesPerSecond float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: bytesPerSecond}},
		})
		return err
	})
}

// testPNG draws a w×h image that looks like a screenshot of an error.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{241, 245, 249, 255}
			switch {
			case y < 36:
				c = color.RGBA{30, 41, 59, 255}
			case x > 40 && x < w-40 && y > 90 && y < 210:
				c = color.RGBA{254, 226, 226, 255}
				if x < 52 || y > 198 || (y > 120 && y < 132 && x < w/2) || (y > 150 && y < 160 && x < w-120) {
					c = color.RGBA{185, 28, 28, 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
