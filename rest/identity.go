package rest

import (
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium/graph/model"
)

// optionalString tells a JSON field that is absent from one that is null.
type optionalString struct {
	Set   bool
	Value *string
}

func (o *optionalString) UnmarshalJSON(b []byte) error {
	o.Set = true
	return json.Unmarshal(b, &o.Value)
}

type identifyRequest struct {
	Email       string         `json:"email"`
	Name        *string        `json:"name"`
	WidgetToken string         `json:"widget_token"`
	BearerToken optionalString `json:"bearer_token"`
	UserHash    *string        `json:"user_hash"`
}

func (h *Handler) identify(c *gin.Context) {
	var req identifyRequest
	if err := bindJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	in := model.IdentifyInput{Email: req.Email, Name: req.Name, WidgetToken: req.WidgetToken, UserHash: req.UserHash}
	if req.BearerToken.Set {
		in.BearerToken = graphql.OmittableOf(req.BearerToken.Value)
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
