package helpium

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Customer is a person who writes to a workspace through the widget.
type Customer struct {
	ID          string  `json:"id"`
	WorkspaceID string  `json:"-"`
	Email       *string `json:"email"`
	Name        *string `json:"name"`
	// Verified says the customer proved their identity with a user hash
	// at least once.
	Verified bool `json:"verified"`
	// HasBearerToken says a token for the workspace's API is stored; the
	// token itself never leaves the server.
	HasBearerToken bool      `json:"-"`
	CreatedAt      time.Time `json:"-"`
	UpdatedAt      time.Time `json:"-"`
}

// AssigneeFilter selects conversations by assignee: the calling agent
// (Me), nobody (None) or one agent (AgentID). At most one is set.
type AssigneeFilter struct {
	Me      bool
	None    bool
	AgentID *string
}

// ConversationFilter narrows a workspace's conversations. Zero values do
// not filter.
type ConversationFilter struct {
	Status       []ConversationStatus
	Assignee     *AssigneeFilter
	CustomerID   *string
	UpdatedSince *time.Time
	// Text matches words in any message, internal notes included.
	Text *string
}

// Validate checks the filter and returns it with text trimmed.
func (f ConversationFilter) Validate() (ConversationFilter, error) {
	for i, s := range f.Status {
		if !s.Valid() {
			return f, Invalid("filter.status", "filter.status[%d] is not a status", i)
		}
	}
	if a := f.Assignee; a != nil {
		n := 0
		for _, set := range []bool{a.Me, a.None, a.AgentID != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return f, Invalid("filter.assignee", "filter.assignee must set exactly one of me, none or agentId")
		}
	}
	if f.Text != nil {
		if err := CheckText("filter.text", *f.Text, 200, false); err != nil {
			return f, err
		}
		t := strings.TrimSpace(*f.Text)
		if t == "" {
			f.Text = nil
		} else {
			f.Text = &t
		}
	}
	return f, nil
}

// ConversationOrderField is what conversations are sorted by.
type ConversationOrderField string

// Sort fields.
const (
	OrderUpdatedAt     ConversationOrderField = "UPDATED_AT"
	OrderCreatedAt     ConversationOrderField = "CREATED_AT"
	OrderLastMessageAt ConversationOrderField = "LAST_MESSAGE_AT"
)

// OrderDirection is ascending or descending.
type OrderDirection string

// Directions.
const (
	Asc  OrderDirection = "ASC"
	Desc OrderDirection = "DESC"
)

// ConversationOrder sorts conversations; ties break on id.
type ConversationOrder struct {
	Field     ConversationOrderField
	Direction OrderDirection
}

// DefaultConversationOrder lists the most recently updated first.
var DefaultConversationOrder = ConversationOrder{Field: OrderUpdatedAt, Direction: Desc}

// Page is Relay-style pagination input.
type Page struct {
	First  *int
	After  *string
	Last   *int
	Before *string
}

// Page size limits.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Size validates the page and returns how many items to fetch and whether
// the page is taken from the end (last/before).
func (p Page) Size() (n int, backward bool, err error) {
	if p.First != nil && p.Last != nil {
		return 0, false, Invalid("first", "use first or last, not both")
	}
	if p.After != nil && p.Before != nil {
		return 0, false, Invalid("after", "use after or before, not both")
	}
	n, field := DefaultPageSize, "first"
	backward = p.Last != nil || p.Before != nil
	if p.First != nil {
		n = *p.First
	} else if p.Last != nil {
		n, field = *p.Last, "last"
	}
	if n < 0 || n > MaxPageSize {
		return 0, false, Invalid(field, "%s must be between 0 and %d", field, MaxPageSize)
	}
	return n, backward, nil
}

// PageInfo is Relay's page information.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Paged is one page of a walk over ordered items, in display order, with
// each item's cursor and the page's PageInfo: what a Relay connection is
// built from.
type Paged[T any] struct {
	Items   []T
	Cursors []string
	Info    *PageInfo
}

// PageOf makes a page of up to n+1 items in walk order, the extra one
// meaning there are more in the walk's direction. A backward walk (from
// the end of the list) is put back in display order. cursorGiven says the
// walk started at a cursor, so there is a page behind it.
func PageOf[T any](items []T, n int, backward, cursorGiven bool, cursor func(T) string) Paged[T] {
	more := len(items) > n
	if more {
		items = items[:n]
	}
	if backward {
		slices.Reverse(items)
	}
	p := Paged[T]{Items: items, Cursors: make([]string, len(items)), Info: &PageInfo{}}
	for i, it := range items {
		p.Cursors[i] = cursor(it)
	}
	if len(items) > 0 {
		p.Info.StartCursor, p.Info.EndCursor = &p.Cursors[0], &p.Cursors[len(items)-1]
	}
	if backward {
		p.Info.HasPreviousPage, p.Info.HasNextPage = more, cursorGiven
	} else {
		p.Info.HasNextPage, p.Info.HasPreviousPage = more, cursorGiven
	}
	return p
}

// KeyCursor is a position in a list sorted by a time and broken by id.
type KeyCursor struct {
	At time.Time
	ID string
}

// Encode returns the opaque form of c.
func (c KeyCursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte("k1:" + strconv.FormatInt(c.At.UnixMicro(), 10) + ":" + c.ID))
}

// ParseKeyCursor decodes a cursor made by Encode.
func ParseKeyCursor(field, s string) (KeyCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	parts := strings.SplitN(string(raw), ":", 3)
	if err != nil || len(parts) != 3 || parts[0] != "k1" {
		return KeyCursor{}, Invalid(field, "%s is not a valid cursor", field)
	}
	us, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return KeyCursor{}, Invalid(field, "%s is not a valid cursor", field)
	}
	if !ValidID(parts[2]) {
		return KeyCursor{}, Invalid(field, "%s is not a valid cursor", field)
	}
	return KeyCursor{At: time.UnixMicro(us).UTC(), ID: parts[2]}, nil
}

// ConversationEdge is one conversation in a connection.
type ConversationEdge struct {
	Cursor string
	Node   *Conversation
}

// ConversationConnection is a page of conversations. Count returns the
// total over all pages and is only run when asked for.
type ConversationConnection struct {
	Edges    []*ConversationEdge
	PageInfo *PageInfo
	Count    func() (int, error)
	// Related holds the relations asked for with the page
	// (ConversationInclude), read in the page's own statement; nil when
	// none were.
	Related *ConversationRelated
}

// ConversationInclude names the relations of a page of conversations to
// read along with it, in one statement, rather than a query per relation.
type ConversationInclude struct {
	Customer, Assignee, LastMessage bool
}

// ConversationRelated are the relations of a page's conversations, each
// keyed by the conversation's id; a conversation without one (or whose
// relation the caller may not see) maps to nil.
type ConversationRelated struct {
	Customers    map[string]*Customer
	Assignees    map[string]*Agent
	LastMessages map[string]*Message
}

// MessageEdge is one message in a connection.
type MessageEdge struct {
	Cursor string
	Node   *Message
}

// MessageConnection is a page of a conversation's messages, oldest first.
type MessageConnection struct {
	Edges    []*MessageEdge
	PageInfo *PageInfo
}

// CustomerEdge is one customer in a connection.
type CustomerEdge struct {
	Cursor string
	Node   *Customer
}

// CustomerConnection is a page of customers.
type CustomerConnection struct {
	Edges    []*CustomerEdge
	PageInfo *PageInfo
}

// Stats summarises a workspace's conversations over a period.
type Stats struct {
	From, To                   time.Time
	Opened, Resolved, OpenNow  int
	MedianFirstResponseSeconds *float64
	MedianResolutionSeconds    *float64
	CSAT                       *CSATSummary
	Days                       []*DayStats
}

// CSATSummary sums the CSAT ratings submitted in a period.
type CSATSummary struct {
	Count int
	// Distribution counts the ratings 1 to 5, in that order.
	Distribution []int
}

// NewCSATSummary returns an empty summary.
func NewCSATSummary() *CSATSummary { return &CSATSummary{Distribution: make([]int, 5)} }

// Add counts n ratings of rating (1 to 5).
func (c *CSATSummary) Add(rating, n int) {
	c.Count += n
	c.Distribution[rating-1] += n
}

// Average is the mean rating, or nil without ratings.
func (c *CSATSummary) Average() *float64 {
	if c.Count == 0 {
		return nil
	}
	sum := 0
	for i, n := range c.Distribution {
		sum += (i + 1) * n
	}
	avg := RoundScore(float64(sum) / float64(c.Count))
	return &avg
}

// DayStats is one day of Stats, in the workspace's timezone.
type DayStats struct {
	Date                       string
	Opened, Resolved           int
	MedianFirstResponseSeconds *float64
	MedianResolutionSeconds    *float64
	CSAT                       *CSATSummary
}
