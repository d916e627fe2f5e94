package server

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

// Every GraphQL error carries a code from the documented set, including
// the refusals gqlgen's transports write themselves (a mutation over GET,
// undecodable GET variables), which have none.

// graphQLContentType refuses a POST whose body is not JSON with 415
// unsupported_media_type, in the GraphQL shape (gqlgen answers 400
// "transport not supported" without a code).
func graphQLContentType() gin.HandlerFunc {
	return func(c *gin.Context) {
		mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
		if err != nil || mt != "application/json" && mt != "application/graphql-response+json" {
			writeGraphQLError(c, helpium.Errorf(helpium.EUnsupportedMedia, "Content-Type must be application/json."))
			return
		}
		c.Next()
	}
}

// graphQLTransportCodes gives a code to the errors of a GraphQL response
// that gqlgen's transport refused with a 4xx status and no code: 405
// method_not_allowed for an operation the method cannot carry (gqlgen says
// 406), invalid_input otherwise. Other responses pass through untouched;
// only refused ones, small, are held back to be rewritten.
func graphQLTransportCodes() gin.HandlerFunc {
	return func(c *gin.Context) {
		if strings.EqualFold(c.GetHeader("Upgrade"), "websocket") {
			c.Next()
			return
		}
		w := &codeWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		w.flush()
	}
}

type codeWriter struct {
	gin.ResponseWriter
	status int
	held   *bytes.Buffer // the body of a refused response
}

func (w *codeWriter) WriteHeader(status int) {
	if status >= 400 && status < 500 && w.held == nil {
		w.status, w.held = status, new(bytes.Buffer)
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *codeWriter) Write(b []byte) (int, error) {
	if w.held != nil {
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *codeWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// flush writes a held response, its errors given codes.
func (w *codeWriter) flush() {
	if w.held == nil {
		return
	}
	status, body := w.status, w.held.Bytes()
	var resp map[string]any
	if json.Unmarshal(body, &resp) == nil {
		if errs, ok := resp["errors"].([]any); ok {
			if status == http.StatusNotAcceptable {
				status = http.StatusMethodNotAllowed
			}
			code := helpium.EInvalid
			if status == http.StatusMethodNotAllowed {
				code = helpium.EMethodNotAllowed
			}
			for _, e := range errs {
				if m, ok := e.(map[string]any); ok {
					ext, _ := m["extensions"].(map[string]any)
					if ext == nil {
						ext = map[string]any{}
						m["extensions"] = ext
					}
					if ext["code"] == nil {
						ext["code"] = code
					}
				}
			}
			if b, err := json.Marshal(resp); err == nil {
				body = b
			}
		}
	}
	w.ResponseWriter.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.ResponseWriter.WriteHeader(status)
	w.ResponseWriter.Write(body) //nolint:errcheck // the client went away
}
