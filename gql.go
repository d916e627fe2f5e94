package helpium

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// GraphQL enums are upper-case (OPEN, BOTTOM_RIGHT); the domain and REST use
// lower-case values (open, bottom-right). These methods convert between them
// so gqlgen binds the domain types directly.

func marshalEnum(w io.Writer, v string) {
	io.WriteString(w, strconv.Quote(strings.ToUpper(strings.ReplaceAll(v, "-", "_"))))
}

func unmarshalEnum(v any, valid func(string) bool) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("enum value must be a string")
	}
	out := strings.ToLower(s)
	if !valid(out) {
		out = strings.ReplaceAll(out, "_", "-")
	}
	if !valid(out) {
		return "", fmt.Errorf("%q is not a valid value", s)
	}
	return out, nil
}

// MarshalGQL writes s as a GraphQL enum value.
func (s ConversationStatus) MarshalGQL(w io.Writer) { marshalEnum(w, string(s)) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *ConversationStatus) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return ConversationStatus(x).Valid() })
	*s = ConversationStatus(out)
	return err
}

// MarshalGQL writes k as a GraphQL enum value.
func (k AuthorKind) MarshalGQL(w io.Writer) { marshalEnum(w, string(k)) }

// UnmarshalGQL reads a GraphQL enum value.
func (k *AuthorKind) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return AuthorKind(x).Valid() })
	*k = AuthorKind(out)
	return err
}

// MarshalGQL writes p as a GraphQL enum value.
func (p WidgetPosition) MarshalGQL(w io.Writer) { marshalEnum(w, string(p)) }

// UnmarshalGQL reads a GraphQL enum value.
func (p *WidgetPosition) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool {
		return x == string(PositionBottomLeft) || x == string(PositionBottomRight)
	})
	*p = WidgetPosition(out)
	return err
}
