package main

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/service"
)

// TestREADMETour runs every shell block of the README's tour that talks to
// the server against a test server seeded like `make run`, so the
// documented commands cannot rot: each must exit 0 and print no error
// envelope.
func TestREADMETour(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Index(string(readme), "## A five-minute tour")
	end := strings.Index(string(readme)[start+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("README has no tour section")
	}
	tour := string(readme)[start : start+1+end]
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(tour, -1)

	app, _ := apptest.NewSearch(t, service.Options{}, apptest.SearchOptions{})
	demo, err := app.Service.Workspaces.SeedDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if a := demo.AwayEmail; !a.Enabled || a.ResumeURL != app.URL+"/demo" {
		t.Errorf("the demo's away email %+v, want on, resuming at %s/demo (the tour says so)", a, app.URL)
	}
	if err := seedDemoKB(context.Background(), app.Service, demo, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	app.WaitIndexed(t, demo.ID, time.Minute) // the tour searches the demo knowledge base
	ran := 0
	for _, b := range blocks {
		script := b[1]
		if !strings.Contains(script, "HELPIUM_URL") {
			continue // needs a `make run` data dir (helpium.env); covered by other tests
		}
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Env = append(os.Environ(), "HELPIUM_URL="+app.URL)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("README block failed: %v\n%s\n--- output:\n%s", err, script, out)
			continue
		}
		if strings.Contains(string(out), `"error":`) || strings.Contains(string(out), `"errors":`) {
			t.Errorf("README block printed an error:\n%s\n--- output:\n%s", script, out)
		}
		// What the tour promises, where the block shows it.
		for call, want := range map[string]string{
			"$API/widget/settings":   `"greeting"`,
			"/events?api_key":        "event: message",
			"$API/search/answer":     `"answered":true`,
			"$API/search\n":          `"title":"Reset your password"`,
			"X-Widget-Token":         `"conversations":[`,
			"$API/tracking/identify": `"email":"ann@example.com"`,
			"files=@-":               `"filename":"order.txt"`,
		} {
			if strings.Contains(script, call) && !strings.Contains(string(out), want) {
				t.Errorf("README block calling %s printed no %s:\n%s", call, want, out)
			}
		}
		ran++
	}
	if ran < 3 {
		t.Errorf("ran %d README blocks, want the tour's 3", ran)
	}
}

// TestREADMEMakeTargets checks that every `make X` the README mentions is a
// target of the Makefile (make -n: nothing is run), so the docs cannot
// point at a target that was renamed or removed.
func TestREADMEMakeTargets(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile("`make ([a-z][a-z0-9-]*)").FindAllStringSubmatch(string(readme), -1) {
		seen[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`(?m)^make ([a-z][a-z0-9-]*)`).FindAllStringSubmatch(string(readme), -1) {
		seen[m[1]] = true
	}
	for _, want := range []string{"run", "test", "e2e", "bench", "eval", "fuzz", "soak"} {
		if !seen[want] {
			t.Errorf("README does not mention make %s", want)
		}
	}
	for target := range seen {
		cmd := exec.Command("make", "-n", "-C", "../..", target)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("README mentions make %s, which the Makefile cannot make: %v\n%s", target, err, out)
		}
	}
}
