package helpium

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Attachment is a file sent with a message. Its bytes live in the blob
// store under Key; clients fetch them from URL, a short-lived signed link
// through Helpium.
type Attachment struct {
	ID             string         `json:"id"`
	WorkspaceID    string         `json:"-"`
	ConversationID string         `json:"-"`
	MessageID      string         `json:"-"`
	Filename       string         `json:"filename"`
	ContentType    string         `json:"content_type"`
	Kind           AttachmentKind `json:"kind"`
	Size           int64          `json:"size"`
	SHA256         []byte         `json:"-"`
	Key            string         `json:"-"`
	CreatedAt      time.Time      `json:"created_at"`
	// URL downloads the file; set by the service when it returns the
	// attachment: a path on the Helpium server, valid for at least an hour.
	URL string `json:"url"`
}

// Inline reports whether the file may be shown in the page (raster images);
// everything else is served as a download.
func (a *Attachment) Inline() bool { return a.Kind == KindImage }

// AttachmentKind is the family of a file, judged by its content.
type AttachmentKind string

// Attachment kinds a workspace may allow.
const (
	KindImage  AttachmentKind = "image"  // PNG, JPEG, GIF, WebP, BMP
	KindPDF    AttachmentKind = "pdf"    // PDF documents
	KindText   AttachmentKind = "text"   // plain UTF-8 text
	KindCSV    AttachmentKind = "csv"    // text named .csv
	KindOffice AttachmentKind = "office" // Word, Excel, PowerPoint, OpenDocument
)

// AttachmentKinds lists every kind, in the order settings show them.
var AttachmentKinds = []AttachmentKind{KindImage, KindPDF, KindText, KindCSV, KindOffice}

// Valid reports whether k is a known kind.
func (k AttachmentKind) Valid() bool {
	for _, v := range AttachmentKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Attachment limits: defaults and the bounds an admin may set.
const (
	DefaultMaxFileBytes            = 10 << 20
	MaxFileBytesLimit              = 25 << 20
	DefaultMaxFilesPerMessage      = 5
	MaxFilesPerMessageLimit        = 10
	DefaultMaxFilesPerConversation = 50
	MaxFilesPerConversationLimit   = 1000
	MaxFilenameLength              = 200
)

// MaxUploadBytes bounds one request carrying files: the most files a
// message may ever have at the largest size, plus room for the rest of the
// form. Per-workspace limits are checked below it.
const MaxUploadBytes = MaxFilesPerMessageLimit*MaxFileBytesLimit + 1<<20

// AttachmentLimits are a workspace's attachment settings. Zero values mean
// the defaults; an empty AllowedKinds allows every kind.
type AttachmentLimits struct {
	MaxFileBytes            int64            `json:"max_file_bytes,omitempty"`
	MaxFilesPerMessage      int              `json:"max_files_per_message,omitempty"`
	MaxFilesPerConversation int              `json:"max_files_per_conversation,omitempty"`
	AllowedKinds            []AttachmentKind `json:"allowed_kinds,omitempty"`
}

// Effective returns l with zero values replaced by the defaults.
func (l AttachmentLimits) Effective() AttachmentLimits {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxFilesPerMessage <= 0 {
		l.MaxFilesPerMessage = DefaultMaxFilesPerMessage
	}
	if l.MaxFilesPerConversation <= 0 {
		l.MaxFilesPerConversation = DefaultMaxFilesPerConversation
	}
	if len(l.AllowedKinds) == 0 {
		l.AllowedKinds = AttachmentKinds
	}
	return l
}

// Allows reports whether kind k may be attached.
func (l AttachmentLimits) Allows(k AttachmentKind) bool {
	for _, v := range l.Effective().AllowedKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Validate returns EInvalid naming the first setting out of range.
func (l AttachmentLimits) Validate() error {
	switch {
	case l.MaxFileBytes < 0 || l.MaxFileBytes > MaxFileBytesLimit:
		return Invalid("maxFileBytes", "maxFileBytes must be between 1 and %d; 0 or null means the default (%d)", MaxFileBytesLimit, DefaultMaxFileBytes)
	case l.MaxFilesPerMessage < 0 || l.MaxFilesPerMessage > MaxFilesPerMessageLimit:
		return Invalid("maxFilesPerMessage", "maxFilesPerMessage must be between 1 and %d; 0 or null means the default (%d)", MaxFilesPerMessageLimit, DefaultMaxFilesPerMessage)
	case l.MaxFilesPerConversation < 0 || l.MaxFilesPerConversation > MaxFilesPerConversationLimit:
		return Invalid("maxFilesPerConversation", "maxFilesPerConversation must be between 1 and %d; 0 or null means the default (%d)", MaxFilesPerConversationLimit, DefaultMaxFilesPerConversation)
	}
	for _, k := range l.AllowedKinds {
		if !k.Valid() {
			return Invalid("allowedKinds", "allowedKinds: %q is not a kind of file (image, pdf, text, csv, office)", truncate(string(k), 40))
		}
	}
	return nil
}

// Upload is a file as a client sent it, before it is checked.
type Upload struct {
	Filename string
	// DeclaredType is the client's Content-Type; never trusted, kept only
	// for the refusal message.
	DeclaredType string
	Content      io.Reader
}

// SniffAttachment judges a file by its content (never by its name or
// declared type alone) and returns its kind and the Content-Type Helpium
// serves it with. ok is false for anything not allowed in a conversation:
// HTML, SVG, scripts, executables, archives, unknown binaries.
func SniffAttachment(filename string, data []byte) (kind AttachmentKind, contentType string, ok bool) {
	sniffed, _, _ := strings.Cut(http.DetectContentType(data), ";")
	switch sniffed {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp":
		return KindImage, sniffed, true
	case "application/pdf":
		return KindPDF, sniffed, true
	case "text/plain":
		if !utf8.Valid(data) || looksLikeMarkup(data) {
			return "", "", false
		}
		if strings.EqualFold(path.Ext(filename), ".csv") {
			return KindCSV, "text/csv; charset=utf-8", true
		}
		return KindText, "text/plain; charset=utf-8", true
	case "application/zip":
		if ct := officeZipType(data); ct != "" {
			return KindOffice, ct, true
		}
	case "application/octet-stream":
		if bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
			// The compound file of Word 97-2003, Excel and PowerPoint.
			return KindOffice, legacyOfficeType(filename), true
		}
	}
	return "", "", false
}

// looksLikeMarkup catches SVG and HTML that the sniffer calls text because
// something precedes the first tag.
func looksLikeMarkup(data []byte) bool {
	head := bytes.ToLower(data[:min(len(data), 1024)])
	for _, tag := range []string{"<svg", "<html", "<script", "<!doctype", "<?xml", "<body", "<iframe"} {
		if bytes.Contains(head, []byte(tag)) {
			return true
		}
	}
	return false
}

// officeZipType tells Office Open XML and OpenDocument files from other zip
// archives by the entries they must have.
func officeZipType(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	for _, f := range zr.File {
		switch {
		case strings.HasPrefix(f.Name, "word/"):
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		case strings.HasPrefix(f.Name, "xl/"):
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case strings.HasPrefix(f.Name, "ppt/"):
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		case f.Name == "mimetype":
			rc, err := f.Open()
			if err != nil {
				return ""
			}
			b, _ := io.ReadAll(io.LimitReader(rc, 100))
			rc.Close()
			if mt := string(b); strings.HasPrefix(mt, "application/vnd.oasis.opendocument.") {
				return mt
			}
			return ""
		}
	}
	return ""
}

func legacyOfficeType(filename string) string {
	switch strings.ToLower(path.Ext(filename)) {
	case ".xls":
		return "application/vnd.ms-excel"
	case ".ppt":
		return "application/vnd.ms-powerpoint"
	}
	return "application/msword"
}

// CleanFilename returns a filename safe to store and to put in a header:
// the last path element, control and quoting characters replaced, bounded
// in length, never empty.
func CleanFilename(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), r == '"', r == '/', unicode.Is(unicode.Bidi_Control, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.Trim(b.String(), ". ")
	if name == "" || name == "_" {
		name = "file"
	}
	if utf8.RuneCountInString(name) > MaxFilenameLength {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 20 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:MaxFilenameLength-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

// FileField names the i-th file of a request in errors.
func FileField(i int) string { return fmt.Sprintf("files[%d]", i) }

// AttachmentKey is where an attachment's bytes live in the blob store.
// Every key of a workspace shares the prefix WorkspaceBlobPrefix.
func AttachmentKey(workspaceID, attachmentID string) string {
	return WorkspaceBlobPrefix(workspaceID) + attachmentID
}

// WorkspaceBlobPrefix is the blob-store prefix of a workspace's files.
func WorkspaceBlobPrefix(workspaceID string) string { return "ws/" + workspaceID + "/" }
