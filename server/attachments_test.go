package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/blob"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

type restAttachment struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Kind        string `json:"kind"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

type fileMessage struct {
	ID          string           `json:"id"`
	Body        string           `json:"body"`
	Attachments []restAttachment `json:"attachments"`
}

// padded returns n bytes of text.
func padded(n int) []byte { return bytes.Repeat([]byte("a"), n) }

func countRows(t *testing.T, app *apptest.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := app.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCustomerAttachments(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Files")
	key := o.Workspace.APIKey
	// A small limit keeps the boundary cheap to test.
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `mutation($w: ID!) { setAttachmentLimits(workspaceId: $w, input: {maxFileBytes: 4096, maxFilesPerMessage: 2, maxFilesPerConversation: 4}) { id } }`,
		map[string]any{"w": o.Workspace.ID}, nil))
	// The widget learns the limits from its settings, on both transports.
	var settings struct {
		Attachments struct {
			MaxFileBytes       int64    `json:"max_file_bytes"`
			MaxFilesPerMessage int      `json:"max_files_per_message"`
			AllowedKinds       []string `json:"allowed_kinds"`
		} `json:"attachments"`
	}
	app.Request(t, "GET", "/api/customer/widget/settings", key, nil).JSON(t, &settings)
	if a := settings.Attachments; a.MaxFileBytes != 4096 || a.MaxFilesPerMessage != 2 || len(a.AllowedKinds) != 5 {
		t.Errorf("REST widget settings attachments %+v, want 4096 bytes, 2 per message, every kind", a)
	}
	var gqlSettings struct {
		WidgetSettings struct {
			Attachments struct{ MaxFileBytes, MaxFilesPerConversation int }
		}
	}
	mustGraphQL(t, app.GraphQL(t, key, `{ widgetSettings { attachments { maxFileBytes maxFilesPerConversation } } }`, nil, &gqlSettings))
	if a := gqlSettings.WidgetSettings.Attachments; a.MaxFileBytes != 4096 || a.MaxFilesPerConversation != 4 {
		t.Errorf("GraphQL widget settings attachments %+v, want 4096 bytes, 4 per conversation", a)
	}
	_, token := startConversation(t, app, key, "I'll send a screenshot")
	path := "/api/customer/conversations/" + token + "/messages"

	// A message with an image and a text file, judged by their content.
	res := app.Multipart(t, "POST", path, key, map[string]string{"body": "here it is", "client_message_id": "m-1"}, []apptest.File{
		{Name: "screen shot.png", Type: "image/png", Data: pngBytes},
		{Name: "notes.txt", Type: "application/octet-stream", Data: []byte("hello <b>not html</b>\n")},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("send with files: %d %s", res.Status, res.Body)
	}
	var sent fileMessage
	res.JSON(t, &sent)
	if len(sent.Attachments) != 2 || sent.Attachments[0].Kind != "image" || sent.Attachments[0].Filename != "screen shot.png" ||
		sent.Attachments[1].ContentType != "text/plain; charset=utf-8" || sent.Attachments[1].Size != 22 {
		t.Fatalf("attachments: %s", res.Body)
	}

	// Downloads: the bytes as sent, images inline, everything else a
	// download, never sniffed, always sandboxed.
	for i, want := range []struct {
		data        []byte
		ctype, disp string
	}{
		{pngBytes, "image/png", `inline; filename="screen shot.png"`},
		{[]byte("hello <b>not html</b>\n"), "text/plain; charset=utf-8", `attachment; filename=notes.txt`},
	} {
		dl := app.Request(t, "GET", sent.Attachments[i].URL, "", nil)
		if dl.Status != 200 || !bytes.Equal(dl.Body, want.data) {
			t.Fatalf("download %d: %d %q", i, dl.Status, dl.Body)
		}
		h := dl.Header
		if h.Get("Content-Type") != want.ctype || h.Get("Content-Disposition") != want.disp || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("download %d headers: %v", i, h)
		}
	}

	// History and the retry: the same client message id with other files
	// returns the first message's files and keeps none of the retry's.
	retry := app.Multipart(t, "POST", path, key, map[string]string{"body": "here it is", "client_message_id": "m-1"}, []apptest.File{{Name: "other.png", Data: pngBytes}})
	var again fileMessage
	retry.JSON(t, &again)
	if retry.Status != http.StatusOK || again.ID != sent.ID || len(again.Attachments) != 2 || again.Attachments[0].ID != sent.Attachments[0].ID {
		t.Fatalf("retry: %d %s", retry.Status, retry.Body)
	}
	var page struct{ Messages []fileMessage }
	app.Request(t, "GET", path, key, nil).JSON(t, &page)
	if len(page.Messages) != 2 || len(page.Messages[0].Attachments) != 0 || page.Messages[0].Attachments == nil || len(page.Messages[1].Attachments) != 2 {
		t.Fatalf("history: %+v", page.Messages)
	}

	// Refusals name the file; a refused message stores none of its files.
	for _, c := range []struct {
		name   string
		files  []apptest.File
		status int
		code   string
		field  string
	}{
		{"just over the size limit", []apptest.File{{Name: "big.txt", Data: padded(4097)}}, 413, "payload_too_large", "files[0]"},
		{"html disguised by extension and type", []apptest.File{{Name: "shot.png", Type: "image/png", Data: []byte("<!doctype html><script>alert(1)</script>")}}, 422, "invalid_input", "files[0]"},
		{"svg as an image", []apptest.File{{Name: "a.txt", Data: pngBytes}, {Name: "logo.png", Type: "image/png", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)}}, 422, "invalid_input", "files[1]"},
		{"executable named pdf", []apptest.File{{Name: "invoice.pdf", Type: "application/pdf", Data: []byte("MZ\x90\x00\x03\x00\x00\x00")}}, 422, "invalid_input", "files[0]"},
		{"too many in one message", []apptest.File{{Name: "1.png", Data: pngBytes}, {Name: "2.png", Data: pngBytes}, {Name: "3.png", Data: pngBytes}}, 422, "invalid_input", "files"},
		{"another field name", []apptest.File{{Field: "file", Name: "1.png", Data: pngBytes}}, 422, "invalid_input", "file"},
		{"no body and no file", nil, 422, "invalid_input", "body"},
	} {
		res := app.Multipart(t, "POST", path, key, nil, c.files)
		checkEnvelope(t, c.name, res, c.status, c.code, c.field)
	}
	// At the limit exactly, and a file alone without text.
	res = app.Multipart(t, "POST", path, key, nil, []apptest.File{{Name: "exact.txt", Data: padded(4096)}})
	if res.Status != http.StatusCreated {
		t.Fatalf("a file at the limit: %d %s", res.Status, res.Body)
	}
	checkEnvelope(t, "over the conversation's limit", app.Multipart(t, "POST", path, key, nil, []apptest.File{{Name: "1.png", Data: pngBytes}, {Name: "2.png", Data: pngBytes}}),
		422, "invalid_input", "files")
	if n := countRows(t, app, "SELECT count(*) FROM attachments"); n != 3 {
		t.Errorf("%d attachment rows, want the 3 of stored messages", n)
	}

	// Links: tampered, foreign or unsigned ones find nothing.
	u := sent.Attachments[0].URL
	for _, bad := range []string{
		strings.Replace(u, "signature=", "signature=A", 1),
		strings.Replace(u, "expires=", "expires=1", 1),
		"/files/" + sent.Attachments[0].ID,
		strings.Replace(u, sent.Attachments[0].ID, sent.Attachments[1].ID, 1),
		"/files/not-a-uuid?expires=1&signature=x",
	} {
		checkEnvelope(t, "link "+bad, app.Request(t, "GET", bad, "", nil), 404, "not_found", "")
	}

	// JSON bodies still work, and a multipart start carries files too.
	res = app.Multipart(t, "POST", "/api/customer/conversations", key, map[string]string{"message": ""}, []apptest.File{{Name: "receipt.pdf", Data: []byte("%PDF-1.4\n%âãÏÓ\n")}})
	var created struct {
		Message fileMessage `json:"message"`
	}
	res.JSON(t, &created)
	if res.Status != http.StatusCreated || len(created.Message.Attachments) != 1 || created.Message.Attachments[0].Kind != "pdf" {
		t.Fatalf("start with a file: %d %s", res.Status, res.Body)
	}
}

// uploadGraphQL runs a mutation with files as the GraphQL multipart
// request spec says: files map to variables.files.N.
func uploadGraphQL(t *testing.T, app *apptest.App, token, query string, vars map[string]any, files []apptest.File, out any) []apptest.GraphQLError {
	t.Helper()
	nulls, mapping := make([]any, len(files)), map[string][]string{}
	for i := range files {
		files[i].Field = string(rune('0' + i))
		mapping[files[i].Field] = []string{"variables.files." + files[i].Field}
	}
	vars["files"] = nulls
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	m, _ := json.Marshal(mapping)
	res := app.Multipart(t, "POST", "/graphql", "", map[string]string{"operations": string(ops), "map": string(m)}, files,
		"Authorization", "Bearer "+token)
	var body struct {
		Data   json.RawMessage
		Errors []apptest.GraphQLError
	}
	res.JSON(t, &body)
	if out != nil && len(body.Errors) == 0 {
		if err := json.Unmarshal(body.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return body.Errors
}

func TestAgentAttachments(t *testing.T) {
	app := apptest.New(t, service.Options{})
	o := app.Owned(t, "Agents")
	other := app.Owned(t, "Other")
	id, token := startConversation(t, app, o.Workspace.APIKey, "Can you send the invoice?")

	var reply struct {
		ReplyToConversation struct {
			Message struct {
				Attachments []struct {
					Filename, ContentType, Kind, URL string
					Inline                           bool
				}
			}
		}
	}
	mustGraphQL(t, uploadGraphQL(t, app, o.Token, `mutation($c: ID!, $files: [Upload!]) { replyToConversation(input: {conversationId: $c, body: "Here you go", files: $files}) {
		message { attachments { filename contentType kind url inline } } } }`, map[string]any{"c": id},
		[]apptest.File{{Name: "invoice.pdf", Data: []byte("%PDF-1.7\n")}, {Name: "logo.png", Data: pngBytes}}, &reply))
	atts := reply.ReplyToConversation.Message.Attachments
	if len(atts) != 2 || atts[0].Kind != "PDF" || atts[0].Inline || !atts[1].Inline {
		t.Fatalf("reply attachments: %+v", atts)
	}
	// A note's file never reaches the widget; the reply's does.
	mustGraphQL(t, uploadGraphQL(t, app, o.Token, `mutation($c: ID!, $files: [Upload!]) { addInternalNote(input: {conversationId: $c, body: "", files: $files}) { id } }`,
		map[string]any{"c": id}, []apptest.File{{Name: "internal.txt", Data: []byte("agents only")}}, nil))
	var page struct{ Messages []fileMessage }
	app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages", o.Workspace.APIKey, nil).JSON(t, &page)
	if len(page.Messages) != 2 || len(page.Messages[1].Attachments) != 2 || strings.Contains(fmt.Sprint(page), "internal.txt") {
		t.Fatalf("widget history: %+v", page.Messages)
	}
	if dl := app.Request(t, "GET", atts[0].URL, "", nil); dl.Status != 200 || string(dl.Body) != "%PDF-1.7\n" || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %v", dl.Status, dl.Header)
	}
	// The dashboard reads every file through the dataloader.
	var conv struct {
		Conversation struct {
			Messages struct {
				Edges []struct {
					Node struct{ Attachments []struct{ Filename string } }
				}
			}
		}
	}
	mustGraphQL(t, app.AgentGraphQL(t, o.Token, `query($c: ID!) { conversation(id: $c) { messages { edges { node { attachments { filename } } } } } }`, map[string]any{"c": id}, &conv))
	var names []string
	for _, e := range conv.Conversation.Messages.Edges {
		for _, a := range e.Node.Attachments {
			names = append(names, a.Filename)
		}
	}
	if strings.Join(names, ",") != "invoice.pdf,logo.png,internal.txt" {
		t.Errorf("dashboard attachments: %v", names)
	}
	// Another workspace's agent cannot attach to the conversation.
	errs := uploadGraphQL(t, app, other.Token, `mutation($c: ID!, $files: [Upload!]) { replyToConversation(input: {conversationId: $c, body: "x", files: $files}) { created } }`,
		map[string]any{"c": id}, []apptest.File{{Name: "a.png", Data: pngBytes}}, nil)
	if len(errs) == 0 || errs[0].Code() != "not_found" {
		t.Errorf("other workspace: %+v", errs)
	}
	if n := countRows(t, app, "SELECT count(*) FROM attachments"); n != 3 {
		t.Errorf("%d attachment rows, want 3", n)
	}
	// A refused file is refused on GraphQL too, naming it.
	errs = uploadGraphQL(t, app, o.Token, `mutation($c: ID!, $files: [Upload!]) { replyToConversation(input: {conversationId: $c, body: "x", files: $files}) { created } }`,
		map[string]any{"c": id}, []apptest.File{{Name: "page.html", Data: []byte("<html><body>hi</body></html>")}}, nil)
	if len(errs) == 0 || errs[0].Code() != "invalid_input" || errs[0].Extensions["field"] != "input.files[0]" {
		t.Errorf("html on GraphQL: %+v", errs)
	}
}

// A crash between storing a file and its message leaves a pending row and
// its bytes; the sweep deletes both once they are old enough, and leaves
// the files of messages alone.
func TestAttachmentSweep(t *testing.T) {
	dir := t.TempDir()
	store, err := blob.NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	app := apptest.New(t, service.Options{Blobs: store})
	ws := app.Workspace(t, "Sweep")
	_, token := startConversation(t, app, ws.APIKey, "hi")
	res := app.Multipart(t, "POST", "/api/customer/conversations/"+token+"/messages", ws.APIKey, nil, []apptest.File{{Name: "kept.png", Data: pngBytes}})
	if res.Status != http.StatusCreated {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	ctx := context.Background()
	orphan := func(age time.Duration) string {
		id := uuid.Must(uuid.NewV7()).String()
		key := helpium.AttachmentKey(ws.ID, id)
		if err := store.Put(ctx, key, bytes.NewReader(pngBytes), int64(len(pngBytes)), "image/png"); err != nil {
			t.Fatal(err)
		}
		if _, err := app.DB.ExecContext(ctx, `INSERT INTO attachments (id, workspace_id, filename, content_type, kind, size, sha256, blob_key, created_at)
			VALUES (?, ?, 'lost.png', 'image/png', 'image', ?, '\x00', ?, now() - ?::interval)`, id, ws.ID, len(pngBytes), key, age.String()); err != nil {
			t.Fatal(err)
		}
		return key
	}
	old, recent := orphan(2*time.Hour), orphan(time.Minute)
	n, err := app.Service.Files.SweepAttachments(ctx)
	if err != nil || n != 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	exists := func(key string) bool {
		_, err := os.Stat(filepath.Join(dir, "objects", filepath.FromSlash(key)))
		return err == nil
	}
	if exists(old) || !exists(recent) {
		t.Errorf("after the sweep: old file there %v, recent file there %v", exists(old), exists(recent))
	}
	if n := countRows(t, app, "SELECT count(*) FROM attachments"); n != 2 {
		t.Errorf("%d rows, want the message's file and the recent upload", n)
	}
	var page struct{ Messages []fileMessage }
	app.Request(t, "GET", "/api/customer/conversations/"+token+"/messages", ws.APIKey, nil).JSON(t, &page)
	if dl := app.Request(t, "GET", page.Messages[1].Attachments[0].URL, "", nil); dl.Status != 200 {
		t.Errorf("the message's file after the sweep: %d", dl.Status)
	}
}
