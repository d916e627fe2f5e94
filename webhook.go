package helpium

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// WebhookEventType names what a webhook event reports.
type WebhookEventType string

// Webhook event types. The database's triggers write them (see the
// webhooks migration); the payload's data uses the GraphQL types' names.
const (
	EventConversationCreated WebhookEventType = "conversation.created"
	EventConversationUpdated WebhookEventType = "conversation.updated" // status or assignee
	EventMessageCreated      WebhookEventType = "message.created"
	EventCustomerIdentified  WebhookEventType = "customer.identified"
	EventArticlePublished    WebhookEventType = "article.published"
	EventArticleUnpublished  WebhookEventType = "article.unpublished"
	EventCSATSubmitted       WebhookEventType = "csat.submitted"
	// EventWebhookTest is sent by sendTestWebhook only.
	EventWebhookTest WebhookEventType = "webhook.test"
)

// WebhookEventTypes are the types an endpoint may subscribe to.
var WebhookEventTypes = []WebhookEventType{
	EventConversationCreated, EventConversationUpdated, EventMessageCreated,
	EventCustomerIdentified, EventArticlePublished, EventArticleUnpublished, EventCSATSubmitted,
}

// Valid reports whether t is a type an endpoint may subscribe to.
func (t WebhookEventType) Valid() bool {
	for _, v := range WebhookEventTypes {
		if t == v {
			return true
		}
	}
	return false
}

// MarshalGQL writes t as a GraphQL enum value (CONVERSATION_CREATED).
func (t WebhookEventType) MarshalGQL(w io.Writer) {
	io.WriteString(w, strconv.Quote(strings.ToUpper(strings.ReplaceAll(string(t), ".", "_"))))
}

// UnmarshalGQL reads a GraphQL enum value.
func (t *WebhookEventType) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("enum value must be a string")
	}
	for _, known := range append(WebhookEventTypes, EventWebhookTest) {
		if strings.EqualFold(strings.ReplaceAll(string(known), ".", "_"), s) {
			*t = known
			return nil
		}
	}
	return fmt.Errorf("%q is not a valid value", s)
}

// WebhookEndpoint is a receiver of a workspace's events.
type WebhookEndpoint struct {
	ID                   string
	WorkspaceID          string
	URL                  string
	Description          string
	EventTypes           []WebhookEventType
	IncludeInternalNotes bool
	Enabled              bool
	// DisabledReason says why Helpium disabled the endpoint (a 410 answer,
	// or three days of failures); empty when an admin did, or it is on.
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// WebhookEndpointInput is what an admin sets on an endpoint.
type WebhookEndpointInput struct {
	URL                  string
	Description          string
	EventTypes           []WebhookEventType
	IncludeInternalNotes bool
	Enabled              bool
}

// MaxWebhookEndpoints is how many endpoints a workspace may have.
const MaxWebhookEndpoints = 20

// Validate checks the input, naming the offending field.
func (in *WebhookEndpointInput) Validate() error {
	u, err := url.Parse(in.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.Fragment != "" {
		return Invalid("url", "url must be an absolute https URL without credentials or fragment")
	}
	if len(in.URL) > 2000 {
		return Invalid("url", "url must be at most 2000 characters")
	}
	if err := CheckText("description", in.Description, 500, false); err != nil {
		return err
	}
	if len(in.EventTypes) == 0 {
		return Invalid("eventTypes", "eventTypes must name at least one event type")
	}
	seen := map[WebhookEventType]bool{}
	for _, t := range in.EventTypes {
		if !t.Valid() {
			return Invalid("eventTypes", "%q is not an event type", t)
		}
		seen[t] = true
	}
	in.EventTypes = in.EventTypes[:0]
	for _, t := range WebhookEventTypes { // deduplicated, in a fixed order
		if seen[t] {
			in.EventTypes = append(in.EventTypes, t)
		}
	}
	return nil
}

// WebhookSecretAAD binds an endpoint's sealed signing secret to the
// endpoint: it opens for that endpoint only.
func WebhookSecretAAD(endpointID string) []byte { return []byte("webhook:" + endpointID) }

// WebhookDeliveryStatus is where a delivery stands.
type WebhookDeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending   WebhookDeliveryStatus = "pending"   // waiting for its first or next attempt
	DeliverySucceeded WebhookDeliveryStatus = "succeeded" // the receiver answered 2xx
	DeliveryFailed    WebhookDeliveryStatus = "failed"    // given up: 410, or past the retry window
	DeliverySkipped   WebhookDeliveryStatus = "skipped"   // its endpoint was disabled first
)

// MarshalGQL writes s as a GraphQL enum value.
func (s WebhookDeliveryStatus) MarshalGQL(w io.Writer) { marshalEnum(w, string(s)) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *WebhookDeliveryStatus) UnmarshalGQL(v any) error {
	out, err := unmarshalEnum(v, func(x string) bool {
		switch WebhookDeliveryStatus(x) {
		case DeliveryPending, DeliverySucceeded, DeliveryFailed, DeliverySkipped:
			return true
		}
		return false
	})
	*s = WebhookDeliveryStatus(out)
	return err
}

// WebhookDelivery is one event sent, or to be sent, to one endpoint.
type WebhookDelivery struct {
	ID             string
	EventID        string
	EventType      WebhookEventType
	EndpointID     string
	WorkspaceID    string
	Status         WebhookDeliveryStatus
	Attempts       int
	CreatedAt      time.Time
	LastAttemptAt  *time.Time
	NextAttemptAt  *time.Time // pending deliveries only
	ResponseStatus *int
	ResponseBody   *string // the first 1 KB
	LatencyMS      *int
	Error          *string
}
