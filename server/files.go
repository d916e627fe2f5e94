package server

import (
	"encoding/hex"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium/rest"
	"github.com/helpium/helpium/service"
)

// serveAttachment answers an attachment's signed link (GET /files/:id).
// Nothing a customer uploads can run in Helpium's origin: every file is
// sent with the type its content was judged to have, nosniff and a
// sandbox CSP, and only raster images are inline; everything else is a
// download.
func serveAttachment(svc *service.Service, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, r, err := svc.Files.OpenAttachment(c.Request.Context(), c.Param("id"), c.Query("expires"), c.Query("signature"))
		if err != nil {
			rest.WriteError(c, log, err)
			return
		}
		defer r.Close()
		disposition := "attachment"
		if a.Inline() {
			disposition = "inline"
		}
		h := c.Writer.Header()
		h.Set("Content-Type", a.ContentType)
		h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
		if d := mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}); d != "" {
			h.Set("Content-Disposition", d)
		} else {
			h.Set("Content-Disposition", disposition)
		}
		h.Set("Cache-Control", "private, max-age=3600")
		h.Set("ETag", `"`+hex.EncodeToString(a.SHA256)+`"`)
		// The widget shows images on the business's own site.
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		c.Status(http.StatusOK)
		if _, err := io.Copy(c.Writer, r); err != nil {
			log.WarnContext(c.Request.Context(), "attachment download cut short", "attachment", a.ID, "err", err)
		}
	}
}
