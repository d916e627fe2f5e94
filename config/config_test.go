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

func TestMailSettings(t *testing.T) {
	c, err := Load(func(k string) string { return map[string]string{"HELPIUM_ADDR": "127.0.0.1:9090"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "http://127.0.0.1:9090" || c.SMTPHost != "" || c.SMTPTLS != "starttls" || c.SMTPPort != 587 {
		t.Errorf("defaults: public %q, smtp %q:%d %s", c.PublicURL, c.SMTPHost, c.SMTPPort, c.SMTPTLS)
	}
	for _, tc := range []struct {
		env     map[string]string
		wantErr string // the variable the error names; "" for none
	}{
		{map[string]string{"HELPIUM_SMTP_HOST": "smtp.example.com", "HELPIUM_SMTP_USERNAME": "u", "HELPIUM_SMTP_PASSWORD": "p"}, ""},
		{map[string]string{"HELPIUM_PUBLIC_URL": "https://support.example.com/helpium"}, ""},
		{map[string]string{"HELPIUM_PUBLIC_URL": "support.example.com"}, "HELPIUM_PUBLIC_URL"},
		{map[string]string{"HELPIUM_PUBLIC_URL": "https://x.example.com/?a=1"}, "HELPIUM_PUBLIC_URL"},
		{map[string]string{"HELPIUM_SMTP_PORT": "70000"}, "HELPIUM_SMTP_PORT"},
		{map[string]string{"HELPIUM_SMTP_TLS": "maybe"}, "HELPIUM_SMTP_TLS"},
		{map[string]string{"HELPIUM_SMTP_HOST": "smtp.example.com", "HELPIUM_MAIL_FROM": "not an address"}, "HELPIUM_MAIL_FROM"},
		// A password in plain text is only sent to a server on loopback.
		{map[string]string{"HELPIUM_SMTP_HOST": "smtp.example.com", "HELPIUM_SMTP_TLS": "none", "HELPIUM_SMTP_USERNAME": "u"}, "HELPIUM_SMTP_TLS"},
		{map[string]string{"HELPIUM_SMTP_HOST": "127.0.0.1", "HELPIUM_SMTP_TLS": "none", "HELPIUM_SMTP_USERNAME": "u"}, ""},
	} {
		_, err := Load(func(k string) string { return tc.env[k] })
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%v: %v", tc.env, err)
		case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr+":")):
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.wantErr)
		}
	}
}
