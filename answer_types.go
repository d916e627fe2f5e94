package helpium

import "strings"

// AnswerSource is an article an answer cites.
type AnswerSource struct {
	ArticleID string  `json:"article_id"`
	Title     string  `json:"title"`
	URL       *string `json:"url"`
}

// Answer is an answer to a customer's question written from the
// workspace's published articles. When Answered is false, Text is the
// workspace's fallback message inviting the customer to start a
// conversation, and Sources is empty.
type Answer struct {
	// ID names the answer for feedback and handover; null when it was not
	// kept (an agent's preview, or a conversation a person has taken over).
	ID         *string        `json:"answer_id"`
	Answered   bool           `json:"answered"`
	Text       string         `json:"answer"`
	Sources    []AnswerSource `json:"sources"`
	Confidence float64        `json:"confidence"`
	// Generator says what wrote it.
	Generator AnswerGenerator `json:"generator"`
	// HandedOver: the question came from a conversation a person has taken
	// over, so the AI did not answer; Text says the team will reply.
	HandedOver bool `json:"handed_over"`
}

// AnswerGenerator names what wrote an answer.
type AnswerGenerator string

// Answer generators.
const (
	GeneratorExtractive         AnswerGenerator = "extractive"          // quoted from the articles
	GeneratorLLM                AnswerGenerator = "llm"                 // written by the language model
	GeneratorExtractiveFallback AnswerGenerator = "extractive-fallback" // the model failed; quoted instead
	GeneratorLLMActions         AnswerGenerator = "llm-actions"         // the model, with AI Actions' results
	GeneratorNone               AnswerGenerator = "none"                // nothing relevant was found
)

// Valid reports whether g is a known generator.
func (g AnswerGenerator) Valid() bool {
	switch g {
	case GeneratorExtractive, GeneratorLLM, GeneratorExtractiveFallback, GeneratorLLMActions, GeneratorNone:
		return true
	}
	return false
}

// AnswerSettings is how a workspace's AI answers behave.
type AnswerSettings struct {
	// Threshold is the confidence (0 to 1) below which the answer step
	// declines and shows the fallback message.
	Threshold float64 `json:"threshold"`
	// FallbackMessages are the messages shown when there is no answer, by
	// locale ("en", "pt-BR"); built-in ones cover the rest.
	FallbackMessages map[string]string `json:"fallback_messages,omitempty"`
}

// DefaultAnswerThreshold is the default workspace threshold on an answer's
// confidence (see answer.Confidence and EVAL.md for how it was chosen).
const DefaultAnswerThreshold = 0.27

// DefaultMinSimilarity is the search's relevance threshold with the
// default embedder: an article none of whose chunks is this similar to the
// query (cosine) is dropped unless it matches the query's words.
const DefaultMinSimilarity = 0.35

// builtinFallback is used for locales a workspace has not set.
var builtinFallback = map[string]string{
	"en": "I couldn't find an answer to that in our help center. Start a conversation and our team will help you.",
	"de": "Dazu habe ich in unserem Hilfe-Center keine Antwort gefunden. Starten Sie ein Gespräch, unser Team hilft Ihnen gern.",
	"fr": "Je n'ai pas trouvé de réponse dans notre centre d'aide. Démarrez une conversation et notre équipe vous aidera.",
	"es": "No encontré una respuesta en nuestro centro de ayuda. Inicia una conversación y nuestro equipo te ayudará.",
	"nl": "Ik heb daar geen antwoord op gevonden in ons helpcentrum. Start een gesprek, dan helpt ons team je verder.",
}

// Fallback returns the message for locale: the workspace's own for that
// locale or its language, else the built-in one, else English.
func (s AnswerSettings) Fallback(locale string) string {
	lang, _, _ := strings.Cut(locale, "-")
	for _, m := range []map[string]string{s.FallbackMessages, builtinFallback} {
		if v, ok := m[locale]; ok {
			return v
		}
		if v, ok := m[lang]; ok {
			return v
		}
	}
	if v, ok := s.FallbackMessages["en"]; ok {
		return v
	}
	return builtinFallback["en"]
}

// Validate checks the settings.
func (s AnswerSettings) Validate() error {
	if s.Threshold < 0 || s.Threshold > 1 {
		return Invalid("threshold", "threshold must be between 0 and 1")
	}
	if len(s.FallbackMessages) > 50 {
		return Invalid("fallbackMessages", "at most 50 fallback messages")
	}
	for loc, msg := range s.FallbackMessages {
		if !localePattern.MatchString(loc) {
			return Invalid("fallbackMessages.locale", "%q is not a language tag like en or pt-BR", loc)
		}
		if err := CheckText("fallbackMessages.message", msg, 500, true); err != nil {
			return err
		}
	}
	return nil
}

// AnswerInput is a question as a client sends it. WidgetToken, when set,
// names the customer's conversation, so a configured language model may
// run the workspace's AI Actions for the identified customer.
type AnswerInput struct {
	Query       string
	Locale      *string
	WidgetToken *string // widgets only
	WorkspaceID *string // agents only
	// InstallationID is the widget's random id for the browser; it links
	// the answer to a conversation the same browser starts later, for the
	// deflection rate.
	InstallationID *string // widgets only
}
