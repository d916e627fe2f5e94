package config

import (
	"strings"
	"testing"
)

func TestActionsAndModelVariables(t *testing.T) {
	load := func(env map[string]string) (Config, error) {
		return Load(func(k string) string { return env[k] })
	}
	c, err := load(map[string]string{
		"HELPIUM_OUTBOUND_ALLOW_HOSTS": " localhost, dev.example.test:8080 ,,",
		"HELPIUM_LLM_BASE_URL":         "http://127.0.0.1:11434/v1",
		"HELPIUM_LLM_MODEL":            "llama3.1",
		"HELPIUM_LLM_API_KEY":          "sk-x",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.OutboundAllowHosts, "|") != "localhost|dev.example.test:8080" || c.LLMModel != "llama3.1" || c.LLMTimeout.Seconds() != 20 {
		t.Errorf("loaded %+v", c)
	}
	if c, err := load(nil); err != nil || c.LLMBaseURL != "" || len(c.OutboundAllowHosts) != 0 {
		t.Errorf("defaults: %+v %v", c, err)
	}
	for _, tc := range []struct {
		env  map[string]string
		name string
	}{
		{map[string]string{"HELPIUM_OUTBOUND_ALLOW_HOSTS": "http://localhost"}, "HELPIUM_OUTBOUND_ALLOW_HOSTS"},
		{map[string]string{"HELPIUM_OUTBOUND_ALLOW_HOSTS": "user@host"}, "HELPIUM_OUTBOUND_ALLOW_HOSTS"},
		{map[string]string{"HELPIUM_LLM_BASE_URL": "ftp://models.example.com", "HELPIUM_LLM_MODEL": "m"}, "HELPIUM_LLM_BASE_URL"},
		{map[string]string{"HELPIUM_LLM_BASE_URL": "https://api.openai.com"}, "HELPIUM_LLM_MODEL"},
		{map[string]string{"HELPIUM_LLM_TIMEOUT": "0s"}, "HELPIUM_LLM_TIMEOUT"},
	} {
		if _, err := load(tc.env); err == nil || !strings.HasPrefix(err.Error(), tc.name+":") {
			t.Errorf("%v: %v, want an error naming %s", tc.env, err, tc.name)
		}
	}
}
