// Package answer writes answers to customers' questions from the passages
// a knowledge-base search found, citing them, and refuses when the passages
// do not answer. Two generators: an extractive one (default, offline, no
// network) and one over an OpenAI-compatible chat model, which falls back to
// the extractive answer when the model fails.
package answer

import (
	"context"

	"github.com/helpium/helpium"
)

// Request is a question with the search hits to answer it from, best first.
type Request struct {
	Query string
	Hits  []*helpium.ArticleHit
}

// Result is a generated answer before the service applies the workspace's
// threshold and fallback message.
type Result struct {
	// Answered is false when the passages do not answer the question.
	Answered bool
	// Text is Markdown with [n] citation markers; n indexes Sources from 1.
	Text    string
	Sources []helpium.AnswerSource
	// Confidence is how sure the generator is, 0 to 1.
	Confidence float64
	// Generator names what wrote it.
	Generator helpium.AnswerGenerator
}

// Generator writes answers. The whole answer is checked before it is
// returned; transports that stream it cut the checked text into pieces.
type Generator interface {
	Generate(ctx context.Context, r Request) (*Result, error)
}
