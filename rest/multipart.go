package rest

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

// maxFormMemory is how much of a multipart body is held in memory; the
// rest of its files spill to temporary files until the request ends.
const maxFormMemory = 16 << 20

// messageForm is a parsed multipart body, whose open files and temporary
// files close releases; a nil *messageForm (a JSON body) closes as nothing.
type messageForm struct {
	form  *multipart.Form
	files []multipart.File
}

func (f *messageForm) close() {
	if f == nil {
		return
	}
	for _, file := range f.files {
		file.Close()
	}
	f.form.RemoveAll()
}

// bindMessage decodes a message's request: a JSON object into dst, or a
// multipart/form-data form (a message with files) whose text field
// textField goes to text, whose optional fields go where optional says,
// and whose "files" parts go to files. Refusals are as bindJSON's, naming
// the form field.
func bindMessage(c *gin.Context, dst any, optional map[string]**string, textField string, text *string, files *[]*graphql.Upload) (*messageForm, error) {
	if !isMultipartRequest(c.Request) {
		return nil, bindJSON(c, dst)
	}
	if err := c.Request.ParseMultipartForm(maxFormMemory); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, helpium.BodyTooLarge(tooLarge.Limit)
		}
		return nil, helpium.Invalid("body", "request body is not a valid multipart/form-data form")
	}
	form := &messageForm{form: c.Request.MultipartForm}
	value := func(name string) (*string, error) {
		vs := form.form.Value[name]
		if len(vs) == 0 {
			return nil, nil
		}
		if len(vs) > 1 {
			return nil, helpium.Invalid(name, "%s must be sent once", name)
		}
		if !utf8.ValidString(vs[0]) {
			return nil, helpium.Invalid(name, "%s must be valid UTF-8", name)
		}
		return &vs[0], nil
	}
	v, err := value(textField)
	if err != nil {
		form.close()
		return nil, err
	}
	if v != nil {
		*text = *v
	}
	for name, p := range optional {
		if *p, err = value(name); err != nil {
			form.close()
			return nil, err
		}
	}
	for name := range form.form.File {
		if name != "files" {
			form.close()
			return nil, helpium.Invalid(name, "send files in form fields named files, not %s", name)
		}
	}
	for i, fh := range form.form.File["files"] {
		f, err := fh.Open()
		if err != nil {
			form.close()
			return nil, helpium.Invalid(helpium.FileField(i), "%s could not be read", helpium.FileField(i))
		}
		form.files = append(form.files, f)
		*files = append(*files, &graphql.Upload{File: f, Filename: fh.Filename, Size: fh.Size, ContentType: fh.Header.Get("Content-Type")})
	}
	return form, nil
}

func isMultipartRequest(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}
