package account

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
)

// Subscriptions reads and stops a customer's emails by the signed link an
// email carries (service.Notifications).
type Subscriptions interface {
	EmailSubscriptionByLink(ctx context.Context, customerID, tag string) (*helpium.EmailSubscription, error)
	Unsubscribe(ctx context.Context, customerID, tag string) (*helpium.EmailSubscription, error)
}

// unsubscribeCSP allows the page's stylesheet and its form posting back
// here, nothing else (no script at all).
const unsubscribeCSP = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>{{.Title}}</title>
<link rel="stylesheet" href="/app/account/page.css">
</head>
<body>
<main>
  <h1>{{.Title}}</h1>
  {{if .Error}}<p id="status" class="error" role="alert">{{.Error}}</p>
  {{else if .Sub.Unsubscribed}}<p id="status" role="status">{{.Sub.MaskedEmail}} gets no more emails about conversations with {{.Sub.WorkspaceName}}: no replies you missed in the chat, no transcripts.</p>
  {{else}}<p>Stop the emails {{.Sub.WorkspaceName}} sends to {{.Sub.MaskedEmail}} about your conversations with them: the replies you missed in the chat, and transcripts.</p>
  <form method="post" action="{{.Action}}">
    <button type="submit">Unsubscribe</button>
  </form>{{end}}
</main>
</body>
</html>
`))

type unsubscribeView struct {
	Title  string
	Error  string
	Sub    *helpium.EmailSubscription
	Action string
}

// RegisterUnsubscribe adds the page that emails' unsubscribe links open
// (path, with the customer in c and the link's signature in s). GET shows
// what the link stops and a button, and changes nothing, since mail
// scanners open links; POST unsubscribes, from that button or from a mail
// client's one-click button (RFC 8058 List-Unsubscribe-Post, whose body
// is ignored).
func RegisterUnsubscribe(r gin.IRouter, path string, subs Subscriptions, log *slog.Logger) {
	page := func(c *gin.Context, sub *helpium.EmailSubscription, err error) {
		c.Header("Content-Security-Policy", unsubscribeCSP)
		c.Header("Cache-Control", "no-store")
		c.Header("Content-Type", "text/html; charset=utf-8")
		v := unsubscribeView{Title: "Unsubscribe", Sub: sub,
			Action: path + "?" + url.Values{"c": {c.Query("c")}, "s": {c.Query("s")}}.Encode()}
		status := http.StatusOK
		switch code := helpium.ErrorCode(err); {
		case err == nil:
			if sub.Unsubscribed {
				v.Title = "You are unsubscribed"
			}
		case code == helpium.ENotFound:
			status, v.Title, v.Error = http.StatusNotFound, "Link not valid", helpium.ErrorMessage(err)
		case code == helpium.EUnavailable:
			status, v.Error = http.StatusServiceUnavailable, "The service is temporarily unavailable. Please try again in a moment."
		default:
			log.ErrorContext(c.Request.Context(), "unsubscribe page", "err", err)
			status, v.Error = http.StatusInternalServerError, "Something went wrong. Please try again later."
		}
		c.Status(status)
		if err := unsubscribePage.Execute(c.Writer, v); err != nil {
			log.WarnContext(c.Request.Context(), "unsubscribe page", "err", err)
		}
	}
	r.GET(path, func(c *gin.Context) {
		sub, err := subs.EmailSubscriptionByLink(c.Request.Context(), c.Query("c"), c.Query("s"))
		page(c, sub, err)
	})
	r.POST(path, func(c *gin.Context) {
		sub, err := subs.Unsubscribe(c.Request.Context(), c.Query("c"), c.Query("s"))
		page(c, sub, err)
	})
}
