package actions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/helpium/helpium"
)

// schemaURL is where a parameters schema lives for reference resolution.
// Every reference outside the schema itself (other than the standard
// metaschemas) is refused, so a schema can never read files or URLs.
const schemaURL = "urn:helpium:action-parameters"

// Schema is a compiled parameters schema: a JSON Schema for an object.
type Schema struct {
	compiled   *jsonschema.Schema
	properties map[string]bool
}

var printer = message.NewPrinter(language.English)

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, errors.New("schemas may not reference other documents")
}

// CompileSchema checks and compiles a parameters schema: valid JSON, at
// most MaxActionSchemaBytes, valid against its draft's metaschema (2020-12
// by default), "type": "object", and no references to other documents.
// Errors are EInvalid naming field.
func CompileSchema(field string, raw []byte) (*Schema, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, helpium.Invalid(field, "%s is required: a JSON Schema like {\"type\": \"object\", \"properties\": {...}}", field)
	}
	if len(raw) > helpium.MaxActionSchemaBytes {
		return nil, helpium.Invalid(field, "%s must be at most %d bytes", field, helpium.MaxActionSchemaBytes)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, helpium.Invalid(field, "%s is not valid JSON: %v", field, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok || obj["type"] != "object" {
		return nil, helpium.Invalid(field, "%s must be an object schema: {\"type\": \"object\", ...}", field)
	}
	props := map[string]bool{}
	if p, ok := obj["properties"]; ok {
		m, ok := p.(map[string]any)
		if !ok {
			return nil, helpium.Invalid(field, "%s: properties must be an object", field)
		}
		for name := range m {
			props[name] = true
		}
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, helpium.Invalid(field, "%s is not a valid JSON Schema: %s", field, schemaError(err))
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		return nil, helpium.Invalid(field, "%s is not a valid JSON Schema: %s", field, schemaError(err))
	}
	return &Schema{compiled: sch, properties: props}, nil
}

// HasProperty reports whether the schema declares a top-level property.
func (s *Schema) HasProperty(name string) bool { return s.properties[name] }

// DecodeInput decodes an action's input: a JSON object, or nothing (an
// empty object). Numbers stay exact (json.Number).
func DecodeInput(raw []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, helpium.Invalid("input", "input is not valid JSON")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, helpium.Invalid("input", "input must be a JSON object of the action's parameters")
	}
	return m, nil
}

// Validate checks input against the schema. The error is EInvalid naming
// "input" or "input.<path>" of the first problem.
func (s *Schema) Validate(input map[string]any) error {
	err := s.compiled.Validate(any(input))
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return helpium.Invalid("input", "input does not match the action's parameters")
	}
	var leaves []string
	field := ""
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "input"
			if len(e.InstanceLocation) > 0 {
				loc += "." + strings.Join(e.InstanceLocation, ".")
			}
			if field == "" {
				field = loc
			}
			leaves = append(leaves, fmt.Sprintf("%s: %s", loc, e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Strings(leaves[min(1, len(leaves)):]) // keep the first, order the rest for stable messages
	if len(leaves) > 5 {
		leaves = append(leaves[:5], "…")
	}
	return helpium.Invalid(field, "input does not match the action's parameters: %s", strings.Join(leaves, "; "))
}

func schemaError(err error) string {
	var se *jsonschema.SchemaValidationError
	if errors.As(err, &se) {
		var ve *jsonschema.ValidationError
		if errors.As(se.Err, &ve) {
			for len(ve.Causes) > 0 {
				ve = ve.Causes[0]
			}
			return fmt.Sprintf("at /%s: %s", strings.Join(ve.InstanceLocation, "/"), ve.ErrorKind.LocalizedString(printer))
		}
	}
	var le *jsonschema.LoadURLError
	if errors.As(err, &le) {
		return "it references another document (" + le.URL + "); only references within the schema are allowed"
	}
	msg := err.Error()
	msg = strings.ReplaceAll(msg, schemaURL, "the schema")
	return msg
}
