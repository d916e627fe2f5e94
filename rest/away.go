package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// transcript emails the conversation's transcript to its identified
// customer: 202, as the email goes out after the answer.
func (h *Handler) transcript(c *gin.Context) {
	if _, err := h.mutation.RequestTranscript(c.Request.Context(), c.Param("token")); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"queued": true})
}

// resume trades an away email's resume code for the conversation and a
// new widget token.
func (h *Handler) resume(c *gin.Context) {
	var in struct {
		Code string `json:"code"`
	}
	if err := bindJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	v, err := h.mutation.ResumeConversation(c.Request.Context(), in.Code)
	h.respond(c, http.StatusOK, v, err)
}
