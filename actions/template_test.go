package actions

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/helpium/helpium"
)

func TestCheckDefinition(t *testing.T) {
	e := New(Config{AllowHTTPHosts: []string{"dev.local", "127.0.0.1:8081"}})
	obj := `{"type": "object", "properties": {"order_id": {"type": "string"}, "q": {"type": "string"}}, "required": ["order_id"]}`
	valid := func() helpium.ActionInput {
		return helpium.ActionInput{
			Name: "lookup_order", Description: "Look up an order by id.", Method: "get",
			URLTemplate: "https://api.example.com/orders/{order_id}?q={q}",
			Parameters:  helpium.JSON(obj),
			Headers:     []helpium.ActionHeaderInput{{Name: "X-Api-Version", Value: "2"}},
		}
	}
	for _, tc := range []struct {
		name   string
		change func(*helpium.ActionInput)
		field  string // "" means valid
	}{
		{"valid", func(*helpium.ActionInput) {}, ""},
		{"no placeholders", func(in *helpium.ActionInput) { in.URLTemplate = "https://api.example.com/status" }, ""},
		{"http allowlisted host", func(in *helpium.ActionInput) { in.URLTemplate = "http://dev.local/orders/{order_id}" }, ""},
		{"http allowlisted loopback", func(in *helpium.ActionInput) { in.URLTemplate = "http://127.0.0.1:8081/o/{order_id}" }, ""},
		{"loopback on another port", func(in *helpium.ActionInput) { in.URLTemplate = "https://127.0.0.1:8082/o/{order_id}" }, "urlTemplate"},
		{"http not allowlisted", func(in *helpium.ActionInput) { in.URLTemplate = "http://api.example.com/orders/{order_id}" }, "urlTemplate"},
		{"ftp", func(in *helpium.ActionInput) { in.URLTemplate = "ftp://api.example.com/x" }, "urlTemplate"},
		{"relative", func(in *helpium.ActionInput) { in.URLTemplate = "/orders/{order_id}" }, "urlTemplate"},
		{"undeclared placeholder", func(in *helpium.ActionInput) { in.URLTemplate = "https://api.example.com/orders/{id}" }, "urlTemplate"},
		{"placeholder in host", func(in *helpium.ActionInput) { in.URLTemplate = "https://{order_id}.example.com/x" }, "urlTemplate"},
		{"placeholder as host", func(in *helpium.ActionInput) { in.URLTemplate = "https://{order_id}/x" }, "urlTemplate"},
		{"unclosed brace", func(in *helpium.ActionInput) { in.URLTemplate = "https://api.example.com/orders/{order_id" }, "urlTemplate"},
		{"stray close brace", func(in *helpium.ActionInput) { in.URLTemplate = "https://api.example.com/orders/}" }, "urlTemplate"},
		{"bad placeholder name", func(in *helpium.ActionInput) { in.URLTemplate = "https://api.example.com/orders/{order-id}" }, "urlTemplate"},
		{"credentials", func(in *helpium.ActionInput) { in.URLTemplate = "https://u:p@api.example.com/orders/{order_id}" }, "urlTemplate"},
		{"fragment", func(in *helpium.ActionInput) { in.URLTemplate = "https://api.example.com/orders/{order_id}#x" }, "urlTemplate"},
		{"private IP literal", func(in *helpium.ActionInput) { in.URLTemplate = "https://10.0.0.1/orders/{order_id}" }, "urlTemplate"},
		{"metadata IP literal", func(in *helpium.ActionInput) { in.URLTemplate = "https://169.254.169.254/latest/{order_id}" }, "urlTemplate"},
		{"blank url", func(in *helpium.ActionInput) { in.URLTemplate = " " }, "urlTemplate"},
		{"bad name", func(in *helpium.ActionInput) { in.Name = "look up order" }, "name"},
		{"long name", func(in *helpium.ActionInput) { in.Name = "a" + strings.Repeat("b", 64) }, "name"},
		{"blank description", func(in *helpium.ActionInput) { in.Description = "  " }, "description"},
		{"bad method", func(in *helpium.ActionInput) { in.Method = "TRACE" }, "method"},
		{"schema not JSON", func(in *helpium.ActionInput) { in.Parameters = helpium.JSON(`{"type": "object",`) }, "parameters"},
		{"schema missing", func(in *helpium.ActionInput) { in.Parameters = nil }, "parameters"},
		{"schema not an object schema", func(in *helpium.ActionInput) { in.Parameters = helpium.JSON(`{"type": "string"}`) }, "parameters"},
		{"schema array", func(in *helpium.ActionInput) { in.Parameters = helpium.JSON(`[]`) }, "parameters"},
		{"schema bad type keyword", func(in *helpium.ActionInput) {
			in.Parameters = helpium.JSON(`{"type": "object", "properties": {"order_id": {"type": "strin"}}}`)
		}, "parameters"},
		{"schema bad regex", func(in *helpium.ActionInput) {
			in.Parameters = helpium.JSON(`{"type": "object", "properties": {"order_id": {"type": "string", "pattern": "("}}}`)
		}, "parameters"},
		{"schema properties not an object", func(in *helpium.ActionInput) {
			in.Parameters = helpium.JSON(`{"type": "object", "properties": []}`)
		}, "parameters"},
		{"schema reads a file", func(in *helpium.ActionInput) {
			in.Parameters = helpium.JSON(`{"type": "object", "properties": {"order_id": {"$ref": "file:///etc/passwd"}}}`)
		}, "parameters"},
		{"schema fetches a URL", func(in *helpium.ActionInput) {
			in.Parameters = helpium.JSON(`{"type": "object", "properties": {"order_id": {"$ref": "https://evil.example/s.json"}}}`)
		}, "parameters"},
		{"schema with local ref", func(in *helpium.ActionInput) {
			in.Parameters = helpium.JSON(`{"type": "object", "$defs": {"id": {"type": "string"}}, "properties": {"order_id": {"$ref": "#/$defs/id"}, "q": {"type": "string"}}}`)
		}, ""},
		{"schema too large", func(in *helpium.ActionInput) {
			in.Parameters = helpium.JSON(`{"type": "object", "description": "` + strings.Repeat("x", helpium.MaxActionSchemaBytes) + `"}`)
		}, "parameters"},
		{"reserved header", func(in *helpium.ActionInput) { in.Headers = []helpium.ActionHeaderInput{{Name: "Host", Value: "x"}} }, "headers[0].name"},
		{"proxy header", func(in *helpium.ActionInput) {
			in.Headers = append(in.Headers, helpium.ActionHeaderInput{Name: "Proxy-Authorization", Value: "x"})
		}, "headers[1].name"},
		{"bad header name", func(in *helpium.ActionInput) { in.Headers = []helpium.ActionHeaderInput{{Name: "X Y", Value: "x"}} }, "headers[0].name"},
		{"header value newline", func(in *helpium.ActionInput) {
			in.Headers = []helpium.ActionHeaderInput{{Name: "X-A", Value: "a\r\nHost: evil"}}
		}, "headers[0].value"},
		{"duplicate header", func(in *helpium.ActionInput) {
			in.Headers = []helpium.ActionHeaderInput{{Name: "X-A", Value: "1"}, {Name: "x-a", Value: "2"}}
		}, "headers[1].name"},
		{"authorization with customer token", func(in *helpium.ActionInput) {
			in.RequiresCustomerToken = true
			in.Headers = []helpium.ActionHeaderInput{{Name: "Authorization", Value: "Basic x"}}
		}, "headers[0].name"},
		{"authorization without customer token", func(in *helpium.ActionInput) {
			in.Headers = []helpium.ActionHeaderInput{{Name: "Authorization", Value: "Basic x"}}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			tc.change(&in)
			err := e.CheckDefinition(&in)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if helpium.ErrorCode(err) != helpium.EInvalid || helpium.ErrorField(err) != tc.field {
				t.Fatalf("want invalid_input on %s, got %v (field %q)", tc.field, err, helpium.ErrorField(err))
			}
			if strings.Contains(helpium.ErrorMessage(err), "urn:helpium") {
				t.Errorf("message leaks internals: %s", helpium.ErrorMessage(err))
			}
		})
	}

	in := valid()
	in.Method, in.Name = "post", "  lookup_order  "
	in.Parameters = helpium.JSON("{\n  \"type\": \"object\"\n}")
	in.URLTemplate = "https://api.example.com/orders"
	if err := e.CheckDefinition(&in); err != nil {
		t.Fatal(err)
	}
	if in.Method != "POST" || in.Name != "lookup_order" || string(in.Parameters) != `{"type":"object"}` {
		t.Errorf("not normalised: %+v %s", in, in.Parameters)
	}
}

func TestFillEscapes(t *testing.T) {
	tmpl, err := ParseTemplate("urlTemplate", "https://api.example.com/v1/orders/{id}/items/{item}?q={q}&n={n}")
	if err != nil {
		t.Fatal(err)
	}
	u, err := tmpl.Fill(map[string]any{"id": "a/b?c#d", "item": "../x y", "q": "x&y=z/ü", "n": json.Number("42")})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://api.example.com/v1/orders/a%2Fb%3Fc%23d/items/..%2Fx%20y?q=x%26y%3Dz%2F%C3%BC&n=42"
	if u.String() != want {
		t.Errorf("filled\n got %s\nwant %s", u, want)
	}
	if u.Host != "api.example.com" {
		t.Errorf("host %s", u.Host)
	}
	for _, bad := range []map[string]any{
		{"id": "..", "item": "x", "q": "", "n": 1.0},
		{"id": ".", "item": "x", "q": "", "n": 1.0},
		{"id": "", "item": "x", "q": "", "n": 1.0},
		{"id": map[string]any{}, "item": "x", "q": "", "n": 1.0},
		{"item": "x", "q": "", "n": 1.0},
	} {
		if _, err := tmpl.Fill(bad); helpium.ErrorCode(err) != helpium.EInvalid || helpium.ErrorField(err) != "input.id" {
			t.Errorf("Fill(%v) = %v, want invalid_input on input.id", bad, err)
		}
	}
}

func TestSchemaValidateInput(t *testing.T) {
	sch, err := CompileSchema("parameters", []byte(`{"type": "object", "properties": {
		"order_id": {"type": "string", "pattern": "^[0-9]+$"},
		"count": {"type": "integer", "minimum": 1}
	}, "required": ["order_id"], "additionalProperties": false}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		input, field string
	}{
		{`{"order_id": "123"}`, ""},
		{`{"order_id": "123", "count": 2}`, ""},
		{`{}`, "input"},
		{`{"order_id": 123}`, "input.order_id"},
		{`{"order_id": "12a"}`, "input.order_id"},
		{`{"order_id": "1", "count": 0}`, "input.count"},
		{`{"order_id": "1", "extra": true}`, "input"},
		{`[1]`, "input"},
		{`nope`, "input"},
	} {
		in, err := DecodeInput([]byte(tc.input))
		if err == nil {
			err = sch.Validate(in)
		}
		if tc.field == "" && err != nil {
			t.Errorf("%s: %v", tc.input, err)
		}
		if tc.field != "" && (helpium.ErrorCode(err) != helpium.EInvalid || helpium.ErrorField(err) != tc.field) {
			t.Errorf("%s: got %v (field %q), want invalid_input on %s", tc.input, err, helpium.ErrorField(err), tc.field)
		}
	}
}
