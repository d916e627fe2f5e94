package graph

import (
	"context"

	"github.com/helpium/helpium"
)

// Search and AnswerQuestion are the searchArticles and answer fields with
// their arguments gathered into the domain's inputs. The fields build the
// inputs from their arguments and the Customer API from its JSON bodies, so
// neither transport passes the other's arguments.

// Search is searchArticles.
func (r *Resolver) Search(ctx context.Context, in helpium.SearchInput) (*helpium.SearchResults, error) {
	return r.Service.Knowledge.Search(ctx, in)
}

// AnswerQuestion is answer.
func (r *Resolver) AnswerQuestion(ctx context.Context, in helpium.AnswerInput) (*helpium.Answer, error) {
	return r.Service.Knowledge.Answer(ctx, in)
}
