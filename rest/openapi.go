package rest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var openAPIYAML []byte

// rateLimitHeaders are on every response to a request counted against a
// limit.
var rateLimitHeaders = []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}

// rateLimited says whether a response with this status carries the
// rate-limit headers: never when the request was refused before it was
// counted (401 no or unknown key, 403 origin not allowed, 405), only when
// it failed after counting for 413, 500 and 503 (a body found too large
// while reading it, a failure in the handler, not one while checking the
// key), always otherwise.
func rateLimited(status string) (documented, required bool) {
	switch status {
	case "401", "403", "405":
		return false, false
	case "413", "500", "503", "default":
		return true, false
	}
	return true, true
}

// OpenAPI loads the Customer API's OpenAPI 3.1 document, adds the
// rate-limit headers to the responses that carry them (see rateLimited)
// and validates it.
func OpenAPI() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	always, sometimes := openapi3.Headers{}, openapi3.Headers{}
	for _, h := range rateLimitHeaders {
		ref := "#/components/headers/" + h
		v := doc.Components.Headers[h].Value
		required := *v
		required.Required = true
		always[h] = &openapi3.HeaderRef{Ref: ref, Value: &required}
		sometimes[h] = &openapi3.HeaderRef{Ref: ref, Value: v}
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status, res := range op.Responses.Map() {
				documented, required := rateLimited(status)
				if !documented {
					continue
				}
				add := sometimes
				if required {
					add = always
				}
				if res.Value.Headers == nil {
					res.Value.Headers = openapi3.Headers{}
				}
				maps.Copy(res.Value.Headers, add)
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
	Inputs                             []Input
	Responses                          []string
}

// Input is one documented parameter or request body field.
type Input struct {
	Name, In, Type, Limits, Description string
	Required                            bool
}

// Operations lists the document's operations in path order.
func Operations(doc *openapi3.T) []Operation {
	var ops []Operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := Operation{Method: method, Path: path, Summary: op.Summary, Description: op.Description}
			for _, p := range append(item.Parameters, op.Parameters...) {
				in := Input{Name: p.Value.Name, In: p.Value.In, Required: p.Value.Required, Description: p.Value.Description}
				if p.Value.Schema != nil {
					in.Type, in.Limits = describeSchema(p.Value.Schema.Value)
				}
				o.Inputs = append(o.Inputs, in)
			}
			if op.RequestBody != nil {
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					body := mt.Schema.Value
					for _, name := range slices.Sorted(maps.Keys(body.Properties)) {
						prop := body.Properties[name].Value
						in := Input{Name: name, In: "body", Required: slices.Contains(body.Required, name), Description: prop.Description}
						in.Type, in.Limits = describeSchema(prop)
						o.Inputs = append(o.Inputs, in)
					}
				}
			}
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

// describeSchema names a schema's type and its limits, for the docs.
func describeSchema(s *openapi3.Schema) (typ, limits string) {
	if s == nil {
		return "", ""
	}
	if s.Type != nil {
		typ = strings.Join(s.Type.Slice(), " or ")
	}
	var l []string
	if s.MinLength > 0 {
		l = append(l, fmt.Sprintf("at least %d characters", s.MinLength))
	}
	if s.MaxLength != nil {
		l = append(l, fmt.Sprintf("at most %d characters", *s.MaxLength))
	}
	if s.Min != nil {
		l = append(l, fmt.Sprintf("minimum %g", *s.Min))
	}
	if s.Max != nil {
		l = append(l, fmt.Sprintf("maximum %g", *s.Max))
	}
	if len(s.Enum) > 0 {
		l = append(l, fmt.Sprintf("one of %v", s.Enum))
	}
	if s.Pattern != "" {
		l = append(l, "pattern "+s.Pattern)
	}
	return typ, strings.Join(l, ", ")
}
