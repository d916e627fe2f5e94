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
	if c.Embedder != "minilm+bge" || c.ModelMavenURL != "https://repo1.maven.org/maven2/" {
		t.Errorf("default embedder %q from %q", c.Embedder, c.ModelMavenURL)
	}
	for name, bad := range map[string]string{"HELPIUM_ANSWER_CACHE_TTL": "-1s", "HELPIUM_LLM_TIMEOUT": "never", "HELPIUM_EMBEDDER": "magic",
		"HELPIUM_MODEL_MAVEN_URL": "repo1.maven.org/maven2", "HELPIUM_MODEL_INDEX_URL": "ftp://pypi.example/simple/"} {
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

func TestBlobSettings(t *testing.T) {
	s3 := func(extra ...string) map[string]string {
		env := map[string]string{
			"HELPIUM_BLOB_STORE":           "s3",
			"HELPIUM_S3_ENDPOINT":          "https://s3.example.com",
			"HELPIUM_S3_BUCKET":            "helpium-files",
			"HELPIUM_S3_ACCESS_KEY_ID":     "AKIAEXAMPLE",
			"HELPIUM_S3_SECRET_ACCESS_KEY": "secret",
		}
		for i := 0; i+1 < len(extra); i += 2 {
			env[extra[i]] = extra[i+1]
		}
		return env
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr string // the variable the error names; "" for none
		check   func(Config) bool
	}{
		{"defaults to disk under the data dir", map[string]string{"HELPIUM_DATA_DIR": "/srv/helpium"}, "",
			func(c Config) bool {
				return c.BlobStore == "disk" && c.BlobDir == "/srv/helpium/blobs" && c.Effective("HELPIUM_BLOB_DIR") == c.BlobDir
			}},
		{"a blob dir of its own", map[string]string{"HELPIUM_BLOB_DIR": "/mnt/files"}, "",
			func(c Config) bool { return c.BlobDir == "/mnt/files" }},
		{"s3 with everything", s3(), "",
			func(c Config) bool {
				return c.BlobStore == "s3" && c.S3Region == "us-east-1" && c.S3Bucket == "helpium-files" && c.S3SecretAccessKey == "secret"
			}},
		{"s3 on loopback over http", s3("HELPIUM_S3_ENDPOINT", "http://127.0.0.1:7070", "HELPIUM_S3_REGION", "eu-west-1"), "",
			func(c Config) bool { return c.S3Endpoint == "http://127.0.0.1:7070" && c.S3Region == "eu-west-1" }},
		{"unknown store", map[string]string{"HELPIUM_BLOB_STORE": "ftp"}, "HELPIUM_BLOB_STORE", nil},
		{"s3 without endpoint", s3("HELPIUM_S3_ENDPOINT", ""), "HELPIUM_S3_ENDPOINT", nil},
		{"s3 without bucket", s3("HELPIUM_S3_BUCKET", ""), "HELPIUM_S3_BUCKET", nil},
		{"s3 without access key", s3("HELPIUM_S3_ACCESS_KEY_ID", ""), "HELPIUM_S3_ACCESS_KEY_ID", nil},
		{"s3 without secret", s3("HELPIUM_S3_SECRET_ACCESS_KEY", ""), "HELPIUM_S3_SECRET_ACCESS_KEY", nil},
		{"endpoint not a URL", s3("HELPIUM_S3_ENDPOINT", "s3.example.com"), "HELPIUM_S3_ENDPOINT", nil},
		{"endpoint not http", s3("HELPIUM_S3_ENDPOINT", "ftp://s3.example.com"), "HELPIUM_S3_ENDPOINT", nil},
		{"endpoint with a path", s3("HELPIUM_S3_ENDPOINT", "https://s3.example.com/bucket"), "HELPIUM_S3_ENDPOINT", nil},
		{"bucket name with capitals", s3("HELPIUM_S3_BUCKET", "Helpium"), "HELPIUM_S3_BUCKET", nil},
		{"bucket name too short", s3("HELPIUM_S3_BUCKET", "hp"), "HELPIUM_S3_BUCKET", nil},
	} {
		c, err := Load(func(k string) string { return tc.env[k] })
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr+":")):
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.wantErr)
		case tc.check != nil && !tc.check(c):
			t.Errorf("%s: got %+v", tc.name, c)
		}
	}
}
