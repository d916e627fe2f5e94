package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"sort"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

// bindJSON decodes a JSON object body into dst. Decoding errors become
// envelopes a client can act on: 415 for another content type, 413 over the
// body limit, and invalid_input naming the field for malformed JSON, a value
// of the wrong type or invalid UTF-8. Unknown fields are ignored.
func bindJSON(c *gin.Context, dst any) error {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "application/json" {
		return helpium.Errorf(helpium.EUnsupportedMedia, "Content-Type must be application/json.")
	}
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return helpium.BodyTooLarge(tooLarge.Limit)
	}
	if err != nil {
		return helpium.Invalid("body", "request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return helpium.Invalid("body", "request body is required: send a JSON object")
	}
	if !utf8.Valid(body) {
		return helpium.Invalid(invalidUTF8Field(body), "%s must be valid UTF-8", invalidUTF8Field(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return helpium.Invalid("body", "request body must be a single JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return helpium.Invalid(typeErr.Field, "%s must be a %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &typeErr):
		return helpium.Invalid("body", "request body must be a JSON object")
	case errors.As(err, &syntaxErr):
		return helpium.Invalid("body", "request body is not valid JSON (at byte %d)", syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return helpium.Invalid("body", "request body is not valid JSON (truncated)")
	}
	return helpium.Invalid("body", "request body is not valid JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "int", "int64", "int32", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "ptr":
		return "string or null"
	}
	return goKind
}

// invalidUTF8Field names the top-level field whose raw value holds invalid
// UTF-8, or "body" when it cannot tell.
func invalidUTF8Field(body []byte) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return "body"
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !utf8.Valid(fields[name]) {
			return name
		}
	}
	return "body"
}
