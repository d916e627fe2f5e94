package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	pgDefaultBinDir  = "/usr/lib/postgresql/15/bin"
	pgMajor          = "15"
	pgDatabase       = "helpium"
	pgReadyTimeout   = 60 * time.Second
	pgStopGrace      = 20 * time.Second
	pgInstallLock    = "helpium-devstack-pg-install.lock"
	pgCreateClusterF = "/etc/postgresql-common/createcluster.conf"
)

// PostgresOptions configures StartPostgres.
type PostgresOptions struct {
	// DataDir is the cluster directory (created and initdb'ed if needed).
	DataDir string
	// Port to listen on (127.0.0.1 only). 0 picks a free port.
	Port int
	// PreferPort, when Port is 0, is tried before picking one; another
	// is picked if it is taken.
	PreferPort int
	// Fast turns off durability (fsync, synchronous_commit,
	// full_page_writes): for tests and throw-away data only.
	Fast bool
	// Log receives the server log. Default: DataDir/../postgres.log.
	Log io.Writer
}

// Postgres is a running PostgreSQL 15 server started by StartPostgres.
type Postgres struct {
	opts    PostgresOptions
	dataDir string
	sockDir string
	binDir  string
	port    int
	cred    *syscall.Credential // nil when we are not root

	mu   sync.Mutex
	proc *process
	log  *serviceLog
}

// StartPostgres makes sure PostgreSQL 15 is installed, initialises
// opts.DataDir if needed, starts the server, waits until it accepts
// connections and creates the "helpium" database if it does not exist.
func StartPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	if opts.DataDir == "" {
		return nil, errors.New("devstack: PostgresOptions.DataDir is required")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, err
	}
	p := &Postgres{opts: opts, dataDir: dataDir, port: opts.Port,
		log: newServiceLog(opts.Log, filepath.Join(filepath.Dir(dataDir), "postgres.log"))}
	if err := p.log.open(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			p.log.close()
		}
	}()

	if p.binDir, err = findPostgresBinDir(ctx, p.log); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as "postgres".
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("devstack: running as root but there is no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{uint32(gid)}}
	}
	if err := p.prepareDataDir(); err != nil {
		return nil, err
	}
	if err := p.initdb(ctx); err != nil {
		return nil, err
	}
	if p.port, err = startOnPort(p.port, opts.PreferPort, p.log, func(port int) error {
		p.port = port
		return p.start(ctx)
	}); err != nil {
		return nil, err
	}
	if err := p.ensureDatabase(ctx); err != nil {
		p.stop()
		return nil, err
	}
	ok = true
	return p, nil
}

// URL is the connection URL of the helpium database.
func (p *Postgres) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, pgDatabase)
}

// AdminURL is the connection URL of the "postgres" maintenance database.
func (p *Postgres) AdminURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// Port is the TCP port the server listens on (127.0.0.1).
func (p *Postgres) Port() int { return p.port }

// BinDir is the directory holding the PostgreSQL programs (psql, ...).
func (p *Postgres) BinDir() string { return p.binDir }

// Stop shuts the server down (fast shutdown: SIGINT, then SIGQUIT and
// SIGKILL if it does not go away within 20 s). It is safe to call twice.
func (p *Postgres) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.stop()
	p.log.close()
	return err
}

// Restart stops the server and starts it again on the same port and data
// directory (tests use it to simulate an outage).
func (p *Postgres) Restart(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.stop(); err != nil {
		return err
	}
	if err := p.log.open(); err != nil {
		return err
	}
	if !waitPortFree(p.port, 10*time.Second) {
		return fmt.Errorf("devstack: postgres restart: port %d still in use", p.port)
	}
	return p.start(ctx)
}

func (p *Postgres) stop() error {
	if p.proc == nil {
		return nil
	}
	err := p.proc.stop(
		[]syscall.Signal{syscall.SIGINT, syscall.SIGQUIT},
		[]time.Duration{pgStopGrace, 5 * time.Second})
	p.proc = nil
	if err != nil {
		return fmt.Errorf("devstack: stop postgres: %w", err)
	}
	return nil
}

func (p *Postgres) logf(format string, args ...any) {
	fmt.Fprintf(p.log, "devstack: "+format+"\n", args...)
}

// command builds an exec.Cmd for a PostgreSQL program. When asServer is
// true it runs as the postgres user (initdb, postgres); client programs
// run as ourselves and talk TCP.
func (p *Postgres) command(ctx context.Context, asServer bool, prog string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(p.binDir, prog), args...)
	// Let initdb & co. clean up after themselves when cancelled.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 10 * time.Second
	// PG* variables (PGHOST, PGPORT, PGDATA, ...) from the caller's
	// environment would silently redirect the tools.
	// The server's locale comes from initdb's --locale, not from whatever
	// (possibly uninstalled) locale the caller's LANG/LC_* name.
	cmd.Env = envWithout(func(name string) bool {
		return strings.HasPrefix(name, "PG") ||
			(asServer && (strings.HasPrefix(name, "LC_") || name == "LANG" || name == "LANGUAGE"))
	})
	cmd.SysProcAttr = serviceSysProcAttr(syscall.SIGINT)
	if asServer {
		cmd.SysProcAttr.Credential = p.cred
		cmd.Dir = "/" // our cwd may not be readable by postgres
		cmd.Env = append(cmd.Env, "LC_ALL=C")
	}
	return cmd
}

// prepareDataDir creates the data directory owned by the server user with
// mode 0700 and makes its parents traversable.
func (p *Postgres) prepareDataDir() error {
	if err := os.MkdirAll(p.dataDir, 0o700); err != nil {
		return fmt.Errorf("devstack: create postgres data dir: %w", err)
	}
	if p.cred != nil {
		// The server user must be able to reach the data directory
		// (t.TempDir() for instance creates 0700 directories).
		for dir := filepath.Dir(p.dataDir); ; dir = filepath.Dir(dir) {
			if st, err := os.Stat(dir); err == nil && st.Mode().Perm()&0o001 == 0 {
				if err := os.Chmod(dir, st.Mode().Perm()|0o001); err != nil {
					return fmt.Errorf("devstack: make %s traversable for postgres: %w", dir, err)
				}
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
		uid, gid := int(p.cred.Uid), int(p.cred.Gid)
		st, err := os.Stat(p.dataDir)
		if err != nil {
			return err
		}
		if sys, ok := st.Sys().(*syscall.Stat_t); !ok || int(sys.Uid) != uid {
			err := filepath.WalkDir(p.dataDir, func(path string, _ fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				return os.Lchown(path, uid, gid)
			})
			if err != nil {
				return fmt.Errorf("devstack: chown postgres data dir: %w", err)
			}
		}
	}
	if err := os.Chmod(p.dataDir, 0o700); err != nil {
		return err
	}
	// Unix socket paths are limited to ~107 bytes: fall back to a short
	// directory under /tmp when the data dir path is too long.
	p.sockDir = p.dataDir
	if len(p.sockDir) > 80 {
		p.sockDir = filepath.Join(os.TempDir(), fmt.Sprintf("helpium-pg-%x", fnv32(p.dataDir)))
		if err := os.MkdirAll(p.sockDir, 0o700); err != nil {
			return err
		}
		if p.cred != nil {
			if err := os.Chown(p.sockDir, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
				return err
			}
		}
	}
	return nil
}

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// initdb initialises the cluster unless it already exists.
func (p *Postgres) initdb(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(p.dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	if entries, _ := os.ReadDir(p.dataDir); len(entries) > 0 {
		return fmt.Errorf("devstack: %s is not empty but is not a PostgreSQL data directory (no PG_VERSION); "+
			"remove it to start afresh", p.dataDir)
	}
	base := []string{"-D", p.dataDir, "--auth=trust", "-U", "postgres", "--encoding=UTF8"}
	if p.opts.Fast {
		base = append(base, "--no-sync")
	}
	var out bytes.Buffer
	for _, locale := range []string{"--locale=C.UTF-8", "--no-locale"} {
		out.Reset()
		cmd := p.command(ctx, true, "initdb", append(base, locale)...)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		p.log.Write(out.Bytes())
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !strings.Contains(out.String(), "invalid locale") {
			break
		}
		// initdb removes what it created on failure; make sure.
		os.RemoveAll(p.dataDir)
		if err := p.prepareDataDir(); err != nil {
			return err
		}
	}
	return fmt.Errorf("devstack: initdb %s failed:\n%s", p.dataDir, strings.TrimSpace(out.String()))
}

// clearStalePid deals with a postmaster.pid left by a crashed run.
func (p *Postgres) clearStalePid() error {
	pidFile := filepath.Join(p.dataDir, "postmaster.pid")
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return nil // no pid file: nothing to do
	}
	lines := strings.Split(string(data), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(lines[0]))
	if pid > 0 && pidAlive(pid) && isPostgresOn(pid, p.dataDir) {
		p.logf("stopping leftover postgres (pid %d) on %s", pid, p.dataDir)
		syscall.Kill(pid, syscall.SIGINT)
		if !waitPidGone(pid, pgStopGrace) {
			syscall.Kill(pid, syscall.SIGQUIT)
			if !waitPidGone(pid, 5*time.Second) {
				syscall.Kill(pid, syscall.SIGKILL)
				if !waitPidGone(pid, 5*time.Second) {
					return fmt.Errorf("devstack: leftover postgres pid %d on %s does not stop", pid, p.dataDir)
				}
			}
		}
		// Its children (backends, workers) exit on postmaster death.
		time.Sleep(100 * time.Millisecond)
	}
	// The pid is dead (or now belongs to an unrelated process).
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("devstack: remove stale %s: %w", pidFile, err)
	}
	return nil
}

// isPostgresOn reports whether pid is a postgres server for dataDir.
func isPostgresOn(pid int, dataDir string) bool {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || !strings.HasPrefix(string(comm), "postgres") {
			return false
		}
	} else if b := filepath.Base(strings.TrimSuffix(exe, " (deleted)")); b != "postgres" && b != "postmaster" {
		return false
	}
	// The pid file always names its own directory, so ask the process:
	// a postmaster runs with the data directory as its working directory.
	if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && filepath.Clean(cwd) == dataDir {
		return true
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	for _, arg := range bytes.Split(cmdline, []byte{0}) {
		if filepath.Clean(string(arg)) == dataDir {
			return true
		}
	}
	return false
}

// start launches the server and waits until it accepts connections.
// Callers hold p.mu (or own p exclusively).
func (p *Postgres) start(ctx context.Context) error {
	if err := p.clearStalePid(); err != nil {
		return err
	}
	if !portFree(p.port) {
		return fmt.Errorf("devstack: cannot start postgres: %w: %d on 127.0.0.1", errPortTaken, p.port)
	}
	args := []string{
		"-D", p.dataDir,
		"-p", strconv.Itoa(p.port),
		"-k", p.sockDir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "max_connections=200",
	}
	if p.opts.Fast {
		args = append(args,
			"-c", "fsync=off",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off")
	}
	// Not tied to ctx: the server outlives the start-up call.
	cmd := p.command(context.Background(), true, "postgres", args...)
	// SIGINT (fast shutdown) rather than SIGTERM (smart shutdown, which
	// waits for every client to disconnect) if we die.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	p.log.attach(cmd)
	cmd.WaitDelay = 5 * time.Second
	p.logf("starting postgres on 127.0.0.1:%d (data %s)", p.port, p.dataDir)
	proc, err := startProcess(cmd)
	if err != nil {
		return fmt.Errorf("devstack: start postgres: %w", err)
	}
	p.proc = proc
	if err := p.waitReady(ctx); err != nil {
		p.stop()
		return err
	}
	return nil
}

func (p *Postgres) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(pgReadyTimeout)
	for {
		if p.proc.exited() {
			return exitedDuringStartup("postgres", p.proc.err, p.log.Tail(30))
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		cmd := p.command(cctx, false, "pg_isready",
			"-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", "postgres", "-d", "postgres", "-t", "2")
		err := cmd.Run()
		cancel()
		if err == nil && !p.proc.exited() {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return withTail(fmt.Errorf("devstack: postgres on 127.0.0.1:%d not ready after %v", p.port, pgReadyTimeout),
				"postgres", p.log.Tail(30))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.proc.done:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// psql runs an SQL statement against the maintenance database.
func (p *Postgres) psql(ctx context.Context, sql string) (string, error) {
	cmd := p.command(ctx, false, "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", "postgres", "-d", "postgres", "-c", sql)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("psql %q: %v: %s", sql, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

func (p *Postgres) ensureDatabase(ctx context.Context) error {
	out, err := p.psql(ctx, "SELECT 1 FROM pg_database WHERE datname = '"+pgDatabase+"'")
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	if out == "1" {
		return nil
	}
	if _, err := p.psql(ctx, "CREATE DATABASE "+pgDatabase); err != nil &&
		!strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("devstack: %w", err)
	}
	return nil
}

// findPostgresBinDir locates the PostgreSQL 15 programs, installing them
// with apt-get if they are missing.
func findPostgresBinDir(ctx context.Context, log io.Writer) (string, error) {
	if dir := lookupPostgresBinDir(); dir != "" {
		return dir, nil
	}
	unlock, err := flock(ctx, filepath.Join(os.TempDir(), pgInstallLock), func() {
		fmt.Fprintln(os.Stderr, "devstack: waiting for another process installing PostgreSQL...")
	})
	if err != nil {
		return "", err
	}
	defer unlock()
	if dir := lookupPostgresBinDir(); dir != "" {
		return dir, nil
	}
	if err := installPostgres(ctx, log); err != nil {
		return "", err
	}
	if dir := lookupPostgresBinDir(); dir != "" {
		return dir, nil
	}
	return "", fmt.Errorf("devstack: postgresql-%s installed but no binaries found in %s", pgMajor, pgDefaultBinDir)
}

func lookupPostgresBinDir() string {
	if isExecutable(filepath.Join(pgDefaultBinDir, "postgres")) {
		return pgDefaultBinDir
	}
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		return ""
	}
	dir := strings.TrimSpace(string(out))
	// Only a PostgreSQL 15 server can open a data directory made by 15.
	v, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil || !strings.Contains(string(v), " "+pgMajor+".") {
		return ""
	}
	for _, prog := range []string{"initdb", "pg_isready", "psql"} {
		if !isExecutable(filepath.Join(dir, prog)) {
			return ""
		}
	}
	return dir
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

// installPostgres installs postgresql-15 with apt-get, without letting
// the Debian packaging create and start its default cluster.
func installPostgres(ctx context.Context, log io.Writer) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("devstack: PostgreSQL %s not found (looked in %s and pg_config --bindir); "+
			"install it with: sudo apt-get install -y postgresql-%s", pgMajor, pgDefaultBinDir, pgMajor)
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return fmt.Errorf("devstack: PostgreSQL %s not found and there is no apt-get to install it", pgMajor)
	}
	fmt.Fprintf(os.Stderr, "devstack: PostgreSQL %s not found; installing postgresql-%s with apt-get (about a minute)...\n", pgMajor, pgMajor)
	// postgresql-common reads this before creating the "main" cluster.
	if _, err := os.Stat(pgCreateClusterF); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(pgCreateClusterF), 0o755); err == nil {
			os.WriteFile(pgCreateClusterF, []byte("# written by helpium devstack: do not create a default cluster\ncreate_main_cluster = false\n"), 0o644)
		}
	}
	var out bytes.Buffer
	w := io.MultiWriter(&out, log)
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "NEEDRESTART_MODE=a")
	for _, args := range [][]string{
		{"update"},
		{"install", "-y", "--no-install-recommends",
			"-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
			"postgresql-" + pgMajor},
	} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = w, w
		cmd.Stdin = nil
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("devstack: apt-get %s failed: %v\n%s", args[0], err, lastLines(out.String(), 20))
		}
	}
	return nil
}
