package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/helpium/helpium/rest"
)

// The Customer API contract (rest/openapi.yaml), loaded once per test binary.
var contract struct {
	once   sync.Once
	router routers.Router
	err    error
}

func contractRouter() (routers.Router, error) {
	contract.once.Do(func() {
		doc, err := rest.OpenAPI()
		if err != nil {
			contract.err = err
			return
		}
		// Match full request paths: the document's server is /api/customer.
		paths := openapi3.NewPaths()
		for p, item := range doc.Paths.Map() {
			paths.Set("/api/customer"+p, item)
		}
		doc.Paths, doc.Servers = paths, nil
		contract.router, contract.err = gorillamux.NewRouter(doc)
	})
	return contract.router, contract.err
}

// documentation are the routes that serve the contract itself.
var documentation = map[string]bool{"/api/customer/openapi.json": true, "/api/customer/docs": true}

// checkContract validates a Customer API exchange against the OpenAPI
// document: every response (status, headers, body) must be documented, and
// every request the server accepted (2xx) must be a valid request. Requests
// to routes the document lacks may only get 404 or 405 envelopes.
func checkContract(t testing.TB, req *http.Request, reqBody []byte, res Response) {
	t.Helper()
	// HEAD answers as GET without a body: there is nothing to validate
	// but what GET's own tests check.
	if !strings.HasPrefix(req.URL.Path, "/api/customer/") || documentation[req.URL.Path] || req.Method == http.MethodHead {
		return
	}
	router, err := contractRouter()
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		if res.Status != http.StatusNotFound && res.Status != http.StatusMethodNotAllowed {
			t.Errorf("contract: %s %s answered %d but is not in rest/openapi.yaml", req.Method, req.URL.Path, res.Status)
		}
		var env struct {
			Error struct {
				Message string `json:"message"`
				Status  int    `json:"status"`
				Code    string `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(res.Body, &env) != nil || env.Error.Status != res.Status || env.Error.Code == "" {
			t.Errorf("contract: %s %s: %d without the error envelope: %s", req.Method, req.URL.Path, res.Status, res.Body)
		}
		return
	}
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if res.Status >= 200 && res.Status < 300 {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("contract: accepted request %s %s does not match rest/openapi.yaml: %v", req.Method, req.URL.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.Status, Header: res.Header,
		Body:    io.NopCloser(bytes.NewReader(res.Body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("contract: response %d to %s %s does not match rest/openapi.yaml: %v\nbody: %.300s", res.Status, req.Method, req.URL.Path, err, res.Body)
	}
}
