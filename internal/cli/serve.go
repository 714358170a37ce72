package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/app"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/github"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/server"
)

// Serve settings.
const (
	// defaultListen is loopback: the App's webhook endpoint is meant to sit
	// behind a TLS-terminating proxy, and nothing is exposed by accident.
	// Deployments say --listen :8080 (or similar) on purpose.
	defaultListen = "127.0.0.1:8080"
	// minSecretLen: GitHub signs deliveries with the secret, so a short one
	// can be guessed and deliveries forged; GitHub suggests a random string
	// of high entropy (openssl rand -hex 32 gives 64 characters).
	minSecretLen = 16
	envSecret    = "TRIANGULATE_WEBHOOK_SECRET"
)

// ServeConfig is what the serve command learned from its flags and
// environment; the backend constructor builds GitHub access from it.
type ServeConfig struct {
	Listen           string
	SubmissionBranch string
	APIURL           string // GitHub REST API; "" for https://api.github.com

	// App mode: AppID and the private key (PEM) read from PrivateKeyPath.
	AppID          int64
	PrivateKeyPath string
	PrivateKey     []byte

	// Token mode: GITHUB_TOKEN, serving the one repository Owner/Repo.
	Token       string
	Owner, Repo string

	// CacheDir keeps one bare clone per repository between reviews.
	CacheDir string

	Workers           int
	QueueSize         int
	ReconcileInterval time.Duration
	Grace             time.Duration
	Logger            *slog.Logger
}

// AppMode reports whether the server authenticates as a GitHub App.
func (c ServeConfig) AppMode() bool { return c.AppID != 0 }

// ServeBackend is GitHub and the review pipeline as the server sees them.
type ServeBackend struct {
	Reviewer server.Reviewer
	Lister   server.Lister
}

// serveDeps is what serve takes from outside the process, passed in so a
// test gives it fakes instead of swapping package-level hooks.
type serveDeps struct {
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
	Listen   func(network, addr string) (net.Listener, error)
	// NewBackend builds the Reviewer and Lister for cfg: in App mode an
	// installation-token client per installation, in token mode one
	// client for cfg.Owner/cfg.Repo (whose Lister.Repositories returns
	// that repository).
	NewBackend func(ctx context.Context, cfg ServeConfig) (ServeBackend, error)
}

func osServeDeps() serveDeps {
	return serveDeps{Getenv: os.Getenv, ReadFile: os.ReadFile, Listen: net.Listen, NewBackend: newServeBackend}
}

// newServeBackend joins GitHub (the App, or a token) to the review pipeline.
func newServeBackend(ctx context.Context, cfg ServeConfig) (ServeBackend, error) {
	dir := cfg.CacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return ServeBackend{}, fmt.Errorf("find a cache directory (give --cache-dir): %w", err)
		}
		dir = filepath.Join(base, "triangulate", "repos")
	}
	cache, err := gitrepo.NewCache(dir)
	if err != nil {
		return ServeBackend{}, err
	}
	hc := &http.Client{Timeout: githubTimeout}
	var gh app.GitHub
	if cfg.AppMode() {
		a, err := github.NewApp(cfg.AppID, cfg.PrivateKey, cfg.APIURL, hc)
		if err != nil {
			return ServeBackend{}, err
		}
		if _, err := a.Login(ctx); err != nil {
			return ServeBackend{}, fmt.Errorf("authenticate as App %d: %w", cfg.AppID, err)
		}
		gh = app.AppGitHub{App: a}
	} else {
		gh = app.TokenGitHub{Client: hc, APIURL: cfg.APIURL, Token: cfg.Token, Owner: cfg.Owner, Repo: cfg.Repo}
	}
	b := &app.Backend{GitHub: gh, Cache: cache, Results: openCache(io.Discard, "", false, "reviewing"), Memo: check.NewMemo(), Branch: cfg.SubmissionBranch, Logger: cfg.Logger}
	return ServeBackend{Reviewer: b, Lister: b}, nil
}

// githubTimeout bounds one request to GitHub; the retrying transport and the
// per-run request budget bound the rest.
const githubTimeout = 60 * time.Second

func newServe() *cobra.Command { return newServeWith(osServeDeps()) }

func newServeWith(deps serveDeps) *cobra.Command {
	cfg := ServeConfig{}
	var secret, repo string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the Triangulate GitHub App: receive webhooks and review pull requests",
		Long: `serve runs the Triangulate GitHub App's webhook server. It verifies each
delivery's X-Hub-Signature-256, queues a review for each pull request
opened, pushed to, reopened or retargeted, for each merge-queue group and
for each re-run of the "triangulate" check, and judges every open pull
request again when the submission branch moves. Reviews run on a bounded
pool of workers, one at a time per pull request, the newest head first.
At start and every --reconcile-interval it reviews each open pull request
whose head lacks a finished check, so a delivery lost while the server was
down costs time, not a review.

Endpoints: POST /webhook (the App's webhook URL), GET /healthz, GET
/readyz, GET /metrics (Prometheus). Logs are JSON lines on stderr.

App mode: --app-id and --private-key; the result is a check run owned by
the App, which branch protection can require. Token mode (trials and
tests): GITHUB_TOKEN and --repo. The webhook secret comes from
$` + envSecret + ` (preferred: a flag shows in the process list) or
--webhook-secret; the server refuses to start without one.

Exit codes: 0 stopped cleanly, 2 usage error or the server could not start.`,
		Example: `  TRIANGULATE_WEBHOOK_SECRET=... triangulate serve --listen :8080 --app-id 123456 --private-key app.pem
  TRIANGULATE_WEBHOOK_SECRET=... GITHUB_TOKEN=... triangulate serve --repo nhs-plans/plans-2019`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := completeServeConfig(&cfg, deps, secret, repo)
			if err != nil {
				return err
			}
			cfg.Logger = slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), nil))
			return runServe(cmd.Context(), deps, cfg, key)
		},
	}
	f := c.Flags()
	f.StringVar(&cfg.Listen, "listen", defaultListen, "address to serve on (host:port); loopback by default, put a TLS proxy in front")
	f.StringVar(&secret, "webhook-secret", "", "the App's webhook secret (default $"+envSecret+"; prefer the variable)")
	f.IntVar(&cfg.Workers, "workers", server.DefaultWorkers, "reviews run at once")
	f.IntVar(&cfg.QueueSize, "queue-size", server.DefaultQueueSize, "pull requests waiting before deliveries are refused with 503")
	f.StringVar(&cfg.SubmissionBranch, "submission-branch", "main", "the branch a merge to is the submission; the only base pull requests may target")
	f.Int64Var(&cfg.AppID, "app-id", 0, "GitHub App id (App mode, with --private-key)")
	f.StringVar(&cfg.PrivateKeyPath, "private-key", "", "path to the GitHub App's private key, PEM (App mode)")
	f.StringVar(&repo, "repo", "", "OWNER/NAME of the one repository served in token mode (GITHUB_TOKEN)")
	f.StringVar(&cfg.APIURL, "api-url", "", "GitHub REST API URL (default https://api.github.com)")
	f.StringVar(&cfg.CacheDir, "cache-dir", "", "where bare clones of the reviewed repositories are kept (default the user cache directory)")
	f.DurationVar(&cfg.ReconcileInterval, "reconcile-interval", server.DefaultReconcileInterval, "how often to review open pull requests whose head lacks a finished check")
	f.DurationVar(&cfg.Grace, "shutdown-grace", server.DefaultGrace, "how long running reviews may finish after SIGTERM before they are cancelled")
	return c
}

// completeServeConfig checks the flags, fills in the mode and its
// credentials, and returns the webhook secret, kept out of ServeConfig
// because that is handed to the backend. Every problem is a usage error
// (exit 2): the server must not start half-configured, least of all
// without a secret.
func completeServeConfig(cfg *ServeConfig, deps serveDeps, secret, repo string) ([]byte, error) {
	if secret == "" {
		secret = deps.Getenv(envSecret)
	}
	switch {
	case secret == "":
		return nil, usageErr("a webhook secret is required: set %s (or --webhook-secret) to the secret configured on the App's webhook", envSecret)
	case len(secret) < minSecretLen:
		return nil, usageErr("the webhook secret is %d characters; use at least %d random ones (openssl rand -hex 32)", len(secret), minSecretLen)
	case cfg.Listen == "":
		return nil, usageErr("--listen needs an address, e.g. :8080")
	case cfg.Workers < 1 || cfg.QueueSize < 1:
		return nil, usageErr("--workers and --queue-size must be at least 1")
	case cfg.ReconcileInterval <= 0 || cfg.Grace < 0:
		return nil, usageErr("--reconcile-interval must be positive and --shutdown-grace not negative")
	case cfg.SubmissionBranch == "" || strings.HasPrefix(cfg.SubmissionBranch, "refs/"):
		return nil, usageErr("--submission-branch takes a branch name such as main")
	}
	if cfg.AppID != 0 || cfg.PrivateKeyPath != "" {
		if cfg.AppID <= 0 || cfg.PrivateKeyPath == "" {
			return nil, usageErr("App mode needs both --app-id and --private-key")
		}
		if repo != "" {
			return nil, usageErr("--repo is for token mode; an App serves the repositories it is installed on")
		}
		key, err := deps.ReadFile(cfg.PrivateKeyPath)
		if err != nil {
			return nil, usageErr("read the App's private key: %v", err)
		}
		if !strings.Contains(string(key), "PRIVATE KEY-----") {
			return nil, usageErr("%s is not a PEM private key (download one from the App's settings)", cfg.PrivateKeyPath)
		}
		cfg.PrivateKey = key
		return []byte(secret), nil
	}
	cfg.Token = deps.Getenv("GITHUB_TOKEN")
	if cfg.Token == "" {
		return nil, usageErr("give --app-id and --private-key (App mode), or set GITHUB_TOKEN and --repo (token mode)")
	}
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, usageErr("token mode serves one repository: give --repo OWNER/NAME (got %q)", repo)
	}
	cfg.Owner, cfg.Repo = owner, name
	return []byte(secret), nil
}

// runServe builds the backend and the server and serves until ctx ends.
func runServe(ctx context.Context, deps serveDeps, cfg ServeConfig, secret []byte) error {
	backend, err := deps.NewBackend(ctx, cfg)
	if err != nil {
		return &exitError{code: ExitInput, err: fmt.Errorf("connect to GitHub: %w", err)}
	}
	srv, err := server.New(server.Config{
		Secret:            secret,
		SubmissionBranch:  cfg.SubmissionBranch,
		AppID:             cfg.AppID,
		Reviewer:          backend.Reviewer,
		Lister:            backend.Lister,
		Workers:           cfg.Workers,
		QueueSize:         cfg.QueueSize,
		ReconcileInterval: cfg.ReconcileInterval,
		Grace:             graceOrNow(cfg.Grace),
		Logger:            cfg.Logger,
	})
	if err != nil {
		return &exitError{code: ExitInput, err: err}
	}
	ln, err := deps.Listen("tcp", cfg.Listen)
	if err != nil {
		return &exitError{code: ExitInput, err: fmt.Errorf("listen on %s: %w", cfg.Listen, err)}
	}
	mode := "token"
	if cfg.AppMode() {
		mode = "app"
	}
	cfg.Logger.Info("starting", "mode", mode, "listen", ln.Addr().String())
	if err := srv.Run(ctx, ln); err != nil {
		return &exitError{code: ExitInput, err: err}
	}
	return nil
}

// graceOrNow maps --shutdown-grace 0 ("cancel at once") to the server's
// negative grace; the server reads 0 as "default".
func graceOrNow(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}
