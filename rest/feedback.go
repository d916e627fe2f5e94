package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

// answerFeedback is POST /answers/{id}/feedback: the customer's vote.
func (h *Handler) answerFeedback(c *gin.Context) {
	var in struct {
		Helpful *bool   `json:"helpful"`
		Comment *string `json:"comment"`
	}
	if err := bindJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if in.Helpful == nil {
		h.fail(c, helpium.Invalid("helpful", "helpful is required: true when the answer helped, false when not"))
		return
	}
	v, err := h.mutation.RateAnswer(c.Request.Context(), c.Param("id"), *in.Helpful, in.Comment)
	h.respond(c, http.StatusOK, v, err)
}

// handover is POST /answers/{id}/handover: "Talk to a person".
func (h *Handler) handover(c *gin.Context) {
	var in struct {
		Token          *string `json:"token"`
		InstallationID *string `json:"installation_id"`
	}
	if err := bindJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	v, err := h.mutation.HandOver(c.Request.Context(), c.Param("id"), in.Token, in.InstallationID)
	status := http.StatusCreated
	if err == nil && !v.Created {
		status = http.StatusOK // an existing conversation
	}
	h.respond(c, status, v, err)
}

// csat is POST /conversations/{token}/csat: the customer's rating.
func (h *Handler) csat(c *gin.Context) {
	var in struct {
		Rating  *int    `json:"rating"`
		Comment *string `json:"comment"`
	}
	if err := bindJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if in.Rating == nil {
		h.fail(c, helpium.Invalid("rating", "rating is required: a whole number from 1 to 5"))
		return
	}
	v, err := h.mutation.RateConversation(c.Request.Context(), c.Param("token"), *in.Rating, in.Comment)
	h.respond(c, http.StatusOK, v, err)
}
