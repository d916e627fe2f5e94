package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

type answerRequest struct {
	Query          string  `json:"query"`
	Locale         *string `json:"locale"`
	WidgetToken    *string `json:"widget_token"`
	InstallationID *string `json:"installation_id"`
}

// answer is POST /api/customer/search/answer. With Accept:
// text/event-stream the answer is sent as Server-Sent Events — "sources",
// then "delta" pieces of the text, then "done" with the final object —
// otherwise as JSON. The answer is checked (citations, threshold) before
// any of it is sent.
func (h *Handler) answer(c *gin.Context) {
	var req answerRequest
	if err := bindJSON(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	v, err := h.knowledge.AnswerQuestion(c.Request.Context(), helpium.AnswerInput{Query: req.Query, Locale: req.Locale, WidgetToken: req.WidgetToken, InstallationID: req.InstallationID})
	if err != nil {
		h.fail(c, err)
		return
	}
	if !strings.Contains(c.GetHeader("Accept"), "text/event-stream") {
		c.JSON(http.StatusOK, v)
		return
	}
	http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(time.Minute)) //nolint:errcheck
	w := c.Writer
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, data any) bool {
		raw, err := json.Marshal(data)
		if err != nil {
			return false
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, raw); err != nil {
			return false
		}
		w.Flush()
		return true
	}
	if !send("sources", gin.H{"sources": v.Sources}) {
		return
	}
	for _, piece := range answerPieces(v) {
		if !send("delta", gin.H{"text": piece}) {
			return
		}
	}
	send("done", v)
}

// answerPieces cuts the answer text into word-sized deltas.
func answerPieces(a *helpium.Answer) []string {
	var out []string
	text := a.Text
	for len(text) > 0 {
		i := strings.IndexAny(text[1:], " \n")
		if i < 0 {
			out = append(out, text)
			break
		}
		out = append(out, text[:i+1])
		text = text[i+1:]
	}
	return out
}
