package helpium

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Action is a call into a workspace's own application that agents, and the
// AI on a customer's behalf, can make: an HTTP request built from a URL
// template and parameters that a JSON Schema describes.
type Action struct {
	ID          string
	WorkspaceID string
	// Name identifies the action to the AI (its tool name): letters,
	// digits, _ and -, unique per workspace regardless of case.
	Name string
	// Description tells the AI when and how to use the action.
	Description string
	Method      ActionMethod
	// URLTemplate is an absolute URL with {param} placeholders in its path
	// and query, each a property of Parameters.
	URLTemplate string
	// Parameters is the JSON Schema (an object schema) of the input.
	Parameters JSON
	// Headers are sent with every call. Callers below admin see only the
	// names (Value is nil).
	Headers []ActionHeader
	// RequiresCustomerToken sends the conversation's customer's bearer
	// token as Authorization: Bearer.
	RequiresCustomerToken bool
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

// ActionHeader is an extra request header of an action.
type ActionHeader struct {
	Name  string  `json:"name"`
	Value *string `json:"value"`
}

// ActionMethod is the HTTP method of an action.
type ActionMethod string

// Action methods.
const (
	MethodGet    ActionMethod = "GET"
	MethodPost   ActionMethod = "POST"
	MethodPut    ActionMethod = "PUT"
	MethodPatch  ActionMethod = "PATCH"
	MethodDelete ActionMethod = "DELETE"
)

// Valid reports whether m is a method actions may use.
func (m ActionMethod) Valid() bool {
	switch m {
	case MethodGet, MethodPost, MethodPut, MethodPatch, MethodDelete:
		return true
	}
	return false
}

// HasBody reports whether a call with method m sends its parameters as a
// JSON body (rather than in the query string).
func (m ActionMethod) HasBody() bool { return m == MethodPost || m == MethodPut || m == MethodPatch }

// ActionInput is what an admin saves: a new action, or the full new state
// of an existing one.
type ActionInput struct {
	Name                  string
	Description           string
	Method                ActionMethod
	URLTemplate           string
	Parameters            JSON
	Headers               []ActionHeaderInput
	RequiresCustomerToken bool
}

// ActionHeaderInput is a header as an admin sets it.
type ActionHeaderInput struct {
	Name  string
	Value string
}

// Action limits.
const (
	MaxActionNameLength        = 64
	MaxActionDescriptionLength = 1000
	MaxActionURLLength         = 2000
	MaxActionSchemaBytes       = 32 << 10
	MaxActionHeaders           = 20
	MaxActionHeaderValueLength = 1000
	MaxActionsPerWorkspace     = 100
)

var actionNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// ValidateActionName checks an action's name: what OpenAI-compatible
// models accept as a function name.
func ValidateActionName(field, name string) error {
	if len(name) > MaxActionNameLength || !actionNamePattern.MatchString(name) {
		return Invalid(field, "%s must start with a letter and contain only letters, digits, _ and - (at most %d characters), like lookup_order", field, MaxActionNameLength)
	}
	return nil
}

// ActionResult is the outcome of one action call. A call that was made
// but failed (refused address, timeout, oversized response, unreachable
// host) is a result with Error set, not an error: it is audited and shown.
type ActionResult struct {
	Action *Action
	// Status is the HTTP status, or 0 when no response arrived.
	Status int
	// JSON is the response body when it was JSON; Text otherwise.
	JSON JSON
	Text *string
	// Truncated says the body was larger than the cap and was cut off.
	Truncated bool
	// Error explains a failed call, in words safe to show to agents and
	// to send to the AI. It never contains the customer's token.
	Error    *string
	Duration time.Duration
	// Message is the system note the result was stored as, when it was.
	Message *Message
}

// OK reports whether the call got a 2xx response in full.
func (r *ActionResult) OK() bool {
	return r.Error == nil && r.Status >= 200 && r.Status <= 299
}

// StatusCode returns the HTTP status, or nil when no response arrived.
func (r *ActionResult) StatusCode() *int {
	if r.Status == 0 {
		return nil
	}
	return &r.Status
}

// DurationMs returns how long the call took, in milliseconds.
func (r *ActionResult) DurationMs() int { return int(r.Duration.Milliseconds()) }

// ActionCaller says who made an action call.
type ActionCaller string

// Action callers.
const (
	CallerAgent ActionCaller = "agent"
	CallerAI    ActionCaller = "ai"
)

// MarshalGQL writes c as a GraphQL enum value (AGENT, AI).
func (c ActionCaller) MarshalGQL(w io.Writer) { marshalEnum(w, string(c)) }

// UnmarshalGQL reads a GraphQL enum value.
func (c *ActionCaller) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return x == string(CallerAgent) || x == string(CallerAI) })
	*c = ActionCaller(out)
	return err
}

// MarshalGQL writes m as a GraphQL enum value.
func (m ActionMethod) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(m))) }

// UnmarshalGQL reads a GraphQL enum value.
func (m *ActionMethod) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if !ActionMethod(s).Valid() {
		return fmt.Errorf("%q is not a valid method", s)
	}
	*m = ActionMethod(s)
	return nil
}

// ActionCall is an audit record of one action call. It never holds the
// customer's token, the request body or the response body.
type ActionCall struct {
	ID             string
	WorkspaceID    string
	ActionID       *string // nil once the action is deleted
	ActionName     string
	ConversationID *string
	Caller         ActionCaller
	AgentID        *string
	StatusCode     *int
	Duration       time.Duration
	Error          *string
	CreatedAt      time.Time
}

// DurationMs returns how long the call took, in milliseconds.
func (c *ActionCall) DurationMs() int { return int(c.Duration.Milliseconds()) }

// ActionCallFilter selects audit records, at most Limit (default 50).
type ActionCallFilter struct {
	ActionID       *string
	ConversationID *string
	Limit          *int
}

// ActionAnswer is the AI's reply to a customer's question, after any
// actions it called.
type ActionAnswer struct {
	Answer string
	Calls  []*ActionResult
}

// JSON is a JSON value as raw text. In GraphQL it is the JSON scalar: any
// JSON value, written inline.
type JSON json.RawMessage

// MarshalGQL writes j as it is (null when empty).
func (j JSON) MarshalGQL(w io.Writer) {
	if len(j) == 0 {
		io.WriteString(w, "null")
		return
	}
	w.Write(j)
}

// UnmarshalGQL accepts any GraphQL input value and keeps it as JSON text.
func (j *JSON) UnmarshalGQL(v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("not a JSON value: %w", err)
	}
	*j = raw
	return nil
}

// MarshalJSON implements json.Marshaler.
func (j JSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (j *JSON) UnmarshalJSON(b []byte) error {
	*j = append((*j)[:0], b...)
	return nil
}

// Compact returns j without insignificant whitespace, or j itself when it
// is not valid JSON.
func (j JSON) Compact() JSON {
	var b bytes.Buffer
	if err := json.Compact(&b, j); err != nil {
		return j
	}
	return b.Bytes()
}

// IsObject reports whether j is a JSON object.
func (j JSON) IsObject() bool {
	return strings.HasPrefix(strings.TrimSpace(string(j)), "{")
}
