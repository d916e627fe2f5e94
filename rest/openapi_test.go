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
		for code, r := range res.Map() {
			for _, h := range rateLimitHeaders {
				if r.Value.Headers[h] == nil {
					t.Errorf("%s %s %s lacks %s", op.Method, op.Path, code, h)
				}
			}
		}
	}
}
