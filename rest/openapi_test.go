package rest

import (
	"encoding/json"
	"testing"
)

func TestOpenAPIDocumentIsValidAndComplete(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("version %s, want 3.1", doc.OpenAPI)
	}
	raw, err := OpenAPIJSON()
	if err != nil || !json.Valid(raw) {
		t.Fatalf("json: %v", err)
	}
	for _, op := range Operations(doc) {
		res := doc.Paths.Find(op.Path).GetOperation(op.Method).Responses
		for _, code := range []string{"401", "429"} {
			if res.Value(code) == nil {
				t.Errorf("%s %s does not document %s", op.Method, op.Path, code)
			}
		}
		// The rate-limit headers as rateLimited says (the contract
		// middleware of the server tests holds every response to this).
		for code, r := range res.Map() {
			documented, required := rateLimited(code)
			for _, h := range rateLimitHeaders {
				got := r.Value.Headers[h]
				if (got != nil) != documented || got != nil && got.Value.Required != required {
					t.Errorf("%s %s %s: %s documented %v (required %v), want %v (%v)", op.Method, op.Path, code, h, got != nil, got != nil && got.Value.Required, documented, required)
				}
			}
		}
	}
}

func TestRateLimited(t *testing.T) {
	for status, want := range map[string][2]bool{
		"200": {true, true}, "201": {true, true}, "404": {true, true}, "422": {true, true}, "429": {true, true},
		"401": {false, false}, "403": {false, false}, "405": {false, false},
		"413": {true, false}, "500": {true, false}, "503": {true, false},
	} {
		if documented, required := rateLimited(status); documented != want[0] || required != want[1] {
			t.Errorf("rateLimited(%s) = %v, %v; want %v, %v", status, documented, required, want[0], want[1])
		}
	}
}
