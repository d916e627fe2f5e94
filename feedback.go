package helpium

import (
	"fmt"
	"strings"
	"time"
)

// AnswerRecord is an AI answer as a widget was given it, kept for the
// customer's vote, a handover to a person and the content-gap report.
type AnswerRecord struct {
	ID          string
	WorkspaceID string
	Question    string
	Locale      string
	Answer      Answer
	// InstallationID is the asking browser's widget installation, if sent.
	InstallationID *string
	// ConversationID is the conversation the answer was handed over to.
	ConversationID *string
	Feedback       *AnswerFeedback
	CreatedAt      time.Time
}

// AnswerFilter picks kept answers for agents.
type AnswerFilter struct {
	Helpful  *bool // the customer's vote; nil for any, voted or not
	Answered *bool
	From, To time.Time
	Limit    int
}

// AnswerFeedback is the customer's vote on an AI answer: "Did this answer
// your question?". A later vote replaces an earlier one.
type AnswerFeedback struct {
	AnswerID    string    `json:"answer_id"`
	Helpful     bool      `json:"helpful"`
	Comment     *string   `json:"comment"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// MaxFeedbackComment bounds the comments of votes and ratings.
const MaxFeedbackComment = 1000

// CleanComment validates an optional comment: trimmed, blank is none.
func CleanComment(field string, c *string) (*string, error) {
	if c == nil {
		return nil, nil
	}
	t := strings.TrimSpace(*c)
	if err := CheckText(field, t, MaxFeedbackComment, false); err != nil {
		return nil, err
	}
	if t == "" {
		return nil, nil
	}
	return &t, nil
}

// CSAT is a customer's rating of a resolved conversation, asked once.
type CSAT struct {
	Rating      int       `json:"rating"`
	Comment     *string   `json:"comment"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// ValidateRating checks a CSAT rating: a whole number from 1 to 5.
func ValidateRating(rating int) error {
	if rating < 1 || rating > 5 {
		return Invalid("rating", "rating must be a whole number from 1 to 5")
	}
	return nil
}

// CanRate reports whether the customer may rate c now: once, after it is
// resolved or closed.
func (c *Conversation) CanRate() error {
	if c.CSAT != nil {
		return Errorf(EConflict, "This conversation has already been rated.")
	}
	if c.Status != StatusResolved && c.Status != StatusClosed {
		return Errorf(EConflict, "A conversation can be rated once it is resolved.")
	}
	return nil
}

// HandoverInput is the customer's "Talk to a person" after an AI answer:
// the answer they saw, and the conversation to continue if they have one.
type HandoverInput struct {
	AnswerID       string
	Token          *string // the open conversation's widget token
	InstallationID *string
}

// HandoverNote is the system message written once per conversation when
// a person takes over, after the customer's question and the AI answer;
// the customer and the agents both read it.
const HandoverNote = "You asked to talk to a person. Someone from our team will reply here."

// HandoverBody is the AI answer as a handover copies it into the
// conversation: its text, then its sources numbered as its [n] citation
// markers count them, so the markers still point somewhere.
func HandoverBody(a Answer) string {
	if len(a.Sources) == 0 {
		return a.Text
	}
	var b strings.Builder
	b.WriteString(a.Text)
	b.WriteString("\n\nSources:")
	for i, src := range a.Sources {
		title := strings.NewReplacer("[", "(", "]", ")").Replace(src.Title)
		if src.URL != nil && *src.URL != "" {
			fmt.Fprintf(&b, "\n%d. [%s](%s)", i+1, title, *src.URL)
		} else {
			fmt.Fprintf(&b, "\n%d. %s", i+1, title)
		}
	}
	return b.String()
}

// builtinHandedOver tells a customer the AI has stepped back.
var builtinHandedOver = map[string]string{
	"en": "A person from our team is handling this conversation and will reply here.",
	"de": "Eine Person aus unserem Team kümmert sich um dieses Gespräch und antwortet hier.",
	"fr": "Une personne de notre équipe s'occupe de cette conversation et vous répondra ici.",
	"es": "Una persona de nuestro equipo está atendiendo esta conversación y responderá aquí.",
	"nl": "Iemand van ons team behandelt dit gesprek en antwoordt hier.",
}

// HandedOverMessage is what the AI says instead of answering inside a
// conversation a person has taken over, in locale's language or English.
func HandedOverMessage(locale string) string {
	lang, _, _ := strings.Cut(locale, "-")
	if v, ok := builtinHandedOver[lang]; ok {
		return v
	}
	return builtinHandedOver["en"]
}
