package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/helpium/helpium"
)

// ErrorPresenter maps errors to GraphQL errors once: a *helpium.Error keeps
// its message and puts its code (the same code REST uses) in
// extensions.code; anything else is logged and shown as internal.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var herr *helpium.Error
		switch {
		case errors.As(err, &herr):
			gerr.Message = herr.Message
			gerr.Extensions = map[string]any{"code": herr.Code}
			if herr.Field != "" {
				gerr.Extensions["field"] = argumentPath(ctx, herr.Field)
			}
			if herr.RetryAfter > 0 {
				gerr.Extensions["retryAfter"] = herr.RetryAfter
			}
			if herr.Code == helpium.EInternal || herr.Cause != nil {
				log.ErrorContext(ctx, "graphql error", "code", herr.Code, "err", err)
			}
		case gerr.Extensions["code"] != nil:
			// gqlgen's refusals of the request itself (syntax, validation
			// against the schema, complexity) are the client's input, as in
			// REST: invalid_input, with gqlgen's own code kept alongside
			// (persisted-query clients read PERSISTED_QUERY_NOT_FOUND there,
			// or in the message, which stays).
			if code, _ := gerr.Extensions["code"].(string); requestErrorCodes[code] != "" {
				gerr.Extensions["graphqlCode"] = code
				gerr.Extensions["code"] = requestErrorCodes[code]
			}
		case isPersistedQueryMismatch(err):
			gerr.Message = "The persisted query's hash does not match its query."
			gerr.Extensions = map[string]any{"code": helpium.EInvalid}
		case isUndecodableRequest(err):
			// The transport could not decode the request (malformed or
			// hostile JSON); its message would echo the whole body.
			gerr.Message = "The request body is not valid JSON."
			gerr.Extensions = map[string]any{"code": helpium.EInvalid}
		case gerr.Rule != "" || len(gerr.Locations) > 0 && gerr.Path == nil:
			gerr.Extensions = map[string]any{"code": helpium.EInvalid}
		default:
			log.ErrorContext(ctx, "graphql internal error", "err", err, "path", gerr.Path.String())
			gerr.Message = helpium.ErrorMessage(err)
			gerr.Extensions = map[string]any{"code": helpium.EInternal}
		}
		return gerr
	}
}

// argumentPath is field's path among the arguments of the field being
// resolved: a name that is not an argument of its own is a field of the
// operation's input object ("ranges[0].day" is "input.ranges[0].day").
func argumentPath(ctx context.Context, field string) string {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return field
	}
	args := fc.Field.Definition.Arguments
	name, _, _ := strings.Cut(field, ".")
	name, _, _ = strings.Cut(name, "[")
	if args.ForName(name) != nil || args.ForName("input") == nil {
		return field
	}
	return "input." + field
}

// requestErrorCodes map gqlgen's codes for a request it refuses before any
// resolver runs to ours.
var requestErrorCodes = map[string]string{
	"GRAPHQL_PARSE_FAILED":      helpium.EInvalid,
	"GRAPHQL_VALIDATION_FAILED": helpium.EInvalid,
	"COMPLEXITY_LIMIT_EXCEEDED": helpium.EInvalid,
	"PERSISTED_QUERY_NOT_FOUND": helpium.ENotFound,
}

// isPersistedQueryMismatch reports whether err is the persisted-query
// extension's refusal of a query whose hash is not its own.
func isPersistedQueryMismatch(err error) bool {
	var gq *gqlerror.Error
	return errors.As(err, &gq) && strings.Contains(gq.Message, "provided APQ hash does not match query")
}

// isUndecodableRequest reports whether err is gqlgen's refusal of a
// request body it could not decode, raised before any resolver runs.
func isUndecodableRequest(err error) bool {
	var gq *gqlerror.Error
	return errors.As(err, &gq) && gq.Path == nil && strings.HasPrefix(gq.Message, "json request body could not be decoded")
}

// RecoverFunc turns a resolver panic into an internal error after logging it.
func RecoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		return helpium.Internal(fmt.Errorf("panic: %v", p))
	}
}
