package helpium

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

func zipWith(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Files as a client might send them: the name and the bytes disagree on
// purpose; only the bytes count.
func TestSniffAttachment(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")
	for _, c := range []struct {
		name     string
		filename string
		data     []byte
		kind     AttachmentKind
		ctype    string
	}{
		{"png", "shot.png", png, KindImage, "image/png"},
		{"png named .pdf", "invoice.pdf", png, KindImage, "image/png"},
		{"jpeg", "a.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), KindImage, "image/jpeg"},
		{"gif", "a.gif", []byte("GIF89a\x01\x00\x01\x00"), KindImage, "image/gif"},
		{"pdf", "invoice.pdf", []byte("%PDF-1.7\n1 0 obj\n"), KindPDF, "application/pdf"},
		{"text", "notes.txt", []byte("Order 1234 never arrived.\n"), KindText, "text/plain; charset=utf-8"},
		{"text, unicode", "notes.txt", []byte("Commande n° 1234 — reçue ✓\n"), KindText, "text/plain; charset=utf-8"},
		{"csv", "export.csv", []byte("order,amount\n1234,9.99\n"), KindCSV, "text/csv; charset=utf-8"},
		{"csv named .CSV", "EXPORT.CSV", []byte("a,b\n"), KindCSV, "text/csv; charset=utf-8"},
		{"docx", "letter.docx", zipWith(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}),
			KindOffice, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"xlsx named .zip", "book.zip", zipWith(t, map[string]string{"xl/workbook.xml": "<workbook/>"}),
			KindOffice, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"odt", "letter.odt", zipWith(t, map[string]string{"mimetype": "application/vnd.oasis.opendocument.text"}),
			KindOffice, "application/vnd.oasis.opendocument.text"},
		{"legacy xls", "old.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), KindOffice, "application/vnd.ms-excel"},
		{"html named .png", "shot.png", []byte("<!DOCTYPE html><script>alert(1)</script>"), "", ""},
		{"html named .txt", "notes.txt", []byte("<html><body onload=alert(1)>"), "", ""},
		{"svg named .png", "logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "", ""},
		{"svg after text", "notes.txt", []byte("hello\n<svg onload=alert(1)>"), "", ""},
		{"xml prolog", "data.txt", []byte(`<?xml version="1.0"?><svg/>`), "", ""},
		{"plain zip", "files.zip", zipWith(t, map[string]string{"a.txt": "a"}), "", ""},
		{"executable", "setup.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), "", ""},
		{"ELF", "a.txt", []byte("\x7fELF\x02\x01\x01\x00"), "", ""},
		{"invalid UTF-8 text", "a.txt", []byte("abc\xff\xfe def"), "", ""},
	} {
		kind, ctype, ok := SniffAttachment(c.filename, c.data)
		if ok != (c.kind != "") || kind != c.kind || ctype != c.ctype {
			t.Errorf("%s: got %q %q %v, want %q %q", c.name, kind, ctype, ok, c.kind, c.ctype)
		}
	}
}

func TestCleanFilename(t *testing.T) {
	long := strings.Repeat("é", 300) + ".pdf"
	for _, c := range []struct{ in, want string }{
		{"invoice.pdf", "invoice.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\ann\shot.png`, "shot.png"},
		{"a\"b\r\nContent-Type: x.txt", "a_b__Content-Type: x.txt"},
		{"re\u202egnp.exe", "re_gnp.exe"},
		{"", "file"},
		{"..", "file"},
		{" .hidden ", "hidden"},
		{long, strings.Repeat("é", MaxFilenameLength-4) + ".pdf"},
	} {
		if got := CleanFilename(c.in); got != c.want {
			t.Errorf("CleanFilename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAttachmentLimits(t *testing.T) {
	for _, c := range []struct {
		name  string
		l     AttachmentLimits
		field string
	}{
		{"defaults", AttachmentLimits{}, ""},
		{"largest", AttachmentLimits{MaxFileBytes: MaxFileBytesLimit, MaxFilesPerMessage: MaxFilesPerMessageLimit, MaxFilesPerConversation: MaxFilesPerConversationLimit}, ""},
		{"file too large", AttachmentLimits{MaxFileBytes: MaxFileBytesLimit + 1}, "maxFileBytes"},
		{"negative", AttachmentLimits{MaxFilesPerMessage: -1}, "maxFilesPerMessage"},
		{"per conversation", AttachmentLimits{MaxFilesPerConversation: MaxFilesPerConversationLimit + 1}, "maxFilesPerConversation"},
		{"unknown kind", AttachmentLimits{AllowedKinds: []AttachmentKind{KindPDF, "exe"}}, "allowedKinds"},
	} {
		if got := ErrorField(c.l.Validate()); got != c.field {
			t.Errorf("%s: field %q, want %q", c.name, got, c.field)
		}
	}
	only := AttachmentLimits{AllowedKinds: []AttachmentKind{KindImage}}
	if !only.Allows(KindImage) || only.Allows(KindPDF) {
		t.Error("AllowedKinds [image] must allow images and nothing else")
	}
	if e := (AttachmentLimits{}).Effective(); e.MaxFileBytes != DefaultMaxFileBytes || !e.Allows(KindOffice) {
		t.Errorf("defaults: %+v", e)
	}
}
