package answer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/answer"
	"github.com/helpium/helpium/embed"
	"github.com/helpium/helpium/internal/apptest"
)

// modelSimilarity scores texts with a real embedder, as search.Index does.
type modelSimilarity struct{ embed.Embedder }

func (m modelSimilarity) Similarities(ctx context.Context, query string, texts []string) ([]float64, error) {
	vecs, err := m.Embed(ctx, append([]string{query}, texts...))
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(texts))
	for i, v := range vecs[1:] {
		out[i] = embed.Cosine(vecs[0], v)
	}
	return out, nil
}

// failing is a Similarity that fails, as an embedder past its deadline.
type failing struct{}

func (failing) Similarities(context.Context, string, []string) ([]float64, error) {
	return nil, context.DeadlineExceeded
}

// The answer to the question shares none of its words; a dozen sentences
// share one, in another sense (the Home plan), and fill the word budget.
// Scored by the default embedder, the answer is quoted; counting words, it
// is not; and when the scorer fails, the words' count decides.
func TestExtractiveScoresSentencesByMeaning(t *testing.T) {
	const want = "If you are out, we leave a card and try again the next working day."
	var text strings.Builder
	for _, printer := range []string{"Aster", "Birch", "Cedar", "Dahlia", "Elm", "Fern", "Gorse", "Hazel", "Iris", "Juniper", "Kale", "Lilac"} {
		text.WriteString("Our Home plan includes printer setup for " + printer + " models at no extra cost today. ")
	}
	text.WriteString(want)
	h := &helpium.ArticleHit{ArticleID: "d1", Title: "Delivery", Score: 0.9,
		Passages: []*helpium.Passage{{ArticleID: "d1", Title: "Delivery", Text: text.String(), Score: 0.9, Similarity: 0.6}}}
	q := answer.Request{Query: "what happens if nobody is home when the driver comes", Hits: []*helpium.ArticleHit{h}}

	for _, c := range []struct {
		name   string
		sim    answer.Similarity
		quoted bool
	}{
		{"by the model", modelSimilarity{apptest.TestEmbedder(t)}, true},
		{"by words", nil, false},
		{"by words when the model fails", failing{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := answer.NewExtractive()
			g.Similarity = c.sim
			res, err := g.Generate(context.Background(), q)
			if err != nil || !res.Answered {
				t.Fatalf("%+v %v", res, err)
			}
			if got := strings.Contains(res.Text, want); got != c.quoted {
				t.Errorf("quoted %q: %v, want %v\n%s", want, got, c.quoted, res.Text)
			}
		})
	}
}
