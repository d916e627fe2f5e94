package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

// ssePing is how often an idle stream sends a comment, so proxies and
// browsers keep the connection open.
const ssePing = 15 * time.Second

// events streams the conversation's customer-visible messages as
// Server-Sent Events. Each event's id is the message's cursor, so a
// reconnecting EventSource (Last-Event-ID) resumes without losing or
// repeating a message; ?after=CURSOR does the same for other clients. The
// team's typing and reads come as typing and read events without an id
// (they leave the resume point alone and are not replayed).
func (h *Handler) events(c *gin.Context) {
	var after *string
	if v := c.GetHeader("Last-Event-ID"); v != "" {
		after = &v
	} else if v, ok := c.GetQuery("after"); ok {
		after = &v
	}
	ctx := c.Request.Context()
	msgs, err := h.subscription.WidgetMessageAdded(ctx, c.Param("token"), after)
	if err != nil {
		h.fail(c, err)
		return
	}
	activity, err := h.subscription.WidgetActivity(ctx, c.Param("token"))
	if err != nil {
		h.fail(c, err)
		return
	}
	// The stream outlives the server's read and write timeouts: the read
	// deadline would otherwise cancel the request's context mid-stream.
	rc := http.NewResponseController(c.Writer)
	if err := errors.Join(rc.SetReadDeadline(time.Time{}), rc.SetWriteDeadline(time.Time{})); err != nil {
		h.fail(c, helpium.Internal(fmt.Errorf("event stream deadlines: %w", err)))
		return
	}
	w := c.Writer
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	w.Flush()

	ping := time.NewTicker(ssePing)
	defer ping.Stop()
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				return
			}
			if err := writeMessageEvent(w, m); err != nil {
				return
			}
		case a, ok := <-activity:
			if !ok {
				return
			}
			if err := writeActivityEvent(w, a); err != nil {
				return
			}
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		case <-ctx.Done():
			return
		case <-helpium.Draining(ctx):
			return // the server is shutting down; the client reconnects
		}
		w.Flush()
	}
}

func writeMessageEvent(w gin.ResponseWriter, m *helpium.Message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %s\nevent: message\ndata: %s\n\n", helpium.MessageCursor(m.Seq), data)
	return err
}

func writeActivityEvent(w gin.ResponseWriter, a *helpium.ConversationActivity) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", a.Kind, data)
	return err
}
