package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/triangulate-nhs/triangulate/internal/server"
)

const (
	testSecret = "0123456789abcdef0123456789abcdef"
	testKey    = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
)

// serveWorld fakes what serve touches: environment, files, the listener and
// the backend, recording the config the backend was built with.
type serveWorld struct {
	vars    map[string]string
	files   map[string]string
	built   *ServeConfig
	addr    chan string
	backend ServeBackend
}

func newServeWorld() *serveWorld {
	return &serveWorld{vars: map[string]string{}, files: map[string]string{"app.pem": testKey}, addr: make(chan string, 1)}
}

func (w *serveWorld) deps() serveDeps {
	return serveDeps{
		Getenv: func(k string) string { return w.vars[k] },
		ReadFile: func(name string) ([]byte, error) {
			if s, ok := w.files[name]; ok {
				return []byte(s), nil
			}
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		},
		Listen: func(network, _ string) (net.Listener, error) {
			ln, err := net.Listen(network, "127.0.0.1:0") // never the configured address
			if err == nil {
				w.addr <- ln.Addr().String()
			}
			return ln, err
		},
		NewBackend: func(_ context.Context, cfg ServeConfig) (ServeBackend, error) {
			w.built = &cfg
			if w.backend.Reviewer == nil {
				return ServeBackend{}, errors.New("no backend in this test")
			}
			return w.backend, nil
		},
	}
}

// serve runs the command until ctx ends and returns stderr and the exit code.
func (w *serveWorld) serve(ctx context.Context, args ...string) (string, int) {
	var out, errb bytes.Buffer
	c := newServeWith(w.deps())
	c.SetArgs(args)
	c.SetOut(&out)
	c.SetErr(&errb)
	c.SilenceUsage, c.SilenceErrors = true, true
	err := c.ExecuteContext(ctx)
	var ee *exitError
	switch {
	case err == nil:
		return errb.String(), ExitClean
	case errors.As(err, &ee):
		return errb.String() + ee.Error(), ee.code
	default:
		return errb.String() + err.Error(), ExitInput
	}
}

func TestServeFlagValidation(t *testing.T) {
	token := map[string]string{"GITHUB_TOKEN": "t", envSecret: testSecret}
	cases := []struct {
		name string
		vars map[string]string
		args []string
		want string // in the error
	}{
		{"no secret", map[string]string{"GITHUB_TOKEN": "t"}, []string{"--repo", "o/r"}, envSecret},
		{"short secret", map[string]string{"GITHUB_TOKEN": "t"}, []string{"--repo", "o/r", "--webhook-secret", "hunter2"}, "at least 16"},
		{"neither mode", map[string]string{envSecret: testSecret}, nil, "--app-id and --private-key"},
		{"token without repo", token, nil, "--repo OWNER/NAME"},
		{"token with a bad repo", token, []string{"--repo", "o/r/x"}, "--repo OWNER/NAME"},
		{"app id without key", map[string]string{envSecret: testSecret}, []string{"--app-id", "5"}, "both --app-id and --private-key"},
		{"key without app id", map[string]string{envSecret: testSecret}, []string{"--private-key", "app.pem"}, "both --app-id and --private-key"},
		{"unreadable key", map[string]string{envSecret: testSecret}, []string{"--app-id", "5", "--private-key", "missing.pem"}, "missing.pem"},
		{"app with repo", map[string]string{envSecret: testSecret}, []string{"--app-id", "5", "--private-key", "app.pem", "--repo", "o/r"}, "--repo is for token mode"},
		{"no workers", token, []string{"--repo", "o/r", "--workers", "0"}, "--workers"},
		{"no queue", token, []string{"--repo", "o/r", "--queue-size", "0"}, "--queue-size"},
		{"ref as branch", token, []string{"--repo", "o/r", "--submission-branch", "refs/heads/main"}, "branch name"},
		{"no listen address", token, []string{"--repo", "o/r", "--listen", ""}, "--listen"},
		{"zero reconcile interval", token, []string{"--repo", "o/r", "--reconcile-interval", "0s"}, "--reconcile-interval"},
		{"arguments", token, []string{"--repo", "o/r", "extra"}, "unknown command"},
		{"backend refuses", token, []string{"--repo", "o/r"}, "no backend in this test"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newServeWorld()
			w.vars = c.vars
			stderr, code := w.serve(context.Background(), c.args...)
			if code != ExitInput {
				t.Errorf("exit %d, want %d", code, ExitInput)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("error %q does not mention %q", stderr, c.want)
			}
			if c.want != "no backend in this test" && w.built != nil {
				t.Error("the backend was built despite a usage error")
			}
		})
	}
}

// TestServeNoSecretThroughMain: the root command knows serve, and refuses
// to start it without a secret.
func TestServeNoSecretThroughMain(t *testing.T) {
	t.Setenv(envSecret, "")
	t.Setenv("GITHUB_TOKEN", "t")
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"serve", "--repo", "o/r"}, &out, &errb); code != ExitInput {
		t.Errorf("exit %d, want %d; stderr %s", code, ExitInput, errb.String())
	}
	if !strings.Contains(errb.String(), envSecret) {
		t.Errorf("stderr %q does not name %s", errb.String(), envSecret)
	}
}

type idleBackend struct{}

func (idleBackend) Review(context.Context, server.Job) error { return nil }
func (idleBackend) Pending(context.Context, int64, string, string) ([]server.Job, error) {
	return nil, nil
}
func (idleBackend) Open(context.Context, int64, string, string) ([]server.Job, error) {
	return nil, nil
}
func (idleBackend) Repositories(context.Context) ([]server.Repository, error) { return nil, nil }

// TestServeRuns: App mode with the secret from the environment builds the
// backend from the flags, serves, and stops cleanly when cancelled.
func TestServeRuns(t *testing.T) {
	w := newServeWorld()
	w.vars = map[string]string{envSecret: testSecret, "GITHUB_TOKEN": "ignored in App mode"}
	w.backend = ServeBackend{Reviewer: idleBackend{}, Lister: idleBackend{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		_, code := w.serve(ctx, "--app-id", "5", "--private-key", "app.pem", "--workers", "3",
			"--submission-branch", "trunk", "--shutdown-grace", "1s")
		done <- code
	}()
	addr := <-w.addr
	resp, err := http.Get("http://" + addr + server.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitClean {
			t.Errorf("exit %d, want 0", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop")
	}
	want := ServeConfig{Listen: defaultListen, SubmissionBranch: "trunk", AppID: 5, PrivateKeyPath: "app.pem",
		PrivateKey: []byte(testKey), Workers: 3, QueueSize: server.DefaultQueueSize,
		ReconcileInterval: server.DefaultReconcileInterval, Grace: time.Second}
	if diff := cmp.Diff(want, *w.built, cmpopts.IgnoreFields(ServeConfig{}, "Logger")); diff != "" {
		t.Errorf("backend config (-want +got):\n%s", diff)
	}
}
