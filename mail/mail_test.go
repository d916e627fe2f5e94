package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/helpium/helpium"
	"github.com/helpium/helpium/db"
	"github.com/helpium/helpium/db/dbtest"
	"github.com/helpium/helpium/internal/apptest"
	"github.com/helpium/helpium/internal/devstack"
	"github.com/helpium/helpium/internal/mailpit"
	"github.com/helpium/helpium/mail"
)

func newEmail(to, subject, body string) *helpium.Email {
	return &helpium.Email{ID: uuid.NewString(), To: to, Subject: subject, Body: body, CreatedAt: time.Now().UTC().Truncate(time.Second)}
}

func uniqueAddress(t *testing.T) string {
	return strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "-" + uuid.NewString()[:8] + "@mail.test"
}

func TestSendDeliversTheMessageAsWritten(t *testing.T) {
	box := mailpit.FromEnv(t)
	to := uniqueAddress(t)
	body := "Hello Zoë,\n\n" +
		strings.Repeat("A long line that quoted-printable has to wrap somewhere. ", 8) + "\n" +
		".\n" + // a lone dot ends DATA unless escaped
		"Link: https://support.example.com/app/invitation#token=inv_abc-DEF_123\n"
	e := newEmail(to, "Réinitialiser — ünïcode subject", body)
	if err := apptest.TestSMTP(t).Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	got := box.Wait(t, to, 1)[0]
	if got.Subject != e.Subject || strings.TrimRight(strings.ReplaceAll(got.Text, "\r\n", "\n"), "\n") != strings.TrimRight(body, "\n") {
		t.Errorf("received %q:\n%q\nwant %q:\n%q", got.Subject, got.Text, e.Subject, body)
	}
	if got.MessageID != e.ID+"@helpium.test" || got.From.Address != "helpium@helpium.test" || got.From.Name != "Helpium" {
		t.Errorf("Message-ID %q, From %+v", got.MessageID, got.From)
	}
	if h := box.Headers(t, got.ID); h["Auto-Submitted"] == nil || h["Auto-Submitted"][0] != "auto-generated" {
		t.Errorf("headers %v", h)
	}
}

func TestComposeRefusesHeaderInjection(t *testing.T) {
	unsubscribe := newEmail("victim@mail.test", "Hi", "x")
	unsubscribe.ListUnsubscribe = "https://help.example.com/unsubscribe>\r\nBcc: everyone@mail.test"
	for _, e := range []*helpium.Email{
		newEmail("victim@mail.test\r\nBcc: everyone@mail.test", "Hi", "x"),
		newEmail("victim@mail.test", "Hi\r\nBcc: everyone@mail.test", "x"),
		newEmail("not an address", "Hi", "x"),
		unsubscribe,
	} {
		err := apptest.TestSMTP(t).Send(context.Background(), e)
		if err == nil || !mail.Permanent(err) {
			t.Errorf("to %q, subject %q: %v, want a permanent error", e.To, e.Subject, err)
		}
	}
}

// tlsMailpit starts a Mailpit of the test's own that requires STARTTLS
// with a certificate for 127.0.0.1 from a new CA, and has its chaos API
// on; it returns the server and a pool trusting the CA.
func tlsMailpit(t *testing.T) (*devstack.Mailpit, *x509.CertPool) {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Helpium test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var log bytes.Buffer
	m, err := devstack.StartMailpit(ctx, devstack.MailpitOptions{DataDir: filepath.Join(dir, "mailpit"),
		TLSCert: certFile, TLSKey: keyFile, RequireSTARTTLS: true, Chaos: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return m, pool
}

func TestSTARTTLSAndAuthentication(t *testing.T) {
	m, pool := tlsMailpit(t)
	box := &mailpit.Client{URL: m.URL()}
	sender := func(mode string, roots *x509.CertPool) *mail.SMTP {
		s, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: m.SMTPPort(), Username: "helpium", Password: "secret",
			From: "helpium@helpium.test", TLS: mode, TLSConfig: &tls.Config{RootCAs: roots}, Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ctx := context.Background()
	if err := sender(mail.TLSStartTLS, pool).Send(ctx, newEmail("tls@mail.test", "over TLS", "secret link")); err != nil {
		t.Fatalf("STARTTLS with a trusted certificate: %v", err)
	}
	box.Wait(t, "tls@mail.test", 1)
	// A certificate the sender does not trust is refused before any
	// credential or message is sent.
	if err := sender(mail.TLSStartTLS, x509.NewCertPool()).Send(ctx, newEmail("mitm@mail.test", "x", "x")); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate: %v", err)
	}
	// Without TLS the password is not sent to a server that is not
	// localhost: net/smtp's PLAIN refuses, and here the server refuses
	// mail without STARTTLS anyway.
	if err := sender(mail.TLSNone, pool).Send(ctx, newEmail("plain@mail.test", "x", "x")); err == nil {
		t.Error("a plain-text session was accepted by a server that requires STARTTLS")
	}
	if got := box.To(t, "mitm@mail.test"); len(got) != 0 {
		t.Errorf("%d messages delivered over an untrusted connection", len(got))
	}
}

// setChaos makes the Mailpit fail RCPT with code (0: stop failing).
func setChaos(t *testing.T, m *devstack.Mailpit, code int) {
	t.Helper()
	body := fmt.Sprintf(`{"Recipient": {"ErrorCode": %d, "Probability": %d}}`, max(code, 451), map[bool]int{true: 100, false: 0}[code != 0])
	req, _ := http.NewRequest("PUT", m.URL()+"/api/v1/chaos", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("chaos: %s", res.Status)
	}
}

type outboxRow struct {
	Attempts  int
	Sent      bool
	Failed    bool
	Body      string
	LastError string
}

func outboxRows(t *testing.T, store *db.Store) map[string]outboxRow {
	t.Helper()
	rows, err := store.DB().QueryContext(context.Background(),
		`SELECT to_address, attempts, sent_at IS NOT NULL, failed_at IS NOT NULL, body, coalesce(last_error, '') FROM mail_outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]outboxRow{}
	for rows.Next() {
		var to string
		var r outboxRow
		if err := rows.Scan(&to, &r.Attempts, &r.Sent, &r.Failed, &r.Body, &r.LastError); err != nil {
			t.Fatal(err)
		}
		out[to] = r
	}
	return out
}

func TestMailerRetriesGivesUpAndNeverSendsTwice(t *testing.T) {
	m, pool := tlsMailpit(t)
	box := &mailpit.Client{URL: m.URL()}
	store := db.NewStore(dbtest.New(t))
	ctx := context.Background()
	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: m.SMTPPort(), From: "helpium@helpium.test",
		TLS: mail.TLSStartTLS, TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// A retry is due 200 ms after a failure: not within one Drain.
	const backoff = 200 * time.Millisecond
	mailer := func(max int) *mail.Mailer {
		return mail.NewMailer(store, sender, nil, mail.MailerOptions{Backoff: backoff, MaxAttempts: max})
	}
	enqueue := func(to string) {
		if err := store.EnqueueMail(ctx, newEmail(to, "Hello", "body of "+to)); err != nil {
			t.Fatal(err)
		}
	}

	// A temporary refusal (451) is retried until the server takes it.
	setChaos(t, m, 451)
	enqueue("later@mail.test")
	if n, err := mailer(5).Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain: %d, %v", n, err)
	}
	if r := outboxRows(t, store)["later@mail.test"]; r.Sent || r.Failed || r.Attempts != 1 || !strings.Contains(r.LastError, "451") || r.Body == "" {
		t.Errorf("after a 451: %+v", r)
	}
	setChaos(t, m, 0)
	time.Sleep(backoff)
	if n, err := mailer(5).Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain: %d, %v", n, err)
	}
	if r := outboxRows(t, store)["later@mail.test"]; !r.Sent || r.Attempts != 2 || r.Body != "" {
		t.Errorf("after the retry: %+v (the body is dropped once sent)", r)
	}

	// A permanent refusal (550) is not retried.
	setChaos(t, m, 550)
	enqueue("never@mail.test")
	mailer(5).Drain(ctx)
	if r := outboxRows(t, store)["never@mail.test"]; !r.Failed || r.Attempts != 1 || r.Body != "" || !strings.Contains(r.LastError, "550") {
		t.Errorf("after a 550: %+v", r)
	}
	// Nor is a temporary one past MaxAttempts.
	setChaos(t, m, 451)
	enqueue("patience@mail.test")
	for range 2 {
		mailer(2).Drain(ctx)
		time.Sleep(backoff)
	}
	if r := outboxRows(t, store)["patience@mail.test"]; !r.Failed || r.Attempts != 2 {
		t.Errorf("after MaxAttempts: %+v", r)
	}
	setChaos(t, m, 0)

	// Four mailers draining one outbox send each email once.
	const n = 24
	for i := range n {
		enqueue(fmt.Sprintf("crowd-%02d@mail.test", i))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := mailer(5).Drain(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i := range n {
		to := fmt.Sprintf("crowd-%02d@mail.test", i)
		if got := box.To(t, to); len(got) != 1 {
			t.Errorf("%s received %d copies", to, len(got))
		}
		if r := outboxRows(t, store)[to]; !r.Sent || r.Attempts != 1 {
			t.Errorf("%s: %+v", to, r)
		}
	}
	if got := box.To(t, "later@mail.test"); len(got) != 1 {
		t.Errorf("the retried email arrived %d times", len(got))
	}
}

// Mail queued while the SMTP server is down waits in PostgreSQL and goes
// out once it is back: a mailer restarted meanwhile loses nothing.
func TestMailWaitsForTheServer(t *testing.T) {
	m, pool := tlsMailpit(t)
	box := &mailpit.Client{URL: m.URL()}
	store := db.NewStore(dbtest.New(t))
	ctx := context.Background()
	sender, _ := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: m.SMTPPort(), From: "helpium@helpium.test",
		TLS: mail.TLSStartTLS, TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second})
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	store.EnqueueMail(ctx, newEmail("patient@mail.test", "Hello", "queued while the server was down"))
	if n, err := mail.NewMailer(store, sender, nil, mail.MailerOptions{Backoff: time.Second}).Drain(ctx); err != nil || n != 1 {
		t.Fatalf("drain: %d, %v", n, err)
	}
	if r := outboxRows(t, store)["patient@mail.test"]; r.Sent || r.Failed || !strings.Contains(r.LastError, "connect") {
		t.Errorf("while down: %+v", r)
	}
	if err := m.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		mail.NewMailer(store, sender, nil, mail.MailerOptions{Poll: 20 * time.Millisecond}).Run(runCtx)
		close(done)
	}()
	defer func() { cancel(); <-done }()
	if got := box.Wait(t, "patient@mail.test", 1); got[0].Text == "" {
		t.Errorf("received %+v", got[0])
	}
}
