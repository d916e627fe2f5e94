//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpium/helpium/widget"
)

// fakeAPI is a scripted stand-in for the Customer API, served from another
// origin than the host page. It lets the browser test reach states a real
// server gives only under rare conditions: hostile text in answers, a failed
// send, a 429 with Retry-After, a refused event stream.
type fakeAPI struct {
	mu       sync.Mutex
	messages []map[string]any
	attempts map[string][]string // body → client_message_id of each attempt
	files    map[string][]string // body → the names of the files each attempt sent
	// installations are the installation_id of each conversation start.
	installations []string
	failOnce      map[string]int // body → status to answer the first attempt with
	polls         int
	identify      []map[string]any // bodies of identify requests
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{
		attempts: map[string][]string{},
		files:    map[string][]string{},
		failOnce: map[string]int{"please fail once": 500, "slow down": 429, "a file, failing once": 500},
	}
}

func (f *fakeAPI) add(author, body, clientID string) map[string]any {
	m := map[string]any{
		"id":              fmt.Sprintf("msg-%d", len(f.messages)+1),
		"conversation_id": "conv-1",
		"author":          author,
		"body":            body,
		"created_at":      time.Now().UTC().Format(time.RFC3339Nano),
	}
	if clientID != "" {
		m["client_message_id"] = clientID
	}
	f.messages = append(f.messages, m)
	return m
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "status": status, "code": code}})
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", "X-API-Key, Content-Type")
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Expose-Headers", "Retry-After")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Header.Get("X-API-Key") != "pk_fake" && r.URL.Query().Get("api_key") != "pk_fake" {
		writeErr(w, 401, "unauthenticated", "Invalid widget key.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var in map[string]any
	var names []string
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// A message with files.
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			writeErr(w, 422, "invalid_input", err.Error())
			return
		}
		in = map[string]any{}
		for k, v := range r.MultipartForm.Value {
			in[k] = v[0]
		}
		for _, fh := range r.MultipartForm.File["files"] {
			names = append(names, fh.Filename)
		}
	} else if r.Method == http.MethodPost {
		json.NewDecoder(r.Body).Decode(&in)
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/customer")
	switch {
	case path == "/widget/settings":
		writeJSON(w, 200, map[string]any{
			"colors":        map[string]any{"primary": "#7c3aed", "background": "#fffdf7", "text": "#1c1917"},
			"position":      "bottom-left",
			"greeting":      "Hello from the fake API <b>not bold</b>",
			"launcher_text": "Chat",
			"locale":        "en",
			"business_hours": map[string]any{
				"timezone": "UTC", "is_open": false, "next_change_at": time.Now().Add(14 * time.Hour).UTC().Format(time.RFC3339),
				"out_of_office_message": "We are closed for the night. Leave a message!",
			},
		})
	case path == "/search":
		writeJSON(w, 200, map[string]any{"results": []any{
			map[string]any{"article_id": "a1", "title": `<img src=x onerror="window.__pwned='title'">Reset your password`, "url": "javascript:window.__pwned='url'", "snippet": "<script>window.__pwned='snippet'</script>Open Settings.", "score": 0.9},
			map[string]any{"article_id": "a2", "title": "Change your email", "url": "https://help.example/email", "snippet": "Go to Account.", "score": 0.7},
		}})
	case path == "/search/answer":
		writeJSON(w, 200, map[string]any{
			"answered": true,
			"answer": "To reset it, open **Settings** then *Security* [1].\n\n1. Click `Reset password`\n2. Follow [the link](javascript:window.__pwned='link')\n\n" +
				"<script>window.__pwned='script'</script><img src=x onerror=\"window.__pwned='img'\"> See also [2].",
			"sources": []any{
				map[string]any{"article_id": "a1", "title": "Reset your password", "url": "https://help.example/reset"},
				map[string]any{"article_id": "a3", "title": "Bad link", "url": "javascript:window.__pwned='source'"},
			},
			"confidence": 0.82,
		})
	case path == "/tracking/identify":
		f.identify = append(f.identify, in)
		if in["widget_token"] != "wt_fake" {
			writeErr(w, 422, "invalid_input", "widget_token is required")
			return
		}
		writeJSON(w, 200, map[string]any{"id": "cust-1", "email": in["email"], "name": in["name"], "verified": false})
	case path == "/conversations" && r.Method == http.MethodPost:
		cid, _ := in["client_message_id"].(string)
		f.installations = append(f.installations, fmt.Sprint(in["installation_id"]))
		f.attempts[fmt.Sprint(in["message"])] = append(f.attempts[fmt.Sprint(in["message"])], cid)
		m := f.add("customer", fmt.Sprint(in["message"]), cid)
		writeJSON(w, 201, map[string]any{"conversation": map[string]any{"id": "conv-1", "status": "open"}, "message": m, "widget_token": "wt_fake"})
	case path == "/conversations/wt_fake/messages" && r.Method == http.MethodPost:
		body, _ := in["body"].(string)
		cid, _ := in["client_message_id"].(string)
		f.attempts[body] = append(f.attempts[body], cid)
		f.files[body] = append(f.files[body], strings.Join(names, ","))
		if status, ok := f.failOnce[body]; ok {
			delete(f.failOnce, body)
			if status == 429 {
				h.Set("Retry-After", "3")
				writeErr(w, 429, "too_many_requests", "Too many requests.")
			} else {
				writeErr(w, status, "internal", "Internal error.")
			}
			return
		}
		for _, m := range f.messages {
			if m["client_message_id"] == cid {
				writeJSON(w, 200, m)
				return
			}
		}
		writeJSON(w, 201, f.add("customer", body, cid))
	case path == "/conversations/wt_fake/messages":
		f.polls++
		after := 0
		fmt.Sscanf(r.URL.Query().Get("after"), "c%d", &after)
		var page []map[string]any
		if after < len(f.messages) {
			page = f.messages[after:]
		}
		next := fmt.Sprintf("c%d", len(f.messages))
		writeJSON(w, 200, map[string]any{"messages": page, "next_cursor": next, "has_more": false})
	case path == "/conversations/wt_fake/events":
		writeErr(w, 503, "unavailable", "Streams are off in this test.")
	default:
		writeErr(w, 404, "not_found", "No route for "+r.Method+" "+r.URL.Path+".")
	}
}

// TestWidgetAgainstFakeAPI checks what the widget does with hostile server
// text, failures, 429 and a refused stream, on a host page of another
// origin with loud styles of its own.
func TestWidgetAgainstFakeAPI(t *testing.T) {
	api := newFakeAPI()
	wh := widget.New("pk_fake")
	apiSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/widget.js" {
			wh.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	}))
	defer apiSrv.Close()
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Host</title>
<style>* { font-family: "Comic Sans MS", cursive !important; color: red; } button { background: yellow; } div { border: 1px dashed blue; }</style>
</head><body><h1>Another origin</h1><p>The page's styles must not reach the widget.</p>
<script src="%[1]s/widget.js"></script>
<script>
window.__events = [];
['ready','open','close','message','unread','error'].forEach(n => Helpium.on(n, p => window.__events.push([n, p])));
window.__ready = Helpium.init({ apiKey: 'pk_fake', baseUrl: %[2]q });
</script></body></html>`, apiSrv.URL, apiSrv.URL+"/")
	}))
	defer host.Close()

	b := newBrowser(t)
	b.do("open host page", chromedp.Navigate(host.URL))
	b.wait("launcher", visible(".launcher"), 10*time.Second)

	// Settings: position, colours, launcher text, isolation from host CSS.
	var look struct {
		Left, Bg, Font, Label string
	}
	b.eval(`(() => { const l = `+w(".launcher")+`; const r = l.getBoundingClientRect(); const cs = getComputedStyle(l);
		return { Left: String(r.left < 100), Bg: cs.backgroundColor, Font: cs.fontFamily, Label: l.textContent } })()`, &look)
	if look.Left != "true" || look.Bg != "rgb(124, 58, 237)" || strings.Contains(look.Font, "Comic") || look.Label != "Chat" {
		t.Errorf("launcher: %+v, want bottom-left, rgb(124, 58, 237), no host font, label Chat", look)
	}
	b.shot("launcher-bottom-left")

	// Keyboard: focus the launcher, Enter opens; greeting is text, not HTML.
	b.do("focus launcher", chromedp.Focus(el(".launcher")))
	b.do("press Enter", chromedp.KeyEvent(kb.Enter))
	b.wait("panel open", visible(".panel"), 5*time.Second)
	if g := b.str(w(".greeting") + `.textContent`); g != "Hello from the fake API <b>not bold</b>" {
		t.Errorf("greeting %q", g)
	}
	if s := b.str(w(".status") + `.textContent`); !strings.HasPrefix(s, "We are away · back ") {
		t.Errorf("status %q", s)
	}
	if s := b.str(w(".home .notice") + `.textContent`); s != "We are closed for the night. Leave a message!" {
		t.Errorf("out-of-office notice %q", s)
	}
	if a := b.str(shadow + `.activeElement?.id`); a != "hp-q" {
		t.Errorf("focus after open is on %q, want the search box", a)
	}
	b.shot("panel-offline")

	// Search with hostile titles, snippets, Markdown and links.
	b.do("type query", chromedp.SendKeys(el("#hp-q"), "reset password"+kb.Enter))
	b.wait("answer", visible(".answer"), 10*time.Second)
	b.wait("articles", visible(".articles"), 10*time.Second)
	var safety struct {
		Pwned       any
		Imgs        int
		Scripts     int
		Hrefs       []string
		Bold        string
		Cite        string
		Code        string
		Items       int
		FirstTitle  string
		AnswerText  string
		SourceCount int
	}
	b.eval(`(() => { const s = `+shadow+`; return {
		Pwned: window.__pwned ?? null,
		Imgs: s.querySelectorAll('img').length,
		Scripts: s.querySelectorAll('script').length,
		Hrefs: [...s.querySelectorAll('a')].map(a => a.getAttribute('href')),
		Bold: s.querySelector('.answer strong')?.textContent ?? '',
		Cite: s.querySelector('.answer sup a')?.getAttribute('href') ?? '',
		Code: s.querySelector('.answer code')?.textContent ?? '',
		Items: s.querySelectorAll('.answer ol:not(.sources) li').length,
		FirstTitle: s.querySelector('.articles li')?.textContent ?? '',
		AnswerText: s.querySelector('.answer')?.textContent ?? '',
		SourceCount: s.querySelectorAll('.sources li').length,
	} })()`, &safety)
	if safety.Pwned != nil || safety.Imgs != 0 || safety.Scripts != 0 {
		t.Errorf("hostile text ran or became markup: pwned=%v imgs=%d scripts=%d", safety.Pwned, safety.Imgs, safety.Scripts)
	}
	for _, href := range safety.Hrefs {
		if !strings.HasPrefix(href, "https://") {
			t.Errorf("unsafe link rendered: %q", href)
		}
	}
	if safety.Bold != "Settings" || safety.Cite != "https://help.example/reset" || safety.Code != "Reset password" || safety.Items != 2 || safety.SourceCount != 2 {
		t.Errorf("markdown: %+v", safety)
	}
	if !strings.Contains(safety.AnswerText, "<script>") || !strings.HasPrefix(safety.FirstTitle, "<img src=x") {
		t.Errorf("hostile text should show as text: answer %q, title %q", safety.AnswerText, safety.FirstTitle)
	}
	b.shot("search-hostile-content-as-text")

	// identify before any conversation: nothing to link yet, so nothing is
	// sent; it goes out with the widget token once the conversation starts.
	var early any = "unset"
	b.eval(`Helpium.identify({ email: "grace@example.com", name: "Grace Hopper", bearerToken: "fake-bearer-secret" })`, &early)
	if early != nil {
		t.Errorf("identify before a conversation resolved to %v, want null", early)
	}

	// Start a conversation; the first message creates it.
	b.do("start conversation", chromedp.Click(el(".primary")))
	b.wait("composer", visible("#hp-input"), 5*time.Second)
	if s := b.str(w(".conv .notice") + `.textContent`); !strings.Contains(s, "closed for the night") {
		t.Errorf("conversation view out-of-office notice %q", s)
	}
	b.do("first message", chromedp.SendKeys(el("#hp-input"), "Hello there"+kb.Enter))
	b.wait("first message stored", `localStorage.getItem("helpium:pk_fake")?.includes("wt_fake")`, 10*time.Second)
	b.wait("first message shown", wAll(".log .msg.mine:not(.pending)")+`.length === 1`, 10*time.Second)
	b.wait("identity sent with the new conversation", w(".who")+`.textContent === "Signed in as Grace Hopper"`, 10*time.Second)
	api.mu.Lock()
	idents := api.identify
	firstIDs := api.attempts["Hello there"]
	installations := api.installations
	api.mu.Unlock()
	if len(firstIDs) != 1 || firstIDs[0] == "" {
		t.Errorf("client_message_id of the first message (it starts the conversation): %q, want one id, for a retry", firstIDs)
	}
	if len(installations) != 1 || len(installations[0]) < 16 {
		t.Errorf("installation_id of the conversation start: %q, want one random id, so only this browser can retry it", installations)
	} else if stored := b.str(`JSON.parse(localStorage.getItem("helpium:pk_fake")).installation`); stored != installations[0] {
		t.Errorf("installation_id sent %q, kept in localStorage %q; want the same", installations[0], stored)
	}
	if len(idents) != 1 || idents[0]["widget_token"] != "wt_fake" || idents[0]["bearer_token"] != "fake-bearer-secret" || idents[0]["email"] != "grace@example.com" {
		t.Errorf("identify requests: %v, want one with the widget token and the bearer token", idents)
	}
	var stored string
	b.eval(`JSON.stringify(Object.entries(localStorage)) + " " + document.cookie`, &stored)
	if strings.Contains(stored, "fake-bearer-secret") || strings.Contains(stored, "grace@") {
		t.Errorf("identity is stored in the browser: %s", stored)
	}

	// A failed send shows Retry; retrying reuses the client_message_id.
	b.do("failing message", chromedp.SendKeys(el("#hp-input"), "please fail once"+kb.Enter))
	b.wait("failure shown", visible(".msg.failed .linkish"), 10*time.Second)
	b.shot("send-failed-retry")
	b.do("retry", chromedp.Click(el(".msg.failed .linkish")))
	b.wait("retried message sent", wAll(".log .msg.mine:not(.pending)")+`.length === 2`, 10*time.Second)
	api.mu.Lock()
	ids := api.attempts["please fail once"]
	api.mu.Unlock()
	if len(ids) != 2 || ids[0] == "" || ids[0] != ids[1] {
		t.Errorf("client_message_id of the attempts: %q, want the same id twice", ids)
	}

	// A message with files retries with the same files under the same id.
	note := writeFile(t, t.TempDir(), "notes.txt", []byte("my notes\n"))
	b.do("attach", chromedp.SetUploadFiles(el(`.composer input[type=file]`), []string{note}))
	b.wait("its chip", wAll(".chips .chip")+`.length === 1`, 5*time.Second)
	b.do("failing message with a file", chromedp.SendKeys(el("#hp-input"), "a file, failing once"+kb.Enter))
	b.wait("failure shown", visible(".msg.failed .linkish"), 10*time.Second)
	b.do("retry", chromedp.Click(el(".msg.failed .linkish")))
	b.wait("retried message sent", wAll(".log .msg.mine:not(.pending)")+`.length === 3`, 10*time.Second)
	api.mu.Lock()
	ids, files := api.attempts["a file, failing once"], api.files["a file, failing once"]
	api.mu.Unlock()
	if len(ids) != 2 || ids[0] == "" || ids[0] != ids[1] || len(files) != 2 || files[0] != "notes.txt" || files[1] != "notes.txt" {
		t.Errorf("attempts of a message with a file: ids %q, files %q; want the same id and file twice", ids, files)
	}

	// 429: a clear message, then an automatic retry after Retry-After.
	b.do("rate-limited message", chromedp.SendKeys(el("#hp-input"), "slow down"+kb.Enter))
	b.wait("429 banner", visible(".banner"), 10*time.Second)
	if s := b.str(w(".banner") + `.textContent`); !strings.Contains(s, "too quickly") || !strings.Contains(s, "3 seconds") {
		t.Errorf("429 banner %q", s)
	}
	if v := b.str(w("#hp-input") + `.value`); v != "" {
		t.Errorf("composer after Enter holds %q, want it empty", v)
	}
	b.shot("rate-limited-banner")
	b.wait("automatic retry after Retry-After", wAll(".log .msg.mine:not(.pending)")+`.length === 4 && `+w(".banner")+`.hidden`, 10*time.Second)
	api.mu.Lock()
	ids = api.attempts["slow down"]
	api.mu.Unlock()
	if len(ids) != 2 || ids[0] != ids[1] {
		t.Errorf("429 retry attempts %q", ids)
	}

	// The stream is refused, so agent replies arrive by polling; while the
	// panel is closed they count as unread.
	b.do("close with Escape", chromedp.KeyEvent(kb.Escape))
	b.wait("panel closed", `!(`+visible(".panel")+`)`, 5*time.Second)
	if a := b.str(shadow + `.activeElement?.className`); a != "launcher" {
		t.Errorf("focus after Escape is on %q, want the launcher", a)
	}
	api.mu.Lock()
	api.add("agent", "An agent reply, **delivered** by polling: see [the guide](https://help.example/guide).\n\n"+
		"1. Open `Settings`\n2. Not [a link](javascript:window.__pwned='agent-link')\n\n"+
		"<img src=x onerror=\"window.__pwned='agent-img'\"><script>window.__pwned='agent-script'</script>", "")
	api.mu.Unlock()
	b.wait("unread badge", visible(".badge")+` && `+w(".badge")+`.textContent === "1"`, 15*time.Second)
	b.shot("unread-badge-polling")
	b.do("reopen", chromedp.Click(el(".launcher")))
	b.wait("agent reply", wAll(".log .msg[data-author=agent]")+`.length === 1`, 5*time.Second)
	b.wait("badge cleared", `!(`+visible(".badge")+`)`, 5*time.Second)
	b.shot("agent-reply-polling")
	// The agent's Markdown renders as the answers' safe subset: markup and
	// https links do, scripts, raw HTML and javascript: links stay inert.
	var reply struct {
		Strong, Code, Items, Links int
		Href, Text                 string
		Pwned                      any
	}
	b.eval(`(() => { const m = `+w(".log .msg[data-author=agent] .bubble")+`; const a = [...m.querySelectorAll("a")];
		return { Strong: m.querySelectorAll("strong").length, Code: m.querySelectorAll("code").length, Items: m.querySelectorAll("ol li").length,
			Links: a.length, Href: a.map(e => e.href).join(" "), Text: m.textContent, Pwned: window.__pwned ?? null } })()`, &reply)
	if reply.Strong != 1 || reply.Code != 1 || reply.Items != 2 || reply.Links != 1 || reply.Href != "https://help.example/guide" ||
		!strings.Contains(reply.Text, "<img src=x") || reply.Pwned != nil {
		t.Errorf("agent reply rendered as %+v", reply)
	}

	// Focus stays in the panel: Tab from the last control wraps to the first.
	var trap struct{ First, AfterTab string }
	b.eval(`(() => { const s = `+shadow+`; const f = [...s.querySelectorAll('.panel button, .panel textarea, .panel input, .panel a[href]')].filter(e => e.getClientRects().length && !e.closest('[hidden]'));
		f[f.length-1].focus(); return { First: f[0].getAttribute('aria-label') ?? f[0].id, AfterTab: '' } })()`, &trap)
	b.do("tab past the end", chromedp.KeyEvent(kb.Tab))
	trap.AfterTab = b.str(shadow + `.activeElement?.getAttribute("aria-label") ?? ` + shadow + `.activeElement?.id`)
	if trap.AfterTab != trap.First {
		t.Errorf("Tab from the last control went to %q, want %q (focus trap)", trap.AfterTab, trap.First)
	}

	// Events reached the host page.
	var events []string
	b.eval(`window.__events.map(e => e[0])`, &events)
	for _, want := range []string{"ready", "open", "close", "message", "unread", "error"} {
		if !contains(events, want) {
			t.Errorf("event %q never fired; got %v", want, events)
		}
	}

	// On a phone-sized screen the panel takes the whole viewport.
	b.do("phone viewport", chromedp.EmulateViewport(390, 760))
	var box struct{ W, H float64 }
	b.eval(`(() => { const r = `+w(".panel")+`.getBoundingClientRect(); return { W: r.width, H: r.height } })()`, &box)
	if box.W != 390 || box.H != 760 {
		t.Errorf("panel on a 390×760 screen is %v×%v, want full screen", box.W, box.H)
	}
	b.shot("phone")
	b.do("desktop viewport", chromedp.ResetViewport())

	// shutdown forgets the session.
	b.eval(`Helpium.shutdown()`, nil)
	var left struct {
		Stored string
		Host   bool
	}
	b.eval(`({ Stored: localStorage.getItem("helpium:pk_fake") ?? "", Host: !!document.querySelector("[data-helpium-widget]") })`, &left)
	if left.Stored != "" || left.Host {
		t.Errorf("after shutdown: %+v", left)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
