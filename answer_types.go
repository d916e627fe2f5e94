package helpium

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
	Answered   bool           `json:"answered"`
	Text       string         `json:"answer"`
	Sources    []AnswerSource `json:"sources"`
	Confidence float64        `json:"confidence"`
	// Generator says what wrote it: extractive, llm, or
	// extractive-fallback when the model failed and the extractive
	// generator stood in.
	Generator string `json:"generator"`
}
