//go:build e2e

package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

var (
	npmOnce    sync.Once
	npmErr     error
	npmCIOuput []byte
)

// npmClients installs e2e/clients' locked dependencies (graphql-js,
// graphql-ws, ws, axe-core) with npm ci, once per run.
func npmClients(t *testing.T) {
	t.Helper()
	npmOnce.Do(func() {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = "clients"
		npmCIOuput, npmErr = cmd.CombinedOutput()
	})
	if npmErr != nil {
		t.Fatalf("npm ci in e2e/clients: %v\n%s", npmErr, npmCIOuput)
	}
}

// node runs a script of e2e/clients (installing its locked dependencies
// with npm ci the first time) and decodes the JSON line it prints.
func node(t *testing.T, out any, script string, args ...string) {
	t.Helper()
	npmClients(t)
	cmd := exec.Command("node", append([]string{script}, args...)...)
	cmd.Dir = "clients"
	b, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Logf("%s stderr: %s", script, ee.Stderr)
	}
	line := strings.TrimSpace(string(b))
	if jerr := json.Unmarshal([]byte(line), out); jerr != nil {
		t.Fatalf("node %s: %v (%v): %q", script, err, jerr, line)
	}
}

// TestThirdPartyClients runs clients nobody here wrote against the server.
func TestThirdPartyClients(t *testing.T) {
	srv := startServer(t)

	// graphql-js's standard introspection query, as codegen and GraphiQL
	// send it, builds the schema.
	var schema struct {
		Status, Types, Mutations int
		Query                    string
		Errors                   []any
	}
	node(t, &schema, "introspect.mjs", srv.URL+"/graphql")
	if schema.Status != 200 || schema.Query != "Query" || schema.Types < 50 || schema.Mutations < 30 {
		t.Errorf("introspection: %+v", schema)
	}

	// The graphql-ws client stops at a refused connection_init and says
	// why, instead of reconnecting.
	ws := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"
	for name, init := range map[string]string{
		"an unknown bearer token": `{"Authorization": "Bearer at_unknown"}`,
		"an unknown widget key":   `{"X-API-Key": "pk_unknown"}`,
		"no credential":           `{}`,
	} {
		var got struct {
			Error  any
			Reason string
			Closes int
			Codes  []int
		}
		node(t, &got, "ws.mjs", ws, init)
		if got.Closes != 1 || len(got.Codes) != 1 || got.Codes[0] != 4401 || got.Error != float64(4401) {
			t.Errorf("%s: %+v, want one close with 4401 reported to the subscriber", name, got)
		}
		if strings.Contains(got.Reason, "helpium:") {
			t.Errorf("%s: the reason shows an internal prefix: %q", name, got.Reason)
		}
	}
}
