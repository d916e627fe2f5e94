package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium/graph/model"
)

func (h *Handler) identify(c *gin.Context) {
	var in model.IdentifyInput
	if err := bindJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	v, err := h.mutation.Identify(c.Request.Context(), in)
	h.respond(c, http.StatusOK, v, err)
}

type conversationList struct {
	Conversations any `json:"conversations"`
}

func (h *Handler) sessionConversations(c *gin.Context) {
	v, err := h.query.WidgetConversations(c.Request.Context(), c.GetHeader("X-Widget-Token"))
	h.respond(c, http.StatusOK, conversationList{v}, err)
}
