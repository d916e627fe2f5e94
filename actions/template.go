package actions

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/helpium/helpium"
)

// Template is a parsed URL template: an absolute http(s) URL whose path
// and query may hold {param} placeholders. The scheme and host are fixed,
// so parameters can never change where a call goes.
type Template struct {
	scheme, host, hostname string
	chunks                 []chunk
	params                 []string
}

// chunk is literal template text, or a placeholder when param is set.
type chunk struct {
	text    string
	param   string
	inQuery bool
}

var paramName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseTemplate parses a URL template. Errors are EInvalid naming field.
func ParseTemplate(field, s string) (*Template, error) {
	if err := helpium.CheckText(field, s, helpium.MaxActionURLLength, true); err != nil {
		return nil, err
	}
	s = strings.TrimSpace(s)
	lower := strings.ToLower(s)
	var rest int
	switch {
	case strings.HasPrefix(lower, "https://"):
		rest = len("https://")
	case strings.HasPrefix(lower, "http://"):
		rest = len("http://")
	default:
		return nil, helpium.Invalid(field, "%s must be an absolute https:// URL, like https://api.example.com/orders/{order_id}", field)
	}
	authorityEnd := len(s)
	if i := strings.IndexAny(s[rest:], "/?#"); i >= 0 {
		authorityEnd = rest + i
	}
	if strings.Contains(s, "#") {
		return nil, helpium.Invalid(field, "%s must not contain a fragment (#)", field)
	}
	queryStart := strings.IndexByte(s, '?')
	t := &Template{}
	var probe strings.Builder
	seen := map[string]bool{}
	for i := 0; i < len(s); {
		open := strings.IndexAny(s[i:], "{}")
		if open < 0 {
			t.chunks = append(t.chunks, chunk{text: s[i:]})
			probe.WriteString(s[i:])
			break
		}
		open += i
		if s[open] == '}' {
			return nil, helpium.Invalid(field, "%s has a } without a matching {", field)
		}
		if open > i {
			t.chunks = append(t.chunks, chunk{text: s[i:open]})
			probe.WriteString(s[i:open])
		}
		end := strings.IndexAny(s[open+1:], "{}")
		if end < 0 || s[open+1+end] != '}' {
			return nil, helpium.Invalid(field, "%s has a { without a matching }", field)
		}
		end += open + 1
		name := s[open+1 : end]
		if !paramName.MatchString(name) {
			return nil, helpium.Invalid(field, "%s: {%s} is not a parameter name (letters, digits and _, not starting with a digit)", field, name)
		}
		if open < authorityEnd {
			return nil, helpium.Invalid(field, "%s: placeholders may appear only in the path and query, never in the scheme or host ({%s})", field, name)
		}
		t.chunks = append(t.chunks, chunk{param: name, inQuery: queryStart >= 0 && open > queryStart})
		if !seen[name] {
			seen[name] = true
			t.params = append(t.params, name)
		}
		probe.WriteString("x")
		i = end + 1
	}
	u, err := url.Parse(probe.String())
	if err != nil || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return nil, helpium.Invalid(field, "%s is not a valid URL", field)
	}
	if u.User != nil {
		return nil, helpium.Invalid(field, "%s must not contain credentials (user:password@); use headers or the customer's token", field)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, helpium.Invalid(field, "%s has an invalid port", field)
		}
	}
	t.scheme, t.host, t.hostname = strings.ToLower(u.Scheme), strings.ToLower(u.Host), strings.ToLower(u.Hostname())
	return t, nil
}

// Params returns the template's parameter names in order of first use.
func (t *Template) Params() []string { return t.params }

// Scheme returns "http" or "https".
func (t *Template) Scheme() string { return t.scheme }

// Host returns the template's host, with the port if it has one, lower-cased.
func (t *Template) Host() string { return t.host }

// Hostname returns the template's host without a port, lower-cased.
func (t *Template) Hostname() string { return t.hostname }

// Fill returns the URL with every placeholder replaced by its escaped
// value: path-escaped in the path (so a value is always one segment:
// "/" is %2F, and "." or ".." are refused), query-escaped in the query.
// Values must be strings, numbers or booleans; a path value is required, a
// missing query value is left empty. Errors are EInvalid naming
// "input.<param>".
func (t *Template) Fill(values map[string]any) (*url.URL, error) {
	var b strings.Builder
	for _, c := range t.chunks {
		if c.param == "" {
			b.WriteString(c.text)
			continue
		}
		field := "input." + c.param
		v, ok := values[c.param]
		if !ok && c.inQuery {
			continue // an optional query value is left empty
		}
		if !ok {
			return nil, helpium.Invalid(field, "%s is required: the URL path needs it", c.param)
		}
		s, err := scalarString(v)
		if err != nil {
			return nil, helpium.Invalid(field, "%s must be a string, number or boolean to fill the URL", c.param)
		}
		if c.inQuery {
			b.WriteString(url.QueryEscape(s))
			continue
		}
		if s == "" || s == "." || s == ".." {
			return nil, helpium.Invalid(field, "%s must not be empty, . or .. in the URL path", c.param)
		}
		b.WriteString(url.PathEscape(s))
	}
	u, err := url.Parse(b.String())
	if err != nil || strings.ToLower(u.Host) != t.host {
		return nil, helpium.Invalid("input", "the parameters do not make a valid URL")
	}
	return u, nil
}

// scalarString renders a decoded JSON scalar as URL text.
func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("not a scalar: %T", v)
}
