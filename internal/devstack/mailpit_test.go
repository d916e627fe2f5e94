package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"path/filepath"
	"testing"
	"time"
)

func TestMailpit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, err := StartMailpit(ctx, MailpitOptions{DataDir: filepath.Join(t.TempDir(), "mailpit")})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	addr := fmt.Sprintf("127.0.0.1:%d", m.SMTPPort())
	send := func(to string) error {
		return smtp.SendMail(addr, nil, "devstack@test", []string{to}, []byte("Subject: hi\r\n\r\nbody\r\n"))
	}
	count := func() int {
		res, err := http.Get(m.URL() + "/api/v1/messages")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct {
			Total int `json:"messages_count"`
		}
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return body.Total
	}
	if err := send("one@test"); err != nil {
		t.Fatal(err)
	}
	// A restart keeps the server's ports.
	if err := m.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if err := send("two@test"); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	// It keeps what it received across the restart.
	if got := count(); got != 2 {
		t.Errorf("%d messages after the restart, want 2", got)
	}
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("SMTP still answers after Stop")
	}
	if err := m.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}
