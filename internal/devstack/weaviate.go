package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// WeaviateVersion is the Weaviate server version devstack builds and runs.
const WeaviateVersion = "v1.35.2"

const (
	weaviatePkg          = "github.com/weaviate/weaviate/cmd/weaviate-server"
	weaviateBinName      = "weaviate-server"
	weaviateReadyTimeout = 120 * time.Second
	weaviateStopGrace    = 20 * time.Second
)

// WeaviateOptions configures StartWeaviate.
type WeaviateOptions struct {
	// DataDir is Weaviate's PERSISTENCE_DATA_PATH (created if needed).
	DataDir string
	// Port is the REST port (127.0.0.1). 0 picks a free port.
	Port int
	// GRPCPort is the gRPC port. 0 picks a free port.
	GRPCPort int
	// PreferPort and PreferGRPCPort, when Port or GRPCPort is 0, are tried
	// before picking ports; others are picked if one is taken.
	PreferPort, PreferGRPCPort int
	// BinDir holds the weaviate-server binary (built there if missing).
	// Default: <repo>/.bin, where <repo> is the Helpium checkout containing
	// the working directory (or, failing that, the one this package was
	// built from); outside any checkout, $XDG_CACHE_HOME/helpium/bin.
	BinDir string
	// Log receives the server log. Default: DataDir/../weaviate.log.
	Log io.Writer
}

// Weaviate is a running single-node Weaviate started by StartWeaviate.
type Weaviate struct {
	opts    WeaviateOptions
	dataDir string
	bin     string

	// Ports: REST, gRPC and the internal ones (memberlist gossip, cluster
	// data API, raft, raft internal RPC). Kept across Restart.
	port, grpcPort, gossipPort, dataPort, raftPort, raftRPCPort int

	mu   sync.Mutex
	proc *process
	log  *serviceLog
}

// StartWeaviate makes sure the weaviate-server binary exists (building it
// with `go install` if needed; ~6 minutes the first time), starts a
// single-node server bound to loopback and waits until it is ready.
func StartWeaviate(ctx context.Context, opts WeaviateOptions) (*Weaviate, error) {
	if opts.DataDir == "" {
		return nil, errors.New("devstack: WeaviateOptions.DataDir is required")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, err
	}
	if opts.BinDir == "" {
		opts.BinDir = defaultBinDir()
	}
	if opts.BinDir, err = filepath.Abs(opts.BinDir); err != nil {
		return nil, err
	}
	w := &Weaviate{opts: opts, dataDir: dataDir, port: opts.Port, grpcPort: opts.GRPCPort,
		log: newServiceLog(opts.Log, filepath.Join(filepath.Dir(dataDir), "weaviate.log"))}
	if err := w.log.open(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			w.log.close()
		}
	}()

	if w.bin, err = EnsureWeaviateBinary(ctx, opts.BinDir, w.log); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("devstack: create weaviate data dir: %w", err)
	}
	// A port found free can be taken (by an outgoing connection's
	// ephemeral port, say) before Weaviate binds it: pick again then.
	for attempt := 1; ; attempt++ {
		ports, err := freePorts(6)
		if err != nil {
			return nil, err
		}
		pick := func(p *int, want, prefer, i int) {
			*p = want
			if *p == 0 && attempt == 1 {
				*p = prefer
			}
			if *p == 0 {
				*p = ports[i]
			}
		}
		pick(&w.port, opts.Port, opts.PreferPort, 0)
		pick(&w.grpcPort, opts.GRPCPort, opts.PreferGRPCPort, 1)
		w.gossipPort, w.dataPort, w.raftPort, w.raftRPCPort = ports[2], ports[3], ports[4], ports[5]
		err = w.start(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, errPortTaken) || attempt == pickAttempts {
			return nil, err
		}
		fmt.Fprintf(w.log, "devstack: %v; picking other ports\n", err)
	}
	ok = true
	return w, nil
}

// URL is the REST base URL, e.g. http://127.0.0.1:8080.
func (w *Weaviate) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", w.port) }

// GRPCAddr is the gRPC address, e.g. 127.0.0.1:50051.
func (w *Weaviate) GRPCAddr() string { return fmt.Sprintf("127.0.0.1:%d", w.grpcPort) }

// Port is the REST port.
func (w *Weaviate) Port() int { return w.port }

// GRPCPort is the gRPC port.
func (w *Weaviate) GRPCPort() int { return w.grpcPort }

// Stop shuts Weaviate down (SIGTERM, SIGKILL after 20 s). Safe to call twice.
func (w *Weaviate) Stop() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.stop()
	w.log.close()
	return err
}

// Restart stops Weaviate and starts it again with the same ports and data.
func (w *Weaviate) Restart(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.stop(); err != nil {
		return err
	}
	if err := w.log.open(); err != nil {
		return err
	}
	for _, port := range w.allPorts() {
		if !waitPortFree(port, 10*time.Second) {
			return fmt.Errorf("devstack: weaviate restart: port %d still in use", port)
		}
	}
	return w.start(ctx)
}

func (w *Weaviate) allPorts() []int {
	return []int{w.port, w.grpcPort, w.gossipPort, w.dataPort, w.raftPort, w.raftRPCPort}
}

func (w *Weaviate) stop() error {
	if w.proc == nil {
		return nil
	}
	err := w.proc.stop([]syscall.Signal{syscall.SIGTERM}, []time.Duration{weaviateStopGrace})
	w.proc = nil
	if err != nil {
		return fmt.Errorf("devstack: stop weaviate: %w", err)
	}
	return nil
}

// env is the complete environment of the server. It is built from scratch
// (plus a few harmless variables) so that stray settings in the caller's
// environment (Weaviate reads hundreds of variables) cannot change it.
func (w *Weaviate) env() []string {
	var env []string
	for _, name := range []string{"PATH", "HOME", "TMPDIR", "TZ", "GOMAXPROCS", "GOMEMLIMIT", "GOGC", "GODEBUG", "LOG_LEVEL", "LOG_FORMAT"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	itoa := strconv.Itoa
	return append(env,
		"PERSISTENCE_DATA_PATH="+w.dataDir,
		"AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true",
		"DEFAULT_VECTORIZER_MODULE=none",
		"ENABLE_MODULES=",
		"DISABLE_TELEMETRY=true",
		"QUERY_DEFAULTS_LIMIT=25",
		// Single node on loopback. The hostname of some machines resolves
		// to IPv6 only, hence the explicit advertise/bind address.
		"CLUSTER_HOSTNAME=node1",
		"CLUSTER_ADVERTISE_ADDR=127.0.0.1",
		"CLUSTER_BIND_ADDR=127.0.0.1",
		// Not CLUSTER_IN_LOCALHOST=true: with it the raft RPC client
		// assumes RAFT_INTERNAL_RPC_PORT == RAFT_PORT+1 and a node whose
		// ports are picked independently never manages to bootstrap.
		"RAFT_BOOTSTRAP_EXPECT=1",
		// Raft timeouts are 5x the raft defaults unless told otherwise,
		// which costs ~5 s per start before the single node elects itself.
		"RAFT_TIMEOUTS_MULTIPLIER=1",
		// The raft configuration stores node addresses with ports; let a
		// single node recover if they changed since the data was written.
		"RAFT_ENABLE_ONE_NODE_RECOVERY=true",
		// Every port the server binds, so that several stacks can run
		// side by side (defaults: 50051, 7946 tcp+udp, 7947, 8300, 8301,
		// 6060 for pprof, 2112 for metrics).
		"GRPC_PORT="+itoa(w.grpcPort),
		"CLUSTER_GOSSIP_BIND_PORT="+itoa(w.gossipPort),
		"CLUSTER_DATA_BIND_PORT="+itoa(w.dataPort),
		"RAFT_PORT="+itoa(w.raftPort),
		"RAFT_INTERNAL_RPC_PORT="+itoa(w.raftRPCPort),
		"GO_PROFILING_DISABLE=true",
		"PROMETHEUS_MONITORING_ENABLED=false",
		// New collections get the map inverted index, not BlockMax WAND:
		// v1.35's BlockMax WAND drops the documents that hold a rare word
		// of a query of several words (weaviate/weaviate#11779, fixed
		// later). search.Index reads which one a collection has.
		"USE_INVERTED_SEARCHABLE=false",
	)
}

func (w *Weaviate) start(ctx context.Context) error {
	for _, port := range w.allPorts() {
		if !portFree(port) {
			return fmt.Errorf("devstack: cannot start weaviate: %w: %d", errPortTaken, port)
		}
	}
	cmd := exec.Command(w.bin, "--host", "127.0.0.1", "--port", strconv.Itoa(w.port), "--scheme", "http")
	cmd.Env = w.env()
	cmd.Dir = w.dataDir
	cmd.SysProcAttr = serviceSysProcAttr(syscall.SIGTERM)
	w.log.attach(cmd)
	cmd.WaitDelay = 5 * time.Second
	fmt.Fprintf(w.log, "devstack: starting weaviate on 127.0.0.1:%d (grpc %d, gossip %d, data %d, raft %d, raft rpc %d; data %s)\n",
		w.port, w.grpcPort, w.gossipPort, w.dataPort, w.raftPort, w.raftRPCPort, w.dataDir)
	proc, err := startProcess(cmd)
	if err != nil {
		return fmt.Errorf("devstack: start weaviate: %w", err)
	}
	w.proc = proc
	if err := w.waitReady(ctx); err != nil {
		w.stop()
		return err
	}
	return nil
}

func (w *Weaviate) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	url := w.URL() + "/v1/.well-known/ready"
	deadline := time.Now().Add(weaviateReadyTimeout)
	for {
		if w.proc.exited() {
			return exitedDuringStartup("weaviate", w.proc.err, w.log.Tail(30))
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && !w.proc.exited() {
				return nil
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return withTail(fmt.Errorf("devstack: weaviate on %s not ready after %v", w.URL(), weaviateReadyTimeout),
				"weaviate", w.log.Tail(30))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.proc.done:
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// EnsureWeaviateBinary returns the path of binDir/weaviate-server, building
// it first with `go install` if it does not exist. A lock file in binDir
// makes concurrent callers wait for a single build.
func EnsureWeaviateBinary(ctx context.Context, binDir string, log io.Writer) (string, error) {
	return ensureGoBinary(ctx, binDir, weaviatePkg, WeaviateVersion, weaviateBinName, "~6 minutes", log)
}

// ensureGoBinary returns binDir/binName, building pkg@version into it with
// `go install` first if it does not exist; took says how long that takes,
// for the message. A lock file in binDir makes concurrent callers wait for
// a single build.
func ensureGoBinary(ctx context.Context, binDir, pkg, version, binName, took string, log io.Writer) (string, error) {
	bin := filepath.Join(binDir, binName)
	if binaryComplete(bin) {
		return bin, nil
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", err
	}
	unlock, err := flock(ctx, filepath.Join(binDir, "."+binName+".lock"), func() {
		fmt.Fprintf(os.Stderr, "devstack: waiting for another process building %s...\n", bin)
	})
	if err != nil {
		return "", fmt.Errorf("devstack: %w", err)
	}
	defer unlock()
	if binaryComplete(bin) {
		return bin, nil
	}

	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	// Build into a temporary GOBIN and rename, so that nobody ever sees
	// a half-written binary.
	tmp, err := os.MkdirTemp(binDir, ".build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(os.Stderr, "devstack: building %s@%s into %s (takes %s the first time)...\n", pkg, version, bin, took)
	start := time.Now()
	tail := newTailBuffer(16 << 10)
	cmd := exec.CommandContext(ctx, goCmd, "install", pkg+"@"+version)
	cmd.Env = append(envWithout(func(n string) bool { return n == "GOBIN" || n == "GOWORK" }), "GOBIN="+tmp, "GOWORK=off")
	cmd.Dir = tmp
	cmd.Stdout = io.MultiWriter(tail, log)
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", withTail(fmt.Errorf("devstack: go install %s@%s failed: %w", pkg, version, err), "build", tail.Tail(30))
	}
	if err := os.Rename(filepath.Join(tmp, path.Base(pkg)), bin); err != nil {
		return "", fmt.Errorf("devstack: install %s: %w", binName, err)
	}
	fmt.Fprintf(os.Stderr, "devstack: built %s in %v\n", binName, time.Since(start).Round(time.Second))
	return bin, nil
}

// binaryComplete reports whether bin exists and is not being written: a
// `go install` that does not use our lock (e.g. started by hand) copies the
// binary in place, so a very fresh file is only trusted once its size has
// stopped changing.
func binaryComplete(bin string) bool {
	st, err := os.Stat(bin)
	if err != nil || !isExecutable(bin) || st.Size() == 0 {
		return false
	}
	for time.Since(st.ModTime()) < 3*time.Second {
		time.Sleep(time.Second)
		st2, err := os.Stat(bin)
		if err != nil {
			return false
		}
		if st2.Size() == st.Size() && st2.ModTime().Equal(st.ModTime()) {
			break
		}
		st = st2
	}
	return true
}
