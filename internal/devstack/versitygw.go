package devstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// VersityGWVersion is the versitygw version devstack builds and runs: an
// S3 server over a local directory (its "posix" backend), for the
// attachment store's tests and development.
const VersityGWVersion = "v1.8.0"

const (
	versityGWPkg          = "github.com/versity/versitygw/cmd/versitygw"
	versityGWReadyTimeout = 30 * time.Second
	versityGWStopGrace    = 10 * time.Second
	// VersityGWBucket is the bucket StartVersityGW creates.
	VersityGWBucket = "helpium"
	// VersityGWRegion is the region the server answers for.
	VersityGWRegion = "us-east-1"
)

// VersityGWOptions configures StartVersityGW.
type VersityGWOptions struct {
	// DataDir holds the buckets, one directory each (created if needed).
	DataDir string
	// Port listens on 127.0.0.1; 0 picks a free port (PreferPort first,
	// when set and free).
	Port, PreferPort int
	// BinDir holds the versitygw binary (built there if missing); default
	// as for Weaviate.
	BinDir string
	// Log receives the server log. Default: DataDir/../versitygw.log.
	Log io.Writer
}

// VersityGW is a running versitygw started by StartVersityGW: one account,
// whose keys are made up at start, and the bucket VersityGWBucket.
type VersityGW struct {
	opts              VersityGWOptions
	dataDir, bin      string
	port              int
	accessKey, secret string

	mu   sync.Mutex
	proc *process
	log  *serviceLog
}

// StartVersityGW makes sure the versitygw binary exists (building it with
// `go install` if needed; about a minute the first time), creates the
// bucket, starts the server on loopback and waits until it answers.
func StartVersityGW(ctx context.Context, opts VersityGWOptions) (*VersityGW, error) {
	if opts.DataDir == "" {
		return nil, errors.New("devstack: VersityGWOptions.DataDir is required")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, err
	}
	if opts.BinDir == "" {
		opts.BinDir = defaultBinDir()
	}
	v := &VersityGW{opts: opts, dataDir: dataDir, accessKey: "helpium-" + randomHex(6), secret: randomHex(20),
		log: newServiceLog(opts.Log, filepath.Join(filepath.Dir(dataDir), "versitygw.log"))}
	if err := v.log.open(); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			v.log.close()
		}
	}()
	// The version is in the name, so that a new version is built anew.
	if v.bin, err = ensureGoBinary(ctx, opts.BinDir, versityGWPkg, VersityGWVersion, "versitygw-"+VersityGWVersion, "about a minute", v.log); err != nil {
		return nil, err
	}
	// With the posix backend every directory at the top is a bucket.
	if err := os.MkdirAll(filepath.Join(dataDir, VersityGWBucket), 0o700); err != nil {
		return nil, fmt.Errorf("devstack: create versitygw bucket: %w", err)
	}
	if v.port, err = startOnPort(opts.Port, opts.PreferPort, v.log, func(port int) error {
		v.port = port
		return v.start(ctx)
	}); err != nil {
		return nil, err
	}
	ok = true
	return v, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// URL is the S3 endpoint, e.g. http://127.0.0.1:7070.
func (v *VersityGW) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", v.port) }

// Port is the TCP port the server listens on (127.0.0.1).
func (v *VersityGW) Port() int { return v.port }

// AccessKeyID is the account's access key ID.
func (v *VersityGW) AccessKeyID() string { return v.accessKey }

// SecretAccessKey is the account's secret key.
func (v *VersityGW) SecretAccessKey() string { return v.secret }

// Stop shuts the server down (SIGTERM, SIGKILL after 10 s). Safe to call twice.
func (v *VersityGW) Stop() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	err := v.stop()
	v.log.close()
	return err
}

// Restart stops the server and starts it again on the same port, with the
// same keys and objects.
func (v *VersityGW) Restart(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.stop(); err != nil {
		return err
	}
	if err := v.log.open(); err != nil {
		return err
	}
	if !waitPortFree(v.port, 10*time.Second) {
		return fmt.Errorf("devstack: versitygw restart: port %d still in use", v.port)
	}
	return v.start(ctx)
}

func (v *VersityGW) stop() error {
	if v.proc == nil {
		return nil
	}
	err := v.proc.stop([]syscall.Signal{syscall.SIGTERM}, []time.Duration{versityGWStopGrace})
	v.proc = nil
	if err != nil {
		return fmt.Errorf("devstack: stop versitygw: %w", err)
	}
	return nil
}

func (v *VersityGW) start(ctx context.Context) error {
	if !portFree(v.port) {
		return fmt.Errorf("devstack: cannot start versitygw: %w: %d on 127.0.0.1", errPortTaken, v.port)
	}
	cmd := exec.Command(v.bin,
		"--port", fmt.Sprintf("127.0.0.1:%d", v.port),
		"--region", VersityGWRegion,
		"--quiet", // no line per request
		"posix",
		"--dir-perms", "0700",
		"--file-perms", "0600",
		v.dataDir,
	)
	// The keys go in the environment, not on the command line where any
	// local user could read them; no stray VGW_ settings apply.
	cmd.Env = append(envWithout(func(n string) bool { return strings.HasPrefix(n, "VGW_") || strings.HasPrefix(n, "ROOT_") }),
		"ROOT_ACCESS_KEY_ID="+v.accessKey, "ROOT_SECRET_ACCESS_KEY="+v.secret)
	cmd.Dir = v.dataDir
	cmd.SysProcAttr = serviceSysProcAttr(syscall.SIGTERM)
	v.log.attach(cmd)
	cmd.WaitDelay = 5 * time.Second
	fmt.Fprintf(v.log, "devstack: starting versitygw on 127.0.0.1:%d\n", v.port)
	proc, err := startProcess(cmd)
	if err != nil {
		return fmt.Errorf("devstack: start versitygw: %w", err)
	}
	v.proc = proc
	if err := v.waitReady(ctx); err != nil {
		v.stop()
		return err
	}
	return nil
}

// waitReady polls the endpoint until versitygw answers (an anonymous
// request is refused, which is answer enough).
func (v *VersityGW) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(versityGWReadyTimeout)
	client := &http.Client{Timeout: time.Second}
	for {
		if v.proc.exited() {
			return exitedDuringStartup("versitygw", v.proc.err, v.log.Tail(30))
		}
		if res, err := client.Get(v.URL() + "/"); err == nil {
			res.Body.Close()
			if res.Header.Get("Server") == "VERSITYGW" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return withTail(fmt.Errorf("devstack: versitygw on %s not ready after %v", v.URL(), versityGWReadyTimeout), "versitygw", v.log.Tail(30))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-v.proc.done:
		case <-time.After(50 * time.Millisecond):
		}
	}
}
