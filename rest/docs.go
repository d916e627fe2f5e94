package rest

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
)

var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111827}
h1{margin-bottom:0}code,pre{font:13px ui-monospace,monospace;background:#f3f4f6;border-radius:4px}
pre{padding:.75rem;overflow:auto}code{padding:.1rem .3rem}
section{border-top:1px solid #e5e7eb;padding:.5rem 0}
.m{display:inline-block;min-width:3.5rem;font-weight:700;color:#1d4ed8}
li{margin:.15rem 0}
</style></head><body>
<h1>{{.Title}}</h1>
<p>Version {{.Version}} · OpenAPI document: <a href="/api/customer/openapi.json">/api/customer/openapi.json</a></p>
<div>{{.Description}}</div>
{{range .Operations}}<section>
<h2><span class="m">{{.Method}}</span> <code>/api/customer{{.Path}}</code></h2>
<p><strong>{{.Summary}}</strong></p>{{if .Description}}<p>{{.Description}}</p>{{end}}
<ul>{{range .Responses}}<li>{{.}}</li>{{end}}</ul>
</section>{{end}}
<section><h2>Schemas</h2><pre>{{.Schemas}}</pre></section>
</body></html>`))

// RegisterDocs serves the OpenAPI document at /api/customer/openapi.json and
// a readable rendering of it at /api/customer/docs, without authentication.
// It fails when the embedded document is invalid.
func RegisterDocs(r gin.IRoutes) error {
	doc, err := OpenAPI()
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	schemas, _ := json.MarshalIndent(doc.Components.Schemas, "", "  ")
	var page bytes.Buffer
	if err := docsPage.Execute(&page, map[string]any{
		"Title": doc.Info.Title, "Version": doc.Info.Version, "Description": doc.Info.Description,
		"Operations": Operations(doc), "Schemas": string(schemas),
	}); err != nil {
		return err
	}
	html := page.Bytes()
	r.GET("/api/customer/openapi.json", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "application/json", raw)
	})
	r.GET("/api/customer/docs", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "text/html; charset=utf-8", html)
	})
	return nil
}
