package rest

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/graph"
	"github.com/helpium/helpium/graph/model"
)

// Handler serves the Customer API over the GraphQL resolvers, so both
// transports run the same code.
type Handler struct {
	knowledge    *graph.Resolver // Search and AnswerQuestion
	query        graph.QueryResolver
	mutation     graph.MutationResolver
	subscription graph.SubscriptionResolver
	log          *slog.Logger
}

// New returns a Handler over r.
func New(r *graph.Resolver, log *slog.Logger) *Handler {
	return &Handler{knowledge: r, query: r.Query(), mutation: r.Mutation(), subscription: r.Subscription(), log: log}
}

// Register adds the Customer API routes to g (mounted at /api/customer,
// behind the widget-key middleware).
func (h *Handler) Register(g *gin.RouterGroup) {
	g.GET("/widget/settings", h.widgetSettings)
	g.POST("/conversations", h.createConversation)
	g.GET("/conversations", h.sessionConversations)
	g.POST("/tracking/identify", h.identify)
	g.GET("/conversations/:token", h.conversation)
	g.POST("/conversations/:token/messages", h.sendMessage)
	g.GET("/conversations/:token/messages", h.messages)
	g.GET("/conversations/:token/events", h.events)
	g.POST("/conversations/:token/typing", h.typing)
	g.POST("/conversations/:token/read", h.read)
	g.POST("/conversations/:token/csat", h.csat)
	g.POST("/conversations/:token/transcript", h.transcript)
	g.POST("/conversations/resume", h.resume)
	g.POST("/search", h.search)
	g.POST("/search/answer", h.answer)
	g.POST("/answers/:id/feedback", h.answerFeedback)
	g.POST("/answers/:id/handover", h.handover)
}

func (h *Handler) respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(status, v)
}

func (h *Handler) fail(c *gin.Context, err error) { WriteError(c, h.log, err) }

func (h *Handler) widgetSettings(c *gin.Context) {
	v, err := h.query.WidgetSettings(c.Request.Context())
	h.respond(c, http.StatusOK, v, err)
}

func (h *Handler) createConversation(c *gin.Context) {
	var in model.CreateConversationInput
	form, err := bindMessage(c, &in, map[string]**string{"client_message_id": &in.ClientMessageID, "installation_id": &in.InstallationID},
		"message", &in.Message, &in.Files)
	if err != nil {
		h.fail(c, err)
		return
	}
	defer form.close()
	v, err := h.mutation.CreateConversation(c.Request.Context(), in)
	status := http.StatusCreated
	if err == nil && !v.Created {
		status = http.StatusOK // a retry: the conversation it started
	}
	h.respond(c, status, v, err)
}

func (h *Handler) conversation(c *gin.Context) {
	v, err := h.query.WidgetConversation(c.Request.Context(), c.Param("token"))
	h.respond(c, http.StatusOK, v, err)
}

func (h *Handler) sendMessage(c *gin.Context) {
	in := model.SendMessageInput{Token: c.Param("token")}
	form, err := bindMessage(c, &in, map[string]**string{"client_message_id": &in.ClientMessageID}, "body", &in.Body, &in.Files)
	if err != nil {
		h.fail(c, err)
		return
	}
	defer form.close()
	v, err := h.mutation.SendMessage(c.Request.Context(), in)
	if err != nil {
		h.fail(c, err)
		return
	}
	status := http.StatusCreated
	if !v.Created {
		status = http.StatusOK
	}
	c.JSON(status, v.Message)
}

func (h *Handler) messages(c *gin.Context) {
	var after *string
	if v, ok := c.GetQuery("after"); ok {
		after = &v
	}
	var limit *int
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			h.fail(c, helpium.Invalid("limit", "limit must be a whole number"))
			return
		}
		limit = &n
	}
	v, err := h.query.WidgetMessages(c.Request.Context(), c.Param("token"), after, limit)
	h.respond(c, http.StatusOK, v, err)
}

func (h *Handler) typing(c *gin.Context) {
	var in struct {
		Typing *bool `json:"typing"`
	}
	if err := bindJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if in.Typing == nil {
		h.fail(c, helpium.Invalid("typing", "typing is required: true when the customer types, false when they stop"))
		return
	}
	if _, err := h.mutation.WidgetTyping(c.Request.Context(), c.Param("token"), *in.Typing); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) read(c *gin.Context) {
	var in struct {
		MessageID string `json:"message_id"`
	}
	if err := bindJSON(c, &in); err != nil {
		h.fail(c, err)
		return
	}
	if in.MessageID == "" {
		h.fail(c, helpium.Invalid("message_id", "message_id is required: the newest message the customer has seen"))
		return
	}
	v, err := h.mutation.MarkWidgetRead(c.Request.Context(), c.Param("token"), in.MessageID)
	h.respond(c, http.StatusOK, v, err)
}
