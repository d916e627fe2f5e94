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

// MarshalGQL writes g as a GraphQL enum value.
func (g AnswerGenerator) MarshalGQL(w io.Writer) { marshalEnum(w, string(g)) }

// UnmarshalGQL reads a GraphQL enum value.
func (g *AnswerGenerator) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return AnswerGenerator(x).Valid() })
	*g = AnswerGenerator(out)
	return err
}

// MarshalGQL writes c as a GraphQL enum value.
func (c ConversationChange) MarshalGQL(w io.Writer) { marshalEnum(w, string(c)) }

// UnmarshalGQL reads a GraphQL enum value.
func (c *ConversationChange) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return ConversationChange(x).Valid() })
	*c = ConversationChange(out)
	return err
}

// MarshalGQL writes r as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { marshalEnum(w, string(r)) }

// UnmarshalGQL reads a GraphQL enum value.
func (r *Role) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return Role(x).Valid() })
	*r = Role(out)
	return err
}

// MarshalGQL writes d as a GraphQL enum value.
func (d Weekday) MarshalGQL(w io.Writer) { marshalEnum(w, string(d)) }

// UnmarshalGQL reads a GraphQL enum value.
func (d *Weekday) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return Weekday(x).Valid() })
	*d = Weekday(out)
	return err
}

// MarshalGQL writes f as a GraphQL enum value.
func (f ConversationOrderField) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(f))) }

// UnmarshalGQL reads a GraphQL enum value.
func (f *ConversationOrderField) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch ConversationOrderField(s) {
	case OrderUpdatedAt, OrderCreatedAt, OrderLastMessageAt:
		*f = ConversationOrderField(s)
		return nil
	}
	return fmt.Errorf("%q is not a valid order field", s)
}

// MarshalGQL writes d as a GraphQL enum value.
func (d OrderDirection) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL reads a GraphQL enum value.
func (d *OrderDirection) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	if s != string(Asc) && s != string(Desc) {
		return fmt.Errorf("%q is not a valid direction", s)
	}
	*d = OrderDirection(s)
	return nil
}

// MarshalGQL writes k as a GraphQL enum value.
func (k AttachmentKind) MarshalGQL(w io.Writer) { marshalEnum(w, string(k)) }

// UnmarshalGQL reads a GraphQL enum value.
func (k *AttachmentKind) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return AttachmentKind(x).Valid() })
	*k = AttachmentKind(out)
	return err
}

// MarshalGQL writes k as a GraphQL enum value.
func (k ActivityKind) MarshalGQL(w io.Writer) { marshalEnum(w, string(k)) }

// UnmarshalGQL reads a GraphQL enum value.
func (k *ActivityKind) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool { return ActivityKind(x).Valid() })
	*k = ActivityKind(out)
	return err
}
