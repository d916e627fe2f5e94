// Package devstack starts the real backing services Helpium needs
// (PostgreSQL 15 and Weaviate) as child processes, for local development,
// tests and CI. Nothing has to be running beforehand: missing PostgreSQL
// binaries are installed with apt-get and the Weaviate server is built from
// source with `go install` the first time.
//
// Every service runs in its own process group (so a Ctrl-C in the terminal
// does not hit it behind our back) and with a parent-death signal, so it
// goes away when the process that started it dies.
package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// FreePort returns a TCP port that is currently free on all local
// addresses. Another process may of course grab it before it is used.
func FreePort() (int, error) {
	ports, err := freePorts(1)
	if err != nil {
		return 0, err
	}
	return ports[0], nil
}

// reserved holds the ports this process has picked, or was told it will
// use, for the services it starts. Services start side by side and bind
// their ports only after a while (PostgreSQL's start-up, Weaviate's six
// listeners), so a port that is still free may already be promised to one
// of them; it is per process, like the services it keeps apart.
var reserved = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// Reserve promises ports to a service this process is about to start, so
// that no port picked for another one here is among them.
func Reserve(ports ...int) {
	reserved.Lock()
	defer reserved.Unlock()
	for _, p := range ports {
		if p > 0 {
			reserved.ports[p] = true
		}
	}
}

// freePorts returns n distinct free ports that nothing in this process has
// reserved, and reserves them. All listeners are held open until every
// port has been picked, so the ports are distinct. Each port is also
// checked for UDP (Weaviate's gossip protocol uses both).
func freePorts(n int) ([]int, error) {
	// ":0" binds the wildcard address, so the port is free both for
	// services binding 127.0.0.1 and for those binding ":port".
	return freePortsFrom(n, func() (net.Listener, error) { return net.Listen("tcp", ":0") })
}

// freePortsFrom is freePorts with the listeners that offer ports.
func freePortsFrom(n int, listen func() (net.Listener, error)) ([]int, error) {
	reserved.Lock()
	defer reserved.Unlock()
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	ports := make([]int, 0, n)
	for attempts := 0; len(ports) < n; attempts++ {
		if attempts > 50*n {
			return nil, errors.New("devstack: could not find free ports")
		}
		l, err := listen()
		if err != nil {
			return nil, fmt.Errorf("devstack: find free port: %w", err)
		}
		closers = append(closers, l)
		port := l.Addr().(*net.TCPAddr).Port
		if reserved.ports[port] {
			continue // promised to a service that has not bound it yet
		}
		u, err := net.ListenPacket("udp", fmt.Sprintf(":%d", port))
		if err != nil {
			continue // TCP free but UDP taken: try another one
		}
		closers = append(closers, u)
		ports = append(ports, port)
	}
	for _, p := range ports {
		reserved.ports[p] = true
	}
	return ports, nil
}

// errPortTaken means a port chosen for a service was in use at start.
var errPortTaken = errors.New("port already in use")

// pickAttempts is how many times a service is started on freshly picked
// ports before a port taken under it counts as a failure.
const pickAttempts = 3

// startOnPort calls start with port or, when port is 0, with prefer if
// set, else with a free port it picks; it returns the port the service
// started on. A preferred or picked port can be taken (by an outgoing
// connection's ephemeral port, say) before the service binds it: when
// start reports errPortTaken for one, it picks again. A port the caller
// chose is never replaced.
func startOnPort(port, prefer int, log io.Writer, start func(port int) error) (int, error) {
	for attempt := 1; ; attempt++ {
		p := port
		if p == 0 && attempt == 1 {
			p = prefer
		}
		if p == 0 {
			var err error
			if p, err = FreePort(); err != nil {
				return 0, err
			}
		}
		err := start(p)
		if err == nil || port != 0 || !errors.Is(err, errPortTaken) || attempt == pickAttempts {
			return p, err
		}
		fmt.Fprintf(log, "devstack: %v; picking another port\n", err)
	}
}

// portFree reports whether a TCP listener could be opened on port.
func portFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// waitPortFree waits up to d for port to become bindable again.
func waitPortFree(port int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if portFree(port) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tailBuffer remembers the last max bytes written to it, so that startup
// failures can show the end of a service's log.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// Tail returns at most the last n lines.
func (t *tailBuffer) Tail(n int) string {
	t.mu.Lock()
	b := bytes.TrimRight(t.buf, "\n")
	t.mu.Unlock()
	return lastLines(string(b), n)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// withTail formats an error that ends with the tail of a service log.
// exitedDuringStartup is the error for a service that exited before it was
// ready; it wraps errPortTaken when the service's log says a port was taken
// under it (between being found free and being bound).
func exitedDuringStartup(name string, exitErr error, tail string) error {
	err := fmt.Errorf("devstack: %s exited during startup (%v)", name, exitErr)
	if strings.Contains(tail, "address already in use") {
		err = fmt.Errorf("devstack: %s exited during startup (%v): %w", name, exitErr, errPortTaken)
	}
	return withTail(err, name, tail)
}

func withTail(err error, name string, tail string) error {
	if strings.TrimSpace(tail) == "" {
		return err
	}
	indented := "    " + strings.ReplaceAll(tail, "\n", "\n    ")
	return fmt.Errorf("%w\n--- last lines of the %s log ---\n%s", err, name, indented)
}

// syncWriter serialises writes to an underlying writer shared by several
// goroutines (exec copies stdout and stderr in separate goroutines).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// process is a started service process whose exit is being watched.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	err  error         // result of Wait, valid after done is closed
}

func startProcess(cmd *exec.Cmd) (*process, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends each signal in turn, waiting up to the matching grace period
// for the process to exit, and finally SIGKILLs the whole process group.
func (p *process) stop(sigs []syscall.Signal, graces []time.Duration) error {
	if p == nil {
		return nil
	}
	pid := p.cmd.Process.Pid
	for i, sig := range sigs {
		if p.exited() {
			return nil
		}
		_ = syscall.Kill(pid, sig)
		select {
		case <-p.done:
			return nil
		case <-time.After(graces[i]):
		}
	}
	if p.exited() {
		return nil
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL) // the process group
	_ = syscall.Kill(pid, syscall.SIGKILL)
	select {
	case <-p.done:
		return fmt.Errorf("had to be killed with SIGKILL")
	case <-time.After(10 * time.Second):
		return fmt.Errorf("pid %d did not exit even after SIGKILL", pid)
	}
}

// serviceSysProcAttr puts a service into its own process group (so a
// terminal Ctrl-C does not reach it directly; we shut it down in order) and
// makes the kernel send sig to it when our process dies.
func serviceSysProcAttr(sig syscall.Signal) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: sig}
}

// pidAlive reports whether a process with that pid exists.
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// waitPidGone polls until pid no longer exists or d elapses.
func waitPidGone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for pidAlive(pid) {
		// A zombie still "exists" for kill(0); treat it as gone.
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			if f := strings.Fields(string(st[bytes.LastIndexByte(st, ')')+1:])); len(f) > 0 && f[0] == "Z" {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// modulePath is the module whose checkout holds the default bin dir.
const modulePath = "github.com/helpium/helpium"

// repoRoot returns the root of the Helpium checkout: the nearest directory
// at or above the working directory whose go.mod declares modulePath, else
// the checkout this package was compiled from (go run / go test record
// absolute source paths), else "".
func repoRoot() string {
	isRoot := func(dir string) bool {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			return false
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "module" && strings.Trim(f[1], `"`) == modulePath {
				return true
			}
		}
		return false
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if isRoot(dir) {
				return dir
			}
			if dir == filepath.Dir(dir) {
				break
			}
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		// file is <root>/internal/devstack/devstack.go
		if dir := filepath.Dir(filepath.Dir(filepath.Dir(file))); isRoot(dir) {
			return dir
		}
	}
	return ""
}

// defaultBinDir is <repo>/.bin, or a per-user cache directory when we
// are not run from (or built in) a Helpium checkout.
func defaultBinDir() string {
	if root := repoRoot(); root != "" {
		return filepath.Join(root, ".bin")
	}
	if cache, err := os.UserCacheDir(); err == nil {
		return filepath.Join(cache, "helpium", "bin")
	}
	return filepath.Join(os.TempDir(), "helpium-bin")
}

// flock takes an exclusive lock on path, polling so that ctx is honoured.
// The returned function releases it.
func flock(ctx context.Context, path string, onWait func()) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	waited := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !waited && onWait != nil {
			onWait()
		}
		waited = true
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// openLog opens (appending) the default log file for a service.
func openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

// envWithout returns os.Environ() minus variables for which drop is true.
func envWithout(drop func(name string) bool) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !drop(name) {
			env = append(env, kv)
		}
	}
	return env
}

// serviceLog is where a service's output goes: the caller's writer or a
// default log file. A regular file is handed to the child process
// directly (so its last words survive us if we are killed); anything else
// is fed through a pipe. Either way Tail can show the end of the current
// run's output.
type serviceLog struct {
	given       io.Writer // from the options; nil means defaultPath
	defaultPath string

	owned *os.File    // opened by us, closed by close
	file  *os.File    // regular file the child writes to directly
	w     io.Writer   // synchronised writer for our own lines
	tail  *tailBuffer // when file == nil
	start int64       // size of file when the current run started
}

func newServiceLog(given io.Writer, defaultPath string) *serviceLog {
	return &serviceLog{given: given, defaultPath: defaultPath, tail: newTailBuffer(64 << 10)}
}

// open (re)opens the default log file if needed.
func (l *serviceLog) open() error {
	if l.w != nil {
		return nil
	}
	out := l.given
	if out == nil {
		f, err := openLog(l.defaultPath)
		if err != nil {
			return fmt.Errorf("devstack: open log: %w", err)
		}
		l.owned, out = f, f
	}
	l.file = nil
	if f, ok := out.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			l.file = f
		}
	}
	l.w = &syncWriter{w: out}
	return nil
}

func (l *serviceLog) close() {
	if l.owned != nil {
		l.owned.Close()
		l.owned = nil
	}
	l.w, l.file = nil, nil
}

func (l *serviceLog) Write(p []byte) (int, error) {
	if l.w == nil {
		return len(p), nil
	}
	return l.w.Write(p)
}

// attach connects cmd's stdout and stderr to the log.
func (l *serviceLog) attach(cmd *exec.Cmd) {
	if l.file != nil {
		if st, err := l.file.Stat(); err == nil {
			l.start = st.Size()
		}
		cmd.Stdout, cmd.Stderr = l.file, l.file
		return
	}
	l.tail = newTailBuffer(64 << 10)
	out := io.MultiWriter(l.tail, l.w)
	cmd.Stdout, cmd.Stderr = out, out
}

// Tail returns the last n lines written since the last attach.
func (l *serviceLog) Tail(n int) string {
	if l.file == nil {
		return l.tail.Tail(n)
	}
	f, err := os.Open(fmt.Sprintf("/proc/self/fd/%d", l.file.Fd()))
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	from := max(l.start, st.Size()-64<<10)
	buf := make([]byte, st.Size()-from)
	n2, _ := f.ReadAt(buf, from)
	return lastLines(string(buf[:n2]), n)
}
