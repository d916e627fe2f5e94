// Package rest is the Customer API under /api/customer: thin gin handlers
// that decode a request, call the same resolver method GraphQL executes, and
// encode the result or the error envelope.
package rest

import (
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

// statusByCode maps each error code to its HTTP status, once.
var statusByCode = map[string]int{
	helpium.EUnauthenticated:   http.StatusUnauthorized,
	helpium.EForbidden:         http.StatusForbidden,
	helpium.ENotFound:          http.StatusNotFound,
	helpium.EInvalid:           http.StatusUnprocessableEntity,
	helpium.EConflict:          http.StatusConflict,
	helpium.ETooManyRequests:   http.StatusTooManyRequests,
	helpium.EPayloadTooLarge:   http.StatusRequestEntityTooLarge,
	helpium.EMethodNotAllowed:  http.StatusMethodNotAllowed,
	helpium.EUnsupportedMedia:  http.StatusUnsupportedMediaType,
	helpium.EUnavailable:       http.StatusServiceUnavailable,
	helpium.ESearchUnavailable: http.StatusServiceUnavailable,
	helpium.EInternal:          http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for an error code.
func StatusOf(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the error envelope's inner object.
type ErrorBody struct {
	Message string `json:"message"`
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
}

// Envelope is every error response: {"error": {...}}.
type Envelope struct {
	Error ErrorBody `json:"error"`
}

// NewEnvelope builds the envelope for err.
func NewEnvelope(err error) Envelope {
	code, field := helpium.ErrorCode(err), helpium.ErrorField(err)
	return Envelope{Error: ErrorBody{
		Message: snakeFieldNames(helpium.ErrorMessage(err), field),
		Status:  StatusOf(code),
		Code:    code,
		Field:   snakeCase(field),
	}}
}

// snakeCase spells a field name (schema.graphql's camelCase) as the
// Customer API's JSON bodies do: "clientMessageId" is "client_message_id".
// Paths keep their dots and indexes; header names stay as they are.
func snakeCase(field string) string {
	if strings.ContainsRune(field, '-') {
		return field
	}
	var b strings.Builder
	for i, r := range field {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// snakeFieldNames respells, in an error message, the words of field that
// snakeCase changes.
func snakeFieldNames(msg, field string) string {
	for _, name := range strings.FieldsFunc(field, func(r rune) bool { return r == '.' || r == '[' || r == ']' }) {
		if snake := snakeCase(name); snake != name {
			msg = regexp.MustCompile(`\b`+regexp.QuoteMeta(name)+`\b`).ReplaceAllLiteralString(msg, snake)
		}
	}
	return msg
}

// WriteError aborts the request with err's envelope. Internal errors and
// errors with a cause are logged with their detail, which the client never
// sees.
func WriteError(c *gin.Context, log *slog.Logger, err error) {
	env := NewEnvelope(err)
	if env.Error.Status >= 500 && log != nil {
		log.ErrorContext(c.Request.Context(), "request failed", "code", env.Error.Code, "err", err)
	}
	if s := helpium.ErrorRetryAfter(err); s > 0 {
		c.Header("Retry-After", strconv.Itoa(s))
	} else if env.Error.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "1")
	}
	c.AbortWithStatusJSON(env.Error.Status, env)
}
