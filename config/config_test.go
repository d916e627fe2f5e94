package config

import (
	"os"
	"strings"
	"testing"
)

func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), MarkdownTable()) {
		t.Errorf("README's Configuration table is out of date; replace it with:\n%s", MarkdownTable())
	}
}

func TestDefaultsLoadAndErrorsNameTheVariable(t *testing.T) {
	c, err := Load(func(string) string { return "" })
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.Addr != "127.0.0.1:8080" || c.AnswerCacheTTL.Minutes() != 10 {
		t.Errorf("defaults %+v", c)
	}
	for name, bad := range map[string]string{"HELPIUM_ANSWER_CACHE_TTL": "-1s", "HELPIUM_LLM_TIMEOUT": "never", "HELPIUM_EMBEDDER": "magic"} {
		_, err := Load(func(k string) string {
			if k == name {
				return bad
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", name, bad, err)
		}
	}
}
