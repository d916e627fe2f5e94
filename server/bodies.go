package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

// validUTF8Body refuses a GraphQL request whose body is not valid UTF-8
// with invalid_input, as the Customer API does; the JSON decoder would
// otherwise replace the bad bytes silently. It runs after bodyLimit.
func validUTF8Body() gin.HandlerFunc {
	return func(c *gin.Context) {
		if isMultipart(c.Request) {
			c.Next() // files are binary; the operations field is checked when parsed
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeGraphQLError(c, helpium.BodyTooLarge(tooLarge.Limit))
				return
			}
			writeGraphQLError(c, helpium.Invalid("body", "request body could not be read"))
			return
		}
		if !utf8.Valid(body) {
			writeGraphQLError(c, helpium.Invalid("body", "request body must be valid UTF-8"))
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		c.Next()
	}
}

// bodyLimit caps request bodies at n bytes, or helpium.MaxUploadBytes for
// a multipart request carrying files (each file is then checked against
// its workspace's limit); reading past it fails with *http.MaxBytesError,
// which handlers report as payload_too_large. A body declared larger is
// refused at once, in the transport's own error shape (writeErr: the REST
// envelope or a GraphQL errors list).
func bodyLimit(n int64, writeErr func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		n := n
		if isMultipart(c.Request) {
			n = helpium.MaxUploadBytes
		}
		if c.Request.ContentLength > n {
			writeErr(c, helpium.BodyTooLarge(n))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// isMultipart reports whether a request's body is multipart/form-data: a
// message with files.
func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}
