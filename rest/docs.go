package rest

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

var docsPage = template.Must(template.New("docs").Funcs(template.FuncMap{"md": markdown}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111827}
h1{margin-bottom:0}code,pre{font:13px ui-monospace,monospace;background:#f3f4f6;border-radius:4px}
pre{padding:.75rem;overflow:auto}code{padding:.1rem .3rem}
section{border-top:1px solid #e5e7eb;padding:.5rem 0}
.m{display:inline-block;min-width:3.5rem;font-weight:700;color:#1d4ed8}
li{margin:.15rem 0}table{border-collapse:collapse;margin:.5rem 0}
th,td{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid #e5e7eb}
.req{color:#b91c1c;font-size:12px}
</style></head><body>
<h1>{{.Title}}</h1>
<p>Version {{.Version}} · OpenAPI document: <a href="/api/customer/openapi.json">/api/customer/openapi.json</a></p>
<div>{{md .Description}}</div>
{{range .Operations}}<section>
<h2><span class="m">{{.Method}}</span> <code>/api/customer{{.Path}}</code></h2>
<p><strong>{{.Summary}}</strong></p>{{if .Description}}{{md .Description}}{{end}}
{{if .Inputs}}<table><tr><th>input</th><th>in</th><th>type</th><th>description</th></tr>
{{range .Inputs}}<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{.In}}</td><td>{{.Type}}</td>
<td>{{md .Description}}{{if .Limits}}<div>{{.Limits}}</div>{{end}}</td></tr>
{{end}}</table>{{end}}
<ul>{{range .Responses}}<li>{{md .}}</li>{{end}}</ul>
</section>{{end}}
<section><h2>Schemas</h2><pre>{{.Schemas}}</pre></section>
</body></html>`))

// markdown renders the little Markdown the document's descriptions use:
// paragraphs and ` + "`code`" + ` spans; everything else is escaped text.
func markdown(s string) template.HTML {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		b.WriteString("<p>")
		for i, part := range strings.Split(strings.Join(strings.Fields(para), " "), "`") {
			if i%2 == 1 {
				b.WriteString("<code>" + template.HTMLEscapeString(part) + "</code>")
			} else {
				b.WriteString(template.HTMLEscapeString(part))
			}
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

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
		c.Header("Access-Control-Allow-Origin", "*") // hosted viewers fetch it
		c.Data(http.StatusOK, "application/json", raw)
	})
	r.GET("/api/customer/docs", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "text/html; charset=utf-8", html)
	})
	return nil
}
