package rest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var openAPIYAML []byte

// rateLimitHeaders are on every Customer API response.
var rateLimitHeaders = []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}

// OpenAPI loads the Customer API's OpenAPI 3.1 document, adds the
// rate-limit headers to every response and validates it.
func OpenAPI() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, res := range op.Responses.Map() {
				if res.Value.Headers == nil {
					res.Value.Headers = openapi3.Headers{}
				}
				for _, h := range rateLimitHeaders {
					res.Value.Headers[h] = &openapi3.HeaderRef{Ref: "#/components/headers/" + h, Value: doc.Components.Headers[h].Value}
				}
			}
		}
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return doc, nil
}

// OpenAPIJSON returns the document as JSON, as served at
// /api/customer/openapi.json.
func OpenAPIJSON() ([]byte, error) {
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

// Operation is one documented operation, for the rendered docs.
type Operation struct {
	Method, Path, Summary, Description string
	Responses                          []string
}

// Operations lists the document's operations in path order.
func Operations(doc *openapi3.T) []Operation {
	var ops []Operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := Operation{Method: method, Path: path, Summary: op.Summary, Description: op.Description}
			for code, res := range op.Responses.Map() {
				desc := ""
				if res.Value != nil && res.Value.Description != nil {
					desc = *res.Value.Description
				}
				o.Responses = append(o.Responses, code+" "+desc)
			}
			sort.Strings(o.Responses)
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}
