package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// MailpitVersion is the Mailpit version devstack builds and runs: a real
// SMTP server that keeps what it receives and shows it over an HTTP API
// and web UI, for development and tests.
const MailpitVersion = "v1.33.1"

const (
	mailpitPkg          = "github.com/axllent/mailpit"
	mailpitReadyTimeout = 30 * time.Second
	mailpitStopGrace    = 10 * time.Second
)

// MailpitOptions configures StartMailpit.
type MailpitOptions struct {
	// DataDir holds Mailpit's database (created if needed).
	DataDir string
	// SMTPPort and HTTPPort listen on 127.0.0.1; 0 picks a free port
	// (PreferSMTPPort and PreferHTTPPort first, when set and free).
	SMTPPort, HTTPPort             int
	PreferSMTPPort, PreferHTTPPort int
	// TLSCert and TLSKey (PEM files) make the server offer STARTTLS;
	// RequireSTARTTLS refuses mail sent without it.
	TLSCert, TLSKey string
	RequireSTARTTLS bool
	// Chaos enables Mailpit's chaos API, which makes the SMTP server fail
	// on purpose (PUT /api/v1/chaos).
	Chaos bool
	// BinDir holds the mailpit binary (built there if missing); default
	// as for Weaviate.
	BinDir string
	// Log receives the server log. Default: DataDir/../mailpit.log.
	Log io.Writer
}

// Mailpit is a running Mailpit started by StartMailpit. It accepts any
// SMTP credentials (or none) and keeps every message it receives.
type Mailpit struct {
	opts               MailpitOptions
	dataDir, bin       string
	smtpPort, httpPort int

	mu   sync.Mutex
	proc *process
	log  *serviceLog
}

// StartMailpit makes sure the mailpit binary exists (building it with `go
// install` if needed; about a minute the first time), starts it on
// loopback and waits until its API answers.
func StartMailpit(ctx context.Context, opts MailpitOptions) (*Mailpit, error) {
	if opts.DataDir == "" {
		return nil, errors.New("devstack: MailpitOptions.DataDir is required")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, err
	}
	if opts.BinDir == "" {
		opts.BinDir = defaultBinDir()
	}
	m := &Mailpit{opts: opts, dataDir: dataDir,
		log: newServiceLog(opts.Log, filepath.Join(filepath.Dir(dataDir), "mailpit.log"))}
	if err := m.log.open(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			m.log.close()
		}
	}()
	// The version is in the name, so that a new version is built anew.
	if m.bin, err = ensureGoBinary(ctx, opts.BinDir, mailpitPkg, MailpitVersion, "mailpit-"+MailpitVersion, "about a minute", m.log); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("devstack: create mailpit data dir: %w", err)
	}
	// As for Weaviate: ports taken before Mailpit binds them are replaced.
	for attempt := 1; ; attempt++ {
		ports, err := freePorts(2)
		if err != nil {
			return nil, err
		}
		pick := func(want, prefer, picked int) int {
			switch {
			case want != 0:
				return want
			case prefer != 0 && attempt == 1:
				return prefer
			}
			return picked
		}
		m.smtpPort = pick(opts.SMTPPort, opts.PreferSMTPPort, ports[0])
		m.httpPort = pick(opts.HTTPPort, opts.PreferHTTPPort, ports[1])
		err = m.start(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, errPortTaken) || attempt == pickAttempts {
			return nil, err
		}
		fmt.Fprintf(m.log, "devstack: %v; picking other ports\n", err)
	}
	ok = true
	return m, nil
}

// SMTPPort is the SMTP port on 127.0.0.1.
func (m *Mailpit) SMTPPort() int { return m.smtpPort }

// HTTPPort is the port of the web UI and API on 127.0.0.1.
func (m *Mailpit) HTTPPort() int { return m.httpPort }

// URL is the web UI's and API's base URL, e.g. http://127.0.0.1:8025.
func (m *Mailpit) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", m.httpPort) }

// Stop shuts Mailpit down (SIGTERM, SIGKILL after 10 s). Safe to call twice.
func (m *Mailpit) Stop() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	err := m.stop()
	m.log.close()
	return err
}

// Restart stops Mailpit and starts it again on the same ports and data.
func (m *Mailpit) Restart(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.stop(); err != nil {
		return err
	}
	if err := m.log.open(); err != nil {
		return err
	}
	for _, port := range []int{m.smtpPort, m.httpPort} {
		if !waitPortFree(port, 10*time.Second) {
			return fmt.Errorf("devstack: mailpit restart: port %d still in use", port)
		}
	}
	return m.start(ctx)
}

func (m *Mailpit) stop() error {
	if m.proc == nil {
		return nil
	}
	err := m.proc.stop([]syscall.Signal{syscall.SIGTERM}, []time.Duration{mailpitStopGrace})
	m.proc = nil
	if err != nil {
		return fmt.Errorf("devstack: stop mailpit: %w", err)
	}
	return nil
}

func (m *Mailpit) start(ctx context.Context) error {
	for _, port := range []int{m.smtpPort, m.httpPort} {
		if !portFree(port) {
			return fmt.Errorf("devstack: cannot start mailpit: %w: %d on 127.0.0.1", errPortTaken, port)
		}
	}
	args := []string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(m.smtpPort),
		"--listen", "127.0.0.1:" + strconv.Itoa(m.httpPort),
		"--database", filepath.Join(m.dataDir, "mailpit.db"),
		"--max", "20000",
		"--smtp-auth-accept-any",
		"--smtp-disable-rdns",
		"--disable-version-check", // it would ask GitHub at every start
		"--quiet",
	}
	if m.opts.TLSCert != "" {
		args = append(args, "--smtp-tls-cert", m.opts.TLSCert, "--smtp-tls-key", m.opts.TLSKey)
	} else {
		args = append(args, "--smtp-auth-allow-insecure") // credentials in plain text, on loopback
	}
	if m.opts.RequireSTARTTLS {
		args = append(args, "--smtp-require-starttls")
	}
	if m.opts.Chaos {
		args = append(args, "--enable-chaos")
	}
	cmd := exec.Command(m.bin, args...)
	cmd.Env = envWithout(func(n string) bool { return len(n) > 3 && n[:3] == "MP_" }) // no stray MP_ settings
	cmd.Dir = m.dataDir
	cmd.SysProcAttr = serviceSysProcAttr(syscall.SIGTERM)
	m.log.attach(cmd)
	cmd.WaitDelay = 5 * time.Second
	fmt.Fprintf(m.log, "devstack: starting mailpit, smtp on 127.0.0.1:%d, web on 127.0.0.1:%d\n", m.smtpPort, m.httpPort)
	proc, err := startProcess(cmd)
	if err != nil {
		return fmt.Errorf("devstack: start mailpit: %w", err)
	}
	m.proc = proc
	if err := m.waitReady(ctx); err != nil {
		m.stop()
		return err
	}
	return nil
}

// waitReady polls /readyz until Mailpit answers 200.
func (m *Mailpit) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(mailpitReadyTimeout)
	client := &http.Client{Timeout: time.Second}
	for {
		if m.proc.exited() {
			return exitedDuringStartup("mailpit", m.proc.err, m.log.Tail(30))
		}
		if res, err := client.Get(m.URL() + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK && !portFree(m.smtpPort) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return withTail(fmt.Errorf("devstack: mailpit on %s not ready after %v", m.URL(), mailpitReadyTimeout), "mailpit", m.log.Tail(30))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-m.proc.done:
		case <-time.After(50 * time.Millisecond):
		}
	}
}
