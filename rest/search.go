package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

type searchRequest struct {
	Query  string  `json:"query"`
	Limit  *int    `json:"limit"`
	Locale *string `json:"locale"`
}

// search is POST /api/customer/search: the workspace's published articles
// that match the query, best first.
func (h *Handler) search(c *gin.Context) {
	var req searchRequest
	if err := bindJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	v, err := h.knowledge.Search(c.Request.Context(), helpium.SearchInput{Query: req.Query, Limit: req.Limit, Locale: req.Locale})
	h.respond(c, http.StatusOK, v, err)
}
