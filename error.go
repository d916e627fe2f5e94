// Package helpium holds the domain types, error codes and pure business rules
// of the Helpium customer-support backend. Transports (graph, rest), storage
// (db) and search live in subpackages and share this vocabulary.
package helpium

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Error codes. Each transport maps them once: REST to an HTTP status, GraphQL
// to extensions.code.
const (
	EUnauthenticated     = "unauthenticated"
	EForbidden           = "forbidden"
	ENotFound            = "not_found"
	EInvalid             = "invalid_input"
	EConflict            = "conflict"
	ETooManyRequests     = "too_many_requests"
	EPayloadTooLarge     = "payload_too_large"
	EMethodNotAllowed    = "method_not_allowed"
	EUnsupportedMedia    = "unsupported_media_type"
	EUnavailable         = "unavailable"
	ESearchUnavailable   = "search_unavailable"
	EInternal            = "internal"
	internalErrorMessage = "Internal error."
)

// Error is the one error type that crosses layers. Code is machine readable;
// Message is safe to show to the client; Field names the offending input
// field for EInvalid, as schema.graphql spells it: an argument or a field of
// the operation's input object, a path for nested ones ("ranges[2].end"),
// or a header's name. Each transport spells it once for its clients
// (rest.NewEnvelope, graph.ErrorPresenter).
type Error struct {
	Code    string
	Message string
	Field   string
	// RetryAfter is how many seconds to wait before retrying, for
	// ETooManyRequests: HTTP responses send it as Retry-After, GraphQL
	// errors also as extensions.retryAfter. 0 when unknown.
	RetryAfter int
	Cause      error // logged, never shown
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Cause }

// Error implements the error interface.
func (e *Error) Error() string {
	msg := "helpium: " + e.Code + ": " + e.Message
	if e.Field != "" {
		msg += " (" + e.Field + ")"
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// ValidID reports whether id has the form of Helpium's ids (a UUID).
func ValidID(id string) bool { return uuid.Validate(id) == nil }

// CheckID returns ENotFound ("<what> not found.") for an id without the
// form of Helpium's ids: it names nothing, and storage is never asked.
func CheckID(what, id string) error {
	if !ValidID(id) {
		return Errorf(ENotFound, "%s not found.", what)
	}
	return nil
}

// BodyTooLarge is the error for a request body over limit bytes, on every
// transport.
func BodyTooLarge(limit int64) *Error {
	return Errorf(EPayloadTooLarge, "Request body must be at most %d bytes.", limit)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error naming field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and
// EInternal for anything else, including nil-free unknown errors.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the client-safe message of err. Errors that are not
// *Error are internal and their text is never shown.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return internalErrorMessage
}

// ErrorField returns the field named by an EInvalid error, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorRetryAfter returns the seconds to wait before retrying that err
// names, or 0.
func ErrorRetryAfter(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// Internal returns an EInternal error whose cause is logged but never shown.
func Internal(cause error) *Error {
	return &Error{Code: EInternal, Message: internalErrorMessage, Cause: cause}
}
