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
		if err != nil || mt != "application/json" && mt != "application/graphql-response+json" && mt != "multipart/form-data" {
			writeGraphQLError(c, helpium.Errorf(helpium.EUnsupportedMedia, "Content-Type must be application/json (or multipart/form-data to send files)."))
			return
		}
		c.Next()
	}
}

// graphQLResponses shapes every GraphQL response over HTTP as GraphQL over
// HTTP (graphql.github.io/graphql-over-http) says, and gives a code to the
// errors that gqlgen's transports write without one:
//   - The media type is application/graphql-response+json when the client
//     accepts it, application/json otherwise.
//   - With application/json, a well-formed request is answered 200 even
//     when its document does not parse or validate.
//   - With application/graphql-response+json, a request error (no field
//     ran: the document did not parse, validate or pass the limits) is 400
//     and has no data.
//   - Either way, a request that is not well-formed (its body is not JSON
//     or not UTF-8) is 400, and failures outside GraphQL keep their HTTP
//     status: a refused credential (401), too large (413), the wrong
//     content type (415), a rate limit (429).
//   - A transport refusal without a code gets one: method_not_allowed (405)
//     for an operation the method cannot carry (gqlgen says 406),
//     invalid_input otherwise.
//
// Refused responses, small, are held back to be rewritten; so is every
// response in application/graphql-response+json, which clients ask for.
func graphQLResponses() gin.HandlerFunc {
	return func(c *gin.Context) {
		if strings.EqualFold(c.GetHeader("Upgrade"), "websocket") {
			c.Next()
			return
		}
		w := &graphQLWriter{ResponseWriter: c.Writer, mediaType: graphQLMediaType(c.Request)}
		c.Writer = w
		c.Next()
		w.flush()
	}
}

const graphQLResponseType = "application/graphql-response+json"

// graphQLMediaType is the first of application/graphql-response+json and
// application/json that the request's Accept lists (without q=0);
// application/json when it lists neither.
func graphQLMediaType(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q == 0 {
			continue
		}
		if mt == graphQLResponseType || mt == "application/json" {
			return mt
		}
	}
	return "application/json"
}

type graphQLWriter struct {
	gin.ResponseWriter
	mediaType string
	status    int
	held      *bytes.Buffer // the body of a response held back
}

func (w *graphQLWriter) WriteHeader(status int) {
	if w.held != nil || w.status != 0 {
		return
	}
	w.status = status
	if status >= 400 && status < 500 || w.mediaType == graphQLResponseType && status == http.StatusOK {
		w.held = new(bytes.Buffer)
		return
	}
	w.ResponseWriter.Header().Set("Content-Type", w.mediaType+"; charset=utf-8")
	w.ResponseWriter.WriteHeader(status)
}

func (w *graphQLWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.held != nil {
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *graphQLWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// flush writes a held response, rewritten.
func (w *graphQLWriter) flush() {
	if w.held == nil {
		return
	}
	status, body := w.status, w.held.Bytes()
	var resp map[string]any
	if json.Unmarshal(body, &resp) == nil {
		errs, _ := resp["errors"].([]any)
		if status == http.StatusNotAcceptable {
			status = http.StatusMethodNotAllowed
		}
		requestError := len(errs) > 0 && resp["data"] == nil
		schemaRefusal := false // gqlgen refused the document (it names its own code)
		for _, e := range errs {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			if m["path"] != nil {
				requestError = false // a field ran
			}
			ext, _ := m["extensions"].(map[string]any)
			if ext == nil {
				ext = map[string]any{}
				m["extensions"] = ext
			}
			schemaRefusal = schemaRefusal || ext["graphqlCode"] != nil
			if ext["code"] == nil && status >= 400 {
				ext["code"] = map[bool]string{true: helpium.EMethodNotAllowed, false: helpium.EInvalid}[status == http.StatusMethodNotAllowed]
			}
		}
		switch {
		case status == http.StatusUnprocessableEntity && !schemaRefusal:
			status = http.StatusBadRequest // not a well-formed request (its body was not valid UTF-8)
		case status == http.StatusUnprocessableEntity && w.mediaType == "application/json":
			status = http.StatusOK
		case requestError && w.mediaType == graphQLResponseType && (status == http.StatusOK || status == http.StatusUnprocessableEntity):
			status = http.StatusBadRequest
		}
		if requestError && w.mediaType == graphQLResponseType {
			delete(resp, "data")
		}
		if b, err := json.Marshal(resp); err == nil {
			body = b
		}
	}
	h := w.ResponseWriter.Header()
	h.Set("Content-Type", w.mediaType+"; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.ResponseWriter.WriteHeader(status)
	w.ResponseWriter.Write(body) //nolint:errcheck // the client went away
}
