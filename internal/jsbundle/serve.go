package jsbundle

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// Serve answers GET on each route with its file from files, under the
// Content-Security-Policy csp, gzipped to clients that accept it. A file
// that is missing panics: the files are embedded at build time.
func Serve(r gin.IRouter, files fs.FS, routes map[string]string, csp string) {
	for route, file := range routes {
		body, err := fs.ReadFile(files, file)
		if err != nil {
			panic(err)
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		contentType := contentTypes[path.Ext(file)]
		r.GET(route, func(c *gin.Context) {
			c.Header("Content-Security-Policy", csp)
			c.Header("Cache-Control", "no-cache")
			c.Header("Vary", "Accept-Encoding")
			if strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
				c.Header("Content-Encoding", "gzip")
				c.Data(http.StatusOK, contentType, gz.Bytes())
				return
			}
			c.Data(http.StatusOK, contentType, body)
		})
	}
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
}
