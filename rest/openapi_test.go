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
		// The rate-limit headers: required where the request was counted,
		// absent where it was refused before (the contract middleware of
		// the server tests holds every response to this).
		for code, r := range res.Map() {
			for _, h := range rateLimitHeaders {
				got := r.Value.Headers[h]
				switch code {
				case "401", "403", "405":
					if got != nil {
						t.Errorf("%s %s %s documents %s", op.Method, op.Path, code, h)
					}
				case "413", "500", "503", "default":
					if got == nil || got.Value.Required {
						t.Errorf("%s %s %s: %s should be documented as optional", op.Method, op.Path, code, h)
					}
				default:
					if got == nil || !got.Value.Required {
						t.Errorf("%s %s %s: %s should be documented as required", op.Method, op.Path, code, h)
					}
				}
			}
		}
	}
}
