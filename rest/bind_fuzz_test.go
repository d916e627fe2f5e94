package rest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/graph/model"
)

// FuzzBindJSON feeds arbitrary bodies and content types to the decoder of
// every Customer API request type. Invariants: no panic; success or an
// *helpium.Error whose envelope is a 4xx (never internal), naming a field
// for invalid_input.
func FuzzBindJSON(f *testing.F) {
	for _, seed := range []struct {
		body, ct string
	}{
		{`{"message":"hi"}`, "application/json"},
		{`{"body":"x","client_message_id":"m-1"}`, "application/json; charset=utf-8"},
		{`{"message":"a","message":"b"}`, "application/json"},
		{`{"message": 42}`, "application/json"},
		{"{\"message\": \"\xff\xfe\"}", "application/json"},
		{`{"message": "a\u0000b"}`, "application/json"},
		{`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`, "application/json"},
		{`{"email":"a@b.test","widget_token":"wt_x","bearer_token":null}`, "application/json"},
		{`{"query":"reset password","limit":99999999999999999999}`, "application/json"},
		{`message=hi`, "text/plain"},
		{``, "application/json"},
		{`{"message":"x"} {"message":"y"}`, "application/json"},
	} {
		f.Add([]byte(seed.body), seed.ct)
	}
	gin.SetMode(gin.ReleaseMode)
	targets := []func() any{
		func() any { return new(model.CreateConversationInput) },
		func() any { return new(model.SendMessageInput) },
		func() any { return new(model.IdentifyInput) },
		func() any { return new(searchRequest) },
		func() any { return new(answerRequest) },
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		for _, newDst := range targets {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			c.Request.Header.Set("Content-Type", contentType)
			c.Request.Body = http.MaxBytesReader(w, c.Request.Body, 64<<10)
			err := bindJSON(c, newDst())
			if err == nil {
				continue
			}
			env := NewEnvelope(err)
			if env.Error.Status < 400 || env.Error.Status >= 500 || env.Error.Message == "" {
				t.Fatalf("%q (%s): envelope %+v", body, contentType, env)
			}
			if env.Error.Code == helpium.EInvalid && env.Error.Field == "" {
				t.Fatalf("%q: invalid_input without a field: %+v", body, env)
			}
		}
	})
}
