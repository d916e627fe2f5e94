package devstack

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	redisReadyTimeout = 20 * time.Second
	redisStopGrace    = 10 * time.Second
	redisInstallLock  = "helpium-devstack-redis-install.lock"
)

// RedisOptions configures StartRedis.
type RedisOptions struct {
	// DataDir is the server's working directory (created if needed). The
	// server keeps no data on disk: persistence is off.
	DataDir string
	// Port to listen on (127.0.0.1 only). 0 picks a free port.
	Port int
	// Log receives the server log. Default: DataDir/../redis.log.
	Log io.Writer
}

// Redis is a running redis-server started by StartRedis.
type Redis struct {
	opts    RedisOptions
	dataDir string
	bin     string
	port    int

	mu   sync.Mutex
	proc *process
	log  *serviceLog
}

// StartRedis makes sure redis-server is installed (apt-get install
// redis-server when it is missing and we are root), starts it on loopback
// without persistence and waits until it answers PING.
func StartRedis(ctx context.Context, opts RedisOptions) (*Redis, error) {
	if opts.DataDir == "" {
		return nil, errors.New("devstack: RedisOptions.DataDir is required")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, err
	}
	r := &Redis{opts: opts, dataDir: dataDir, port: opts.Port,
		log: newServiceLog(opts.Log, filepath.Join(filepath.Dir(dataDir), "redis.log"))}
	if err := r.log.open(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			r.log.close()
		}
	}()
	if r.bin, err = findRedisServer(ctx, r.log); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("devstack: create redis data dir: %w", err)
	}
	if r.port, err = startOnPort(opts.Port, 0, r.log, func(port int) error {
		r.port = port
		return r.start(ctx)
	}); err != nil {
		return nil, err
	}
	ok = true
	return r, nil
}

// URL is the connection URL, e.g. redis://127.0.0.1:6379/0.
func (r *Redis) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

// Port is the TCP port the server listens on (127.0.0.1).
func (r *Redis) Port() int { return r.port }

// Stop shuts the server down (SIGTERM, SIGKILL after 10 s). Safe to call twice.
func (r *Redis) Stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := r.stop()
	r.log.close()
	return err
}

// Restart stops the server and starts it again on the same port; its data
// (the limiters' state) is gone, as after a real Redis restart without
// persistence.
func (r *Redis) Restart(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.stop(); err != nil {
		return err
	}
	if err := r.log.open(); err != nil {
		return err
	}
	if !waitPortFree(r.port, 10*time.Second) {
		return fmt.Errorf("devstack: redis restart: port %d still in use", r.port)
	}
	return r.start(ctx)
}

func (r *Redis) stop() error {
	if r.proc == nil {
		return nil
	}
	err := r.proc.stop([]syscall.Signal{syscall.SIGTERM}, []time.Duration{redisStopGrace})
	r.proc = nil
	if err != nil {
		return fmt.Errorf("devstack: stop redis: %w", err)
	}
	return nil
}

func (r *Redis) start(ctx context.Context) error {
	if !portFree(r.port) {
		return fmt.Errorf("devstack: cannot start redis: %w: %d on 127.0.0.1", errPortTaken, r.port)
	}
	// Everything on the command line: no config file of the machine's
	// package (which would start a second server or write to /var) applies.
	cmd := exec.Command(r.bin,
		"--bind", "127.0.0.1",
		"--port", strconv.Itoa(r.port),
		"--dir", r.dataDir,
		"--save", "",
		"--appendonly", "no",
		"--protected-mode", "yes",
		"--daemonize", "no",
		"--logfile", "",
		"--databases", "1",
		"--maxmemory", "128mb",
		"--maxmemory-policy", "volatile-ttl",
	)
	cmd.Dir = r.dataDir
	cmd.SysProcAttr = serviceSysProcAttr(syscall.SIGTERM)
	r.log.attach(cmd)
	cmd.WaitDelay = 5 * time.Second
	fmt.Fprintf(r.log, "devstack: starting redis on 127.0.0.1:%d\n", r.port)
	proc, err := startProcess(cmd)
	if err != nil {
		return fmt.Errorf("devstack: start redis: %w", err)
	}
	r.proc = proc
	if err := r.waitReady(ctx); err != nil {
		r.stop()
		return err
	}
	return nil
}

// waitReady sends PING in the Redis protocol until the server answers PONG.
func (r *Redis) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(redisReadyTimeout)
	addr := fmt.Sprintf("127.0.0.1:%d", r.port)
	for {
		if r.proc.exited() {
			return exitedDuringStartup("redis", r.proc.err, r.log.Tail(30))
		}
		if pingRedis(addr) == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return withTail(fmt.Errorf("devstack: redis on %s not ready after %v", addr, redisReadyTimeout), "redis", r.log.Tail(30))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.proc.done:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func pingRedis(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// findRedisServer returns the redis-server program, installing the Debian
// package when it is missing.
func findRedisServer(ctx context.Context, log io.Writer) (string, error) {
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, nil
	}
	unlock, err := flock(ctx, filepath.Join(os.TempDir(), redisInstallLock), func() {
		fmt.Fprintln(os.Stderr, "devstack: waiting for another process installing redis-server...")
	})
	if err != nil {
		return "", err
	}
	defer unlock()
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, nil
	}
	if err := installRedis(ctx, log); err != nil {
		return "", err
	}
	return exec.LookPath("redis-server")
}

// installRedis installs redis-server with apt-get without letting the
// package start its system-wide service (policy-rc.d refuses it).
func installRedis(ctx context.Context, log io.Writer) error {
	if os.Geteuid() != 0 {
		return errors.New("devstack: redis-server not found; install it with: sudo apt-get install -y redis-server")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return errors.New("devstack: redis-server not found and there is no apt-get to install it")
	}
	fmt.Fprintln(os.Stderr, "devstack: redis-server not found; installing it with apt-get...")
	const policy = "/usr/sbin/policy-rc.d"
	if _, err := os.Stat(policy); errors.Is(err, os.ErrNotExist) {
		if os.WriteFile(policy, []byte("#!/bin/sh\n# written by helpium devstack during an install\nexit 101\n"), 0o755) == nil {
			defer os.Remove(policy)
		}
	}
	var out bytes.Buffer
	w := io.MultiWriter(&out, log)
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "NEEDRESTART_MODE=a")
	for _, args := range [][]string{
		{"update"},
		{"install", "-y", "--no-install-recommends",
			"-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold", "redis-server"},
	} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = w, w
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("devstack: apt-get %s failed: %v\n%s", args[0], err, lastLines(out.String(), 20))
		}
	}
	// The package may have started its own server despite policy-rc.d on
	// systems without it; it listens on 6379 and does not disturb us.
	return nil
}
