package server

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium/rest"
)

func TestPanicsAndInternalErrorsHideDetails(t *testing.T) {
	logs := new(bytes.Buffer)
	log := NewLogger(logs, "json", slog.LevelInfo)
	r := gin.New()
	r.Use(requestID(), accessLog(log), recovery(log))
	r.GET("/panic", func(*gin.Context) { panic("secret detail in panic") })
	r.GET("/fail", func(c *gin.Context) { rest.WriteError(c, log, errors.New("pq: secret detail in error")) })

	for _, path := range []string{"/panic", "/fail"} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		want := `{"error":{"message":"Internal error.","status":500,"code":"internal"}}`
		if w.Code != http.StatusInternalServerError || w.Body.String() != want {
			t.Errorf("%s: %d %s, want 500 %s", path, w.Code, w.Body, want)
		}
	}
	if !strings.Contains(logs.String(), "secret detail in panic") || !strings.Contains(logs.String(), "secret detail in error") {
		t.Errorf("details not logged: %s", logs)
	}
}
