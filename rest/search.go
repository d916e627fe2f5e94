package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"
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
	v, err := h.query.SearchArticles(c.Request.Context(), req.Query, req.Limit, req.Locale, nil, nil)
	h.respond(c, http.StatusOK, v, err)
}
