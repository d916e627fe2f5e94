package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/blob"
)

// The attachment workloads. Uploads: a customer's message with a 1 MB file
// (multipart, as the widget sends it) against the same message without a
// file (JSON), on the disk store and, when devstack started versitygw
// (-s3), on S3 through a second helpium serve; next to them the store's
// own Put of the same megabyte from the benchmark process. History: a
// conversation of 50 messages with 1–2 files each against one of 50
// messages without files, through the Customer API's message listing and
// the agents' GraphQL conversation query.

// uploadSize is the uploaded file: 1 MB, as the report counts megabytes.
const uploadSize = 1 << 20

// uploadConversations is how many conversations the uploads spread over:
// every round stays far below a conversation's limit of files.
const uploadConversations = 16

// formFile is a file of a multipart form.
type formFile struct {
	name string
	data []byte
}

// multipartBody encodes fields and files (form field "files") as
// multipart/form-data, as a browser's FormData does.
func multipartBody(fields map[string]string, files []formFile) ([]byte, string) {
	var buf bytes.Buffer
	size := 1024
	for _, f := range files {
		size += len(f.data) + 256
	}
	buf.Grow(size)
	w := multipart.NewWriter(&buf)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		w.WriteField(k, fields[k])
	}
	for _, f := range files {
		part, _ := w.CreateFormFile("files", f.name)
		part.Write(f.data)
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// logFile is n bytes of a server log: UTF-8 text, so Helpium stores it as
// a text file.
func logFile(n int) []byte {
	var b bytes.Buffer
	b.Grow(n + 100)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "2026-12-04T20:%02d:%02dZ INFO checkout: request %06d for /cart/items served in %d ms\n", i/60%60, i%60, i, i%97)
	}
	return b.Bytes()[:n]
}

// screenshot is a small PNG.
func screenshot(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range 16 {
		img.Set(i, i, color.RGBA{uint8(seed), 80, 160, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// allowFiles raises the workspace's files per conversation to the most
// allowed, so that no workload is refused by the limit.
func (h *harness) allowFiles(ctx context.Context, ws *workspace) error {
	var out struct{ SetAttachmentLimits struct{ ID string } }
	return h.graphQL(ctx, ws.token, `mutation($w: ID!, $n: Int!) { setAttachmentLimits(workspaceId: $w, input: {maxFilesPerConversation: $n}) { id } }`,
		map[string]any{"w": ws.id, "n": helpium.MaxFilesPerConversationLimit}, &out)
}

// uploads: a message with a 1 MB file on the disk store, then on S3 when
// devstack runs versitygw on loopback.
func (h *harness) uploads(ctx context.Context) error {
	ws, err := h.newWorkspace(ctx, "bench uploads")
	if err != nil {
		return err
	}
	if err := h.allowFiles(ctx, ws); err != nil {
		return err
	}
	tokens := make([]string, uploadConversations)
	for i := range tokens {
		var out struct {
			WidgetToken string `json:"widget_token"`
		}
		if err := h.customerPost(ctx, ws.key, "/conversations", map[string]any{"message": fmt.Sprintf("Upload conversation %d", i)}, &out, http.StatusCreated); err != nil {
			return err
		}
		tokens[i] = out.WidgetToken
	}
	disk, err := blob.NewDisk(h.blobDir)
	if err != nil {
		return err
	}
	if err := h.measureUploads(ctx, "upload-disk", "disk", h.srv, disk, ws, tokens); err != nil {
		return err
	}

	endpoint := os.Getenv("HELPIUM_S3_ENDPOINT")
	if u, err := url.Parse(endpoint); endpoint == "" || err != nil || !isLoopback(u.Hostname()) {
		logf("uploads: no S3 store on loopback (HELPIUM_S3_ENDPOINT %q; devstack -s3 starts one): disk only", endpoint)
		return nil
	}
	s3, err := blob.NewS3(ctx, blob.S3Options{Endpoint: endpoint, Region: os.Getenv("HELPIUM_S3_REGION"), Bucket: os.Getenv("HELPIUM_S3_BUCKET"),
		AccessKeyID: os.Getenv("HELPIUM_S3_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("HELPIUM_S3_SECRET_ACCESS_KEY")})
	if err != nil {
		return err
	}
	t0 := time.Now()
	srv, err := h.startHelpium(ctx, filepath.Join(h.dataDir, "logs", "helpium-bench-s3.log"), "HELPIUM_BLOB_STORE=s3")
	if err != nil {
		return err
	}
	defer srv.stop()
	h.r.setup("start helpium serve with the S3 store", time.Since(t0))
	return h.measureUploads(ctx, "upload-s3", "S3 (versitygw)", srv, s3, ws, tokens)
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// measureUploads alternates rounds of the message without a file, the
// store's Put alone and the message with the file, on server srv whose
// blob store is store; the files written are deleted afterwards.
func (h *harness) measureUploads(ctx context.Context, key, storeName string, srv *subprocess, store blob.Store, ws *workspace, tokens []string) error {
	defer func() {
		if err := store.DeletePrefix(context.WithoutCancel(ctx), helpium.WorkspaceBlobPrefix(ws.id)); err != nil {
			logf("uploads: delete the %s store's files: %v", storeName, err)
		}
	}()
	file := logFile(uploadSize)
	if kind, _, ok := helpium.SniffAttachment("checkout.log", file); !ok || kind != helpium.KindText {
		return fmt.Errorf("uploads: the file sniffs as %q, not text", kind)
	}
	c := httpClient(h.o.uploadConc)
	nonce := uuid.NewString()[:8]
	var serial atomic.Int64 // client message ids stay unique across rounds and warm-ups
	message := func() (path, text, id string) {
		i := serial.Add(1)
		return "http://" + srv.addr + "/api/customer/conversations/" + tokens[int(i)%len(tokens)] + "/messages",
			fmt.Sprintf("Benchmark upload %d: the log you asked for.", i), fmt.Sprintf("u-%s-%d", nonce, i)
	}
	ours := func(ctx context.Context, _ int, _ int64) error {
		path, text, id := message()
		body, contentType := multipartBody(map[string]string{"body": text, "client_message_id": id}, []formFile{{"checkout.log", file}})
		return do(ctx, c, http.MethodPost, path, map[string]string{"X-API-Key": ws.key, "Content-Type": contentType}, body, http.StatusCreated)
	}
	base := func(ctx context.Context, _ int, _ int64) error {
		path, text, id := message()
		body, _ := json.Marshal(map[string]string{"body": text, "client_message_id": id})
		return do(ctx, c, http.MethodPost, path, map[string]string{"X-API-Key": ws.key, "Content-Type": "application/json"}, body, http.StatusCreated)
	}
	put := func(ctx context.Context, _ int, _ int64) error {
		return store.Put(ctx, helpium.AttachmentKey(ws.id, uuid.NewString()), bytes.NewReader(file), uploadSize, "text/plain; charset=utf-8")
	}
	conc := h.o.uploadConc
	var b, o, alone sample
	for r := range h.o.rounds {
		logf("uploads %s: baseline round %d", storeName, r+1)
		b.add(measure(ctx, srv.p, conc, h.o.warm, h.o.dur, h.o.maxOps, base))
		logf("uploads %s: store alone round %d", storeName, r+1)
		alone.add(measure(ctx, proc{}, conc, h.o.warm, h.o.dur, h.o.maxUploads, put))
		logf("uploads %s: helpium round %d", storeName, r+1)
		wait := func() {}
		if r == 0 {
			wait = h.profile(srv, key, h.o.dur+h.o.warm)
		}
		o.add(measure(ctx, srv.p, conc, h.o.warm, h.o.dur, h.o.maxUploads, ours))
		wait()
	}
	h.r.add(row{key: key, name: fmt.Sprintf("POST …/conversations/{token}/messages with a 1 MB text file, %s store", storeName),
		baseline: "the same message without a file (JSON)", conc: conc, ours: o, base: b, hasBase: true, baseIsServer: true,
		unit: "MB", perOp: uploadSize >> 20, alone: &alone, aloneName: "the store's Put of the same 1 MB alone, from the benchmark process"})
	if err := checkErrors("uploads baseline", b); err != nil {
		return err
	}
	if err := checkErrors("store alone", alone); err != nil {
		return err
	}
	return checkErrors("uploads", o)
}

// historyMessages is the length of the conversations the history reads:
// one page of the default size.
const historyMessages = helpium.DefaultMessagePageSize

// historyQuery is the agent app's thread: a conversation's messages with
// their files; historyQueryNoFiles the same without asking for files.
const (
	historyQuery = `query($id: ID!) { conversation(id: $id) { messages(first: 50) { edges { node {
	id author body createdAt internal attachments { id filename contentType kind size inline url createdAt } } } } } }`
	historyQueryNoFiles = `query($id: ID!) { conversation(id: $id) { messages(first: 50) { edges { node {
	id author body createdAt internal } } } } }`
)

// historyConversation is a conversation seeded for the history workload.
type historyConversation struct {
	token, id string
	files     int
}

// seedHistory starts a conversation of historyMessages messages through
// the Customer API, each with a text file and every other one also with a
// PNG when withFiles.
func (h *harness) seedHistory(ctx context.Context, ws *workspace, withFiles bool) (historyConversation, error) {
	var c historyConversation
	for i := range historyMessages {
		text := fmt.Sprintf("Message %d: the checkout page still shows the old price.", i+1)
		var files []formFile
		if withFiles {
			files = append(files, formFile{fmt.Sprintf("order-%d.txt", i), logFile(300)})
			if i%2 == 1 {
				files = append(files, formFile{fmt.Sprintf("screenshot-%d.png", i), screenshot(i)})
			}
			c.files += len(files)
		}
		if i == 0 {
			var out struct {
				Conversation struct{ ID string }
				WidgetToken  string `json:"widget_token"`
			}
			if err := h.customerForm(ctx, ws.key, "/conversations", map[string]string{"message": text}, files, &out, http.StatusCreated); err != nil {
				return c, err
			}
			c.token, c.id = out.WidgetToken, out.Conversation.ID
			continue
		}
		if err := h.customerForm(ctx, ws.key, "/conversations/"+c.token+"/messages", map[string]string{"body": text}, files, nil, http.StatusCreated); err != nil {
			return c, err
		}
	}
	return c, nil
}

// history: the same page of 50 messages with and without files, through
// REST and GraphQL.
func (h *harness) history(ctx context.Context) error {
	ws, err := h.newWorkspace(ctx, "bench history")
	if err != nil {
		return err
	}
	if err := h.allowFiles(ctx, ws); err != nil {
		return err
	}
	t0 := time.Now()
	plain, err := h.seedHistory(ctx, ws, false)
	if err != nil {
		return err
	}
	files, err := h.seedHistory(ctx, ws, true)
	if err != nil {
		return err
	}
	h.r.setup(fmt.Sprintf("two conversations of %d messages, one with %d files", historyMessages, files.files), time.Since(t0))

	// Check once that both transports list every message and file.
	restPath := func(c historyConversation) string {
		return fmt.Sprintf("/api/customer/conversations/%s/messages?limit=%d", c.token, historyMessages)
	}
	for _, c := range []historyConversation{plain, files} {
		var page struct {
			Messages []struct{ Attachments []json.RawMessage }
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.base+restPath(c), nil)
		req.Header.Set("X-API-Key", ws.key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("history REST: %w", err)
		}
		var gql struct {
			Conversation struct {
				Messages struct {
					Edges []struct {
						Node struct{ Attachments []json.RawMessage }
					}
				}
			}
		}
		if err := h.graphQL(ctx, ws.token, historyQuery, map[string]any{"id": c.id}, &gql); err != nil {
			return err
		}
		restFiles, gqlFiles := 0, 0
		for _, m := range page.Messages {
			restFiles += len(m.Attachments)
		}
		for _, e := range gql.Conversation.Messages.Edges {
			gqlFiles += len(e.Node.Attachments)
		}
		if len(page.Messages) != historyMessages || len(gql.Conversation.Messages.Edges) != historyMessages || restFiles != c.files || gqlFiles != c.files {
			return fmt.Errorf("history: REST %d messages, %d files; GraphQL %d messages, %d files; want %d, %d",
				len(page.Messages), restFiles, len(gql.Conversation.Messages.Edges), gqlFiles, historyMessages, c.files)
		}
	}

	conc := h.o.historyConc
	c := httpClient(conc)
	hdr := map[string]string{"X-API-Key": ws.key}
	get := func(conv historyConversation) op {
		url := h.base + restPath(conv)
		return func(ctx context.Context, _ int, _ int64) error {
			return do(ctx, c, http.MethodGet, url, hdr, nil, http.StatusOK)
		}
	}
	b, o := h.rounds(ctx, "history REST", conc, h.srv.p, get(plain), h.srv.p, get(files))
	h.r.add(row{key: "history-rest", name: fmt.Sprintf("GET …/conversations/{token}/messages: %d messages with %d files (1–2 each)", historyMessages, files.files),
		baseline: fmt.Sprintf("the same request, %d messages without files", historyMessages), conc: conc, ours: o, base: b, hasBase: true, baseIsServer: true})
	if err := checkErrors("history REST without files", b); err != nil {
		return err
	}
	if err := checkErrors("history REST", o); err != nil {
		return err
	}
	query := func(q string, conv historyConversation) op {
		return h.graphQLOp(c, ws.token, q, map[string]any{"id": conv.id})
	}
	b, o = h.rounds(ctx, "history GraphQL", conc, h.srv.p, query(historyQuery, plain), h.srv.p, query(historyQuery, files))
	h.r.add(row{key: "history-graphql", name: fmt.Sprintf("GraphQL conversation: %d messages with attachments { … }, %d files (1–2 each)", historyMessages, files.files),
		baseline: fmt.Sprintf("the same query, %d messages without files", historyMessages), conc: conc, ours: o, base: b, hasBase: true, baseIsServer: true})
	if err := checkErrors("history GraphQL without files", b); err != nil {
		return err
	}
	if err := checkErrors("history GraphQL", o); err != nil {
		return err
	}
	// What asking for the files costs where there are none.
	b, o = h.rounds(ctx, "history GraphQL field", conc, h.srv.p, query(historyQueryNoFiles, plain), h.srv.p, query(historyQuery, plain))
	h.r.add(row{key: "history-graphql-field", name: fmt.Sprintf("GraphQL conversation: %d messages with attachments { … }, no files", historyMessages),
		baseline: "the same query without attachments { … }", conc: conc, ours: o, base: b, hasBase: true, baseIsServer: true})
	if err := checkErrors("history GraphQL without the field", b); err != nil {
		return err
	}
	return checkErrors("history GraphQL field", o)
}
