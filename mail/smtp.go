// Package mail sends Helpium's email: an SMTP client, and the mailer that
// drains the PostgreSQL outbox through it.
package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/helpium/helpium"
)

// Sender delivers one email. Message ids are stable across retries, so a
// resend after a crash is recognisable as the same message.
type Sender interface {
	Send(ctx context.Context, m *helpium.Email) error
}

// TLS modes of an SMTP connection.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, required (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption: only for a server on loopback
)

// SMTPConfig configures an SMTP sender.
type SMTPConfig struct {
	Host               string
	Port               int
	Username, Password string // empty: no authentication
	From               string // "Name <address>" or an address
	TLS                string // TLSStartTLS (default), TLSImplicit or TLSNone
	// TLSConfig overrides the TLS settings (tests trust their own CA); the
	// server name is always Host.
	TLSConfig *tls.Config
	// Timeout bounds one delivery, connection included (default 30 s).
	Timeout time.Duration
}

// SMTP sends email through one SMTP server, a connection per message.
type SMTP struct {
	cfg  SMTPConfig
	from *mail.Address
}

// NewSMTP checks cfg and returns a sender.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" || cfg.Port <= 0 || cfg.Port > 65535 {
		return nil, errors.New("mail: SMTP host and port are required")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: sender address %q: %v", cfg.From, err)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("mail: TLS mode %q: must be starttls, tls or none", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg, from: from}, nil
}

// Send delivers m: connect, secure, authenticate, MAIL, RCPT, DATA. An error
// the server gave with a 5xx code is permanent (see Permanent).
func (s *SMTP) Send(ctx context.Context, m *helpium.Email) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	msg, err := Compose(s.from, m)
	if err != nil {
		return permanent{err}
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		tlsConfig = s.cfg.TLSConfig.Clone()
	}
	tlsConfig.ServerName = s.cfg.Host
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	var conn net.Conn
	if s.cfg.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting from %s: %w", addr, err)
	}
	defer c.Close()
	if s.cfg.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("%s does not offer STARTTLS; set HELPIUM_SMTP_TLS to tls or (on loopback only) none", addr)
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("STARTTLS with %s: %w", addr, err)
		}
	}
	if s.cfg.Username != "" {
		// PlainAuth refuses to send the password over an unencrypted
		// connection to anything but localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("authenticate with %s: %w", addr, err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}

// Permanent reports whether err means the message can never be delivered
// as it is: the server refused it with a 5xx reply, or it is malformed.
func Permanent(err error) bool {
	var p permanent
	var te *textproto.Error
	return errors.As(err, &p) || (errors.As(err, &te) && te.Code >= 500 && te.Code < 600)
}

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Compose renders m as an RFC 5322 message from from: a quoted-printable
// UTF-8 text body, an encoded subject, a Message-ID made from m.ID and, for
// mail a customer may unsubscribe from, the RFC 8058 one-click headers.
func Compose(from *mail.Address, m *helpium.Email) ([]byte, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %v", m.To, err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("the subject has a line break")
	}
	if strings.ContainsAny(m.ListUnsubscribe, "\r\n<> ") {
		return nil, errors.New("the unsubscribe URL has a line break, a space or an angle bracket")
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", m.CreatedAt.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.ID+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	if m.ListUnsubscribe != "" {
		// RFC 8058: mail clients offer an unsubscribe button that POSTs
		// List-Unsubscribe=One-Click to the URL, with no page to visit.
		header("List-Unsubscribe", "<"+m.ListUnsubscribe+">")
		header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
