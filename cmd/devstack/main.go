// Command devstack starts the services Helpium needs (PostgreSQL 15,
// Weaviate and Mailpit, an SMTP server that keeps what it receives) for
// development, tests and CI, runs a command with their addresses in its
// environment, and stops them when the command exits.
//
//	go run ./cmd/devstack [-data DIR] [-pg-port N] [-weaviate-port N] [-weaviate-grpc-port N]
//	                      [-fast] [-redis] [-s3] [-addr HOST:PORT] -- COMMAND [ARGS...]
//
// The command gets DATABASE_URL, WEAVIATE_URL, WEAVIATE_GRPC_ADDR,
// HELPIUM_SMTP_HOST, HELPIUM_SMTP_PORT, HELPIUM_SMTP_TLS, MAILPIT_URL,
// HELPIUM_ADDR and HELPIUM_DATA_DIR, REDIS_URL with -redis, and with -s3
// (versitygw, an S3 server over DIR/versitygw, with the bucket helpium)
// HELPIUM_S3_ENDPOINT, HELPIUM_S3_REGION, HELPIUM_S3_BUCKET,
// HELPIUM_S3_ACCESS_KEY_ID and HELPIUM_S3_SECRET_ACCESS_KEY (not
// HELPIUM_BLOB_STORE: the server keeps its disk store unless told). Data
// lives in DIR/postgres, DIR/weaviate, DIR/mailpit (and DIR/versitygw),
// logs in DIR/logs, and the variables are also written to
// DIR/helpium.env (shell syntax), so that
//
//	set -a; . .data/helpium.env; go run ./cmd/helpium
//
// works against a running stack. Without COMMAND, devstack keeps the stack
// up until interrupted. Ports default to those of the previous run on the
// same DIR (remembered in DIR/devstack-ports.json) when they are free.
// If DATABASE_URL (or WEAVIATE_URL, HELPIUM_SMTP_HOST, and with -redis
// REDIS_URL, with -s3 HELPIUM_S3_ENDPOINT) is already set, no PostgreSQL
// (or Weaviate, Mailpit, Redis, versitygw) is started and the values are
// passed through.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/helpium/helpium/internal/devstack"
)

func main() {
	os.Exit(run())
}

// logf prints a one-line (or, for errors with a log tail, multi-line)
// message on stderr, prefixed with "devstack: " once.
func logf(format string, args ...any) {
	msg := strings.TrimPrefix(fmt.Sprintf(format, args...), "devstack: ")
	fmt.Fprintf(os.Stderr, "devstack: %s\n", msg)
}

type config struct {
	dataDir      string
	pgPort       int
	weaviatePort int
	grpcPort     int
	prefer       savedPorts // the last run's ports, when free
	fast         bool
	redis        bool
	s3           bool
	addr         string
	command      []string
}

func parseFlags() config {
	var c config
	defData := os.Getenv("HELPIUM_DATA_DIR")
	if defData == "" {
		defData = ".data"
	}
	defAddr := os.Getenv("HELPIUM_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	fs := flag.NewFlagSet("devstack", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: devstack [flags] [-- COMMAND [ARGS...]]\n\n"+
			"Starts PostgreSQL 15 and Weaviate (unless DATABASE_URL / WEAVIATE_URL are set),\n"+
			"runs COMMAND with DATABASE_URL, WEAVIATE_URL, WEAVIATE_GRPC_ADDR, HELPIUM_ADDR and\n"+
			"HELPIUM_DATA_DIR set, then stops the services. Without COMMAND, runs until interrupted.\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.dataDir, "data", defData, "data directory (default $HELPIUM_DATA_DIR or .data)")
	fs.IntVar(&c.pgPort, "pg-port", 0, "PostgreSQL port (0: the port used last time for this data dir if free, else any free port)")
	fs.IntVar(&c.weaviatePort, "weaviate-port", 0, "Weaviate REST port (0: as for -pg-port)")
	fs.IntVar(&c.grpcPort, "weaviate-grpc-port", 0, "Weaviate gRPC port (0: as for -pg-port)")
	fs.BoolVar(&c.fast, "fast", false, "run PostgreSQL without fsync (tests, throw-away data)")
	fs.BoolVar(&c.redis, "redis", false, "also start redis-server (installed with apt-get when missing) and set REDIS_URL")
	fs.BoolVar(&c.s3, "s3", false, "also start versitygw (an S3 server, built into .bin when missing) and set HELPIUM_S3_*")
	fs.StringVar(&c.addr, "addr", defAddr, "HELPIUM_ADDR for the command (default $HELPIUM_ADDR or 127.0.0.1:8080)")
	fs.Parse(os.Args[1:])
	c.command = fs.Args()
	return c
}

// savedPorts remembers the ports of the last run, so that a data dir keeps
// its addresses from one run to the next when they are free.
type savedPorts struct {
	Postgres     int `json:"postgres,omitempty"`
	Weaviate     int `json:"weaviate,omitempty"`
	WeaviateGRPC int `json:"weaviate_grpc,omitempty"`
	MailpitSMTP  int `json:"mailpit_smtp,omitempty"`
	MailpitHTTP  int `json:"mailpit_http,omitempty"`
	S3           int `json:"s3,omitempty"`
}

func loadPorts(path string) savedPorts {
	var p savedPorts
	if b, err := os.ReadFile(path); err == nil {
		json.Unmarshal(b, &p)
	}
	return p
}

func portIfFree(port int) int {
	if port <= 0 {
		return 0
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return 0
	}
	l.Close()
	return port
}

func run() int {
	cfg := parseFlags()

	// If whatever started us dies (e.g. `go run` killed), shut down too.
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)

	dataDir, err := filepath.Abs(cfg.dataDir)
	if err != nil {
		logf("%v", err)
		return 1
	}
	logDir := filepath.Join(dataDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		logf("%v", err)
		return 1
	}
	unlock, err := lockDataDir(dataDir)
	if err != nil {
		logf("%v", err)
		return 1
	}
	defer unlock()

	portsFile := filepath.Join(dataDir, "devstack-ports.json")
	saved := loadPorts(portsFile)
	// The ports of the last run are preferred, not insisted on: one taken
	// before its service binds it is replaced by a free one.
	if cfg.pgPort == 0 {
		cfg.prefer.Postgres = portIfFree(saved.Postgres)
	}
	if cfg.weaviatePort == 0 {
		cfg.prefer.Weaviate = portIfFree(saved.Weaviate)
	}
	if cfg.grpcPort == 0 && (cfg.weaviatePort != 0 || cfg.prefer.Weaviate != 0) {
		if p := portIfFree(saved.WeaviateGRPC); p != cfg.weaviatePort && p != cfg.prefer.Weaviate {
			cfg.prefer.WeaviateGRPC = p
		}
	}
	cfg.prefer.MailpitSMTP, cfg.prefer.MailpitHTTP = portIfFree(saved.MailpitSMTP), portIfFree(saved.MailpitHTTP)
	if cfg.prefer.MailpitSMTP == cfg.prefer.MailpitHTTP {
		cfg.prefer.MailpitHTTP = 0
	}
	if cfg.s3 {
		cfg.prefer.S3 = portIfFree(saved.S3)
	}
	// The services start side by side: these ports are theirs before they
	// bind them, so no port picked for another is one.
	devstack.Reserve(cfg.pgPort, cfg.weaviatePort, cfg.grpcPort, cfg.prefer.Postgres, cfg.prefer.Weaviate, cfg.prefer.WeaviateGRPC,
		cfg.prefer.MailpitSMTP, cfg.prefer.MailpitHTTP, cfg.prefer.S3)

	// Start what is needed, concurrently; a signal cancels the startup.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := &stack{}
	startDone := make(chan struct{})
	var startErr error
	go func() {
		defer close(startDone)
		startErr = st.start(ctx, cfg, dataDir, logDir)
	}()
	select {
	case <-startDone:
	case sig := <-sigs:
		logf("got %v during startup; stopping", sig)
		cancel()
		<-startDone
		st.stop()
		return 128 + int(sig.(syscall.Signal))
	}
	if startErr != nil {
		logf("%v", startErr)
		st.stop()
		return 1
	}
	defer st.stop()

	if st.pg != nil {
		saved.Postgres = st.pg.Port()
	}
	if st.wv != nil {
		saved.Weaviate, saved.WeaviateGRPC = st.wv.Port(), st.wv.GRPCPort()
	}
	if st.mail != nil {
		saved.MailpitSMTP, saved.MailpitHTTP = st.mail.SMTPPort(), st.mail.HTTPPort()
	}
	if st.s3 != nil {
		saved.S3 = st.s3.Port()
	}
	if b, err := json.MarshalIndent(saved, "", "  "); err == nil {
		writeFileAtomic(portsFile, append(b, '\n'))
	}

	vars := map[string]string{
		"DATABASE_URL":     st.databaseURL,
		"WEAVIATE_URL":     st.weaviateURL,
		"HELPIUM_ADDR":     cfg.addr,
		"HELPIUM_DATA_DIR": dataDir,
	}
	if st.weaviateGRPC != "" {
		vars["WEAVIATE_GRPC_ADDR"] = st.weaviateGRPC
	}
	if st.redisURL != "" {
		vars["REDIS_URL"] = st.redisURL
	}
	for k, v := range st.s3Vars {
		vars[k] = v
	}
	if st.mail != nil {
		vars["HELPIUM_SMTP_HOST"] = "127.0.0.1"
		vars["HELPIUM_SMTP_PORT"] = fmt.Sprint(st.mail.SMTPPort())
		vars["HELPIUM_SMTP_TLS"] = "none" // loopback
		vars["MAILPIT_URL"] = st.mail.URL()
	}
	envFile := filepath.Join(dataDir, "helpium.env")
	if err := writeFileAtomic(envFile, []byte(shellEnv(vars))); err != nil {
		logf("write %s: %v", envFile, err)
		return 1
	}

	if len(cfg.command) == 0 {
		logf("stack is up; variables in %s; press Ctrl-C to stop", envFile)
		sig := <-sigs
		logf("got %v; stopping", sig)
		return 0 // an interrupt is the normal way to stop a bare stack
	}
	return runChild(cfg.command, vars, sigs)
}

// stack is the set of services started by this process.
type stack struct {
	pg           *devstack.Postgres
	wv           *devstack.Weaviate
	redis        *devstack.Redis
	redisURL     string
	mail         *devstack.Mailpit
	s3           *devstack.VersityGW
	s3Vars       map[string]string // HELPIUM_S3_*
	logs         []io.Closer
	databaseURL  string
	weaviateURL  string
	weaviateGRPC string
}

func (s *stack) start(ctx context.Context, cfg config, dataDir, logDir string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
		cancel() // no point in waiting for the other one
	}
	openLog := func(name string) (*os.File, error) {
		f, err := os.OpenFile(filepath.Join(logDir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			mu.Lock()
			s.logs = append(s.logs, f)
			mu.Unlock()
		}
		return f, err
	}

	if url := os.Getenv("DATABASE_URL"); url != "" {
		s.databaseURL = url
		logf("using DATABASE_URL from the environment; not starting postgres")
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			logFile, err := openLog("postgres.log")
			if err != nil {
				fail(err)
				return
			}
			t0 := time.Now()
			pg, err := devstack.StartPostgres(ctx, devstack.PostgresOptions{
				DataDir:    filepath.Join(dataDir, "postgres"),
				Port:       cfg.pgPort,
				PreferPort: cfg.prefer.Postgres,
				Fast:       cfg.fast,
				Log:        logFile,
			})
			if err != nil {
				fail(fmt.Errorf("%w\n(full postgres log: %s)", err, logFile.Name()))
				return
			}
			mu.Lock()
			s.pg, s.databaseURL = pg, pg.URL()
			mu.Unlock()
			logf("postgres ready on 127.0.0.1:%d (%.1fs)", pg.Port(), time.Since(t0).Seconds())
		}()
	}

	if url := os.Getenv("WEAVIATE_URL"); url != "" {
		s.weaviateURL, s.weaviateGRPC = url, os.Getenv("WEAVIATE_GRPC_ADDR")
		logf("using WEAVIATE_URL from the environment; not starting weaviate")
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			logFile, err := openLog("weaviate.log")
			if err != nil {
				fail(err)
				return
			}
			t0 := time.Now()
			wv, err := devstack.StartWeaviate(ctx, devstack.WeaviateOptions{
				DataDir:        filepath.Join(dataDir, "weaviate"),
				Port:           cfg.weaviatePort,
				GRPCPort:       cfg.grpcPort,
				PreferPort:     cfg.prefer.Weaviate,
				PreferGRPCPort: cfg.prefer.WeaviateGRPC,
				Log:            logFile,
			})
			if err != nil {
				fail(fmt.Errorf("%w\n(full weaviate log: %s)", err, logFile.Name()))
				return
			}
			mu.Lock()
			s.wv, s.weaviateURL, s.weaviateGRPC = wv, wv.URL(), wv.GRPCAddr()
			mu.Unlock()
			logf("weaviate ready on %s, grpc %s (%.1fs)", strings.TrimPrefix(wv.URL(), "http://"), wv.GRPCAddr(), time.Since(t0).Seconds())
		}()
	}
	if url := os.Getenv("REDIS_URL"); cfg.redis && url != "" {
		s.redisURL = url
		logf("using REDIS_URL from the environment; not starting redis")
	} else if cfg.redis {
		wg.Add(1)
		go func() {
			defer wg.Done()
			logFile, err := openLog("redis.log")
			if err != nil {
				fail(err)
				return
			}
			r, err := devstack.StartRedis(ctx, devstack.RedisOptions{DataDir: filepath.Join(dataDir, "redis"), Log: logFile})
			if err != nil {
				fail(fmt.Errorf("%w\n(full redis log: %s)", err, logFile.Name()))
				return
			}
			mu.Lock()
			s.redis, s.redisURL = r, r.URL()
			mu.Unlock()
			logf("redis ready on 127.0.0.1:%d", r.Port())
		}()
	}
	if cfg.s3 && os.Getenv("HELPIUM_S3_ENDPOINT") != "" {
		s.s3Vars = map[string]string{}
		for _, name := range []string{"HELPIUM_S3_ENDPOINT", "HELPIUM_S3_REGION", "HELPIUM_S3_BUCKET", "HELPIUM_S3_ACCESS_KEY_ID", "HELPIUM_S3_SECRET_ACCESS_KEY"} {
			if v := os.Getenv(name); v != "" {
				s.s3Vars[name] = v
			}
		}
		logf("using HELPIUM_S3_ENDPOINT from the environment; not starting versitygw")
	} else if cfg.s3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			logFile, err := openLog("versitygw.log")
			if err != nil {
				fail(err)
				return
			}
			t0 := time.Now()
			v, err := devstack.StartVersityGW(ctx, devstack.VersityGWOptions{
				DataDir:    filepath.Join(dataDir, "versitygw"),
				PreferPort: cfg.prefer.S3,
				Log:        logFile,
			})
			if err != nil {
				fail(fmt.Errorf("%w\n(full versitygw log: %s)", err, logFile.Name()))
				return
			}
			mu.Lock()
			s.s3 = v
			s.s3Vars = map[string]string{
				"HELPIUM_S3_ENDPOINT":          v.URL(),
				"HELPIUM_S3_REGION":            devstack.VersityGWRegion,
				"HELPIUM_S3_BUCKET":            devstack.VersityGWBucket,
				"HELPIUM_S3_ACCESS_KEY_ID":     v.AccessKeyID(),
				"HELPIUM_S3_SECRET_ACCESS_KEY": v.SecretAccessKey(),
			}
			mu.Unlock()
			logf("versitygw (S3) ready on %s, bucket %s (%.1fs)", strings.TrimPrefix(v.URL(), "http://"), devstack.VersityGWBucket, time.Since(t0).Seconds())
		}()
	}
	if os.Getenv("HELPIUM_SMTP_HOST") != "" {
		logf("using HELPIUM_SMTP_HOST from the environment; not starting mailpit")
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			logFile, err := openLog("mailpit.log")
			if err != nil {
				fail(err)
				return
			}
			t0 := time.Now()
			m, err := devstack.StartMailpit(ctx, devstack.MailpitOptions{
				DataDir:        filepath.Join(dataDir, "mailpit"),
				PreferSMTPPort: cfg.prefer.MailpitSMTP,
				PreferHTTPPort: cfg.prefer.MailpitHTTP,
				Log:            logFile,
			})
			if err != nil {
				fail(fmt.Errorf("%w\n(full mailpit log: %s)", err, logFile.Name()))
				return
			}
			mu.Lock()
			s.mail = m
			mu.Unlock()
			logf("mailpit ready: smtp on 127.0.0.1:%d, mail to read at %s (%.1fs)", m.SMTPPort(), m.URL(), time.Since(t0).Seconds())
		}()
	}
	wg.Wait()
	// Report the real failure, not the cancellation it caused.
	for _, err := range errs {
		if !errors.Is(err, context.Canceled) {
			return err
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// stop stops the services this process started, concurrently.
func (s *stack) stop() {
	var wg sync.WaitGroup
	var names []string
	stop := func(name string, started bool, stop func() error) {
		if !started {
			return
		}
		names = append(names, name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := stop(); err != nil {
				logf("%v", err)
			}
		}()
	}
	stop("postgres", s.pg != nil, func() error { return s.pg.Stop() })
	stop("weaviate", s.wv != nil, func() error { return s.wv.Stop() })
	stop("redis", s.redis != nil, func() error { return s.redis.Stop() })
	stop("mailpit", s.mail != nil, func() error { return s.mail.Stop() })
	stop("versitygw", s.s3 != nil, func() error { return s.s3.Stop() })
	wg.Wait()
	s.pg, s.wv, s.redis, s.mail, s.s3 = nil, nil, nil, nil, nil
	if len(names) > 0 {
		logf("stopped %s", strings.Join(names, ", "))
	}
	for _, c := range s.logs {
		c.Close()
	}
	s.logs = nil
}

// runChild runs the command with vars added to its environment and
// returns its exit code.
//
// In a terminal (we are in the foreground process group of the terminal on
// stdin) the child stays in our process group: Ctrl-C, Ctrl-Z and friends
// reach it directly from the terminal, job control keeps working, and
// devstack does not forward SIGINT again (the child would get it twice).
// Otherwise (CI, scripts) the child gets its own process group and the
// signals devstack receives are forwarded to that whole group (e.g. to
// both `go run` and the program it runs). A second signal kills the child.
func runChild(command []string, vars map[string]string, sigs chan os.Signal) int {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Env = mergeEnv(os.Environ(), vars)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	interactive := ownsTerminal()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: !interactive, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf("%v", err)
		return 127
	}
	target := -cmd.Process.Pid // the child's process group
	if interactive {
		target = cmd.Process.Pid // our group is shared with our parents
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var waitErr error
	received := 0
wait:
	for {
		select {
		case waitErr = <-done:
			break wait
		case sig := <-sigs:
			received++
			if received == 1 {
				if !(interactive && sig == syscall.SIGINT) {
					syscall.Kill(target, sig.(syscall.Signal))
				}
				continue
			}
			logf("got %v again; killing %s", sig, command[0])
			syscall.Kill(target, syscall.SIGKILL)
			waitErr = <-done
			break wait
		}
	}
	if !interactive {
		// Whatever the command left running in its process group goes too.
		syscall.Kill(target, syscall.SIGTERM)
	}

	var exitErr *exec.ExitError
	switch {
	case waitErr == nil:
		return 0
	case errors.As(waitErr, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exitErr.ExitCode()
	default:
		logf("%v", waitErr)
		return 1
	}
}

// ownsTerminal reports whether stdin is a terminal whose foreground process
// group is ours.
func ownsTerminal() bool {
	var pgrp int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, 0, syscall.TIOCGPGRP, uintptr(unsafe.Pointer(&pgrp))); errno != 0 {
		return false
	}
	return int(pgrp) == syscall.Getpgrp()
}

// mergeEnv returns env with vars set (replacing existing entries).
func mergeEnv(env []string, vars map[string]string) []string {
	out := make([]string, 0, len(env)+len(vars))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := vars[name]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range sortedKeys(vars) {
		out = append(out, k+"="+vars[k])
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// shellEnv renders vars as POSIX shell assignments.
func shellEnv(vars map[string]string) string {
	var b strings.Builder
	b.WriteString("# Written by devstack; load with: set -a; . ./helpium.env; set +a\n")
	for _, k := range sortedKeys(vars) {
		fmt.Fprintf(&b, "%s=%s\n", k, shellQuote(vars[k]))
	}
	return b.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// lockDataDir prevents two devstacks from using the same data directory
// (the second would otherwise stop the first one's PostgreSQL).
func lockDataDir(dataDir string) (func(), error) {
	path := filepath.Join(dataDir, "devstack.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := io.ReadAll(f)
		f.Close()
		owner := strings.TrimSpace(string(b))
		if owner == "" {
			owner = "?"
		}
		return nil, fmt.Errorf("another devstack (pid %s) is already using %s; use a different -data directory", owner, dataDir)
	}
	f.Truncate(0)
	f.WriteAt([]byte(fmt.Sprintf("%d\n", os.Getpid())), 0)
	return func() {
		f.Truncate(0)
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
