package model

import "github.com/99designs/gqlgen/graphql"

// The widget's inputs, written here rather than generated so that the
// Customer API decodes its JSON bodies (snake_case, as REST bodies are)
// straight into them and calls the same resolvers; gqlgen.yml binds them.

// CreateConversationInput starts a conversation (createConversation, POST
// /conversations).
type CreateConversationInput struct {
	Message         string  `json:"message"`
	ClientMessageID *string `json:"client_message_id"`
	InstallationID  *string `json:"installation_id"`
	// Files come from a multipart request, never from JSON.
	Files []*graphql.Upload `json:"-"`
}

// SendMessageInput is a customer's message (sendMessage, POST
// /conversations/{token}/messages, where the token is in the path).
type SendMessageInput struct {
	Token           string  `json:"-"`
	Body            string  `json:"body"`
	ClientMessageID *string `json:"client_message_id"`
	// Files come from a multipart request, never from JSON.
	Files []*graphql.Upload `json:"-"`
}

// IdentifyInput links a customer's identity (identify, POST
// /tracking/identify). BearerToken tells absent (kept) from null
// (cleared).
type IdentifyInput struct {
	Email       string                     `json:"email"`
	Name        *string                    `json:"name"`
	WidgetToken string                     `json:"widget_token"`
	BearerToken graphql.Omittable[*string] `json:"bearer_token"`
	UserHash    *string                    `json:"user_hash"`
}
