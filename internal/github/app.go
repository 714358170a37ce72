package github

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	gh "github.com/google/go-github/v60/github"
	// Only for the options type ghinstallation's exchange takes.
	ghnew "github.com/google/go-github/v88/github"
)

// App is the Triangulate GitHub App. It signs JWTs with the App's private
// key and exchanges them for installation tokens (ghinstallation, which
// keeps each token until a minute before it expires), and gives each run a
// Publisher acting as one installation, reporting the verdict as a check
// run the App owns: branch protection can require that check from this App
// alone, so no workflow token can forge it.
//
// ghinstallation is used for the token exchange only. The requests of a
// run go through the run's Publisher's bounded, retrying transport (its
// limits are per run), and the exchange and the App's own requests each go
// through one of their own, so no request escapes the bounds of
// transport.go and limits.go. Its newer go-github stays inside it: the
// types here are go-github v60's.
//
// An App is safe for concurrent use and meant to live as long as the
// server: it keeps one token source per installation it has served (a few
// hundred bytes each, and an App has as many installations as
// organisations that installed it).
type App struct {
	id      int64
	key     *rsa.PrivateKey
	apiURL  string
	base    http.RoundTripper
	timeout time.Duration
	opts    []Option

	mu     sync.Mutex
	tokens map[int64]*ghinstallation.Transport
	login  string
}

// NewApp returns the App appID with its private key (the PEM file GitHub
// issues, PKCS#1 or PKCS#8) for the REST API at apiURL (GITHUB_API_URL;
// https://api.github.com when empty). httpClient may be nil; its transport
// and timeout are used for every request. opts apply to every Publisher
// the App gives, and the retry options to the token exchange too.
func NewApp(appID int64, privateKeyPEM []byte, apiURL string, httpClient *http.Client, opts ...Option) (*App, error) {
	if appID <= 0 {
		return nil, fmt.Errorf("create github app: invalid app id %d", appID)
	}
	key, err := parseAppKey(privateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("create github app: %w", err)
	}
	base, err := parseBaseURL(apiURL)
	if err != nil {
		return nil, err
	}
	a := &App{id: appID, key: key, apiURL: base.String(), opts: opts, tokens: map[int64]*ghinstallation.Transport{}}
	a.timeout = defaultTimeout
	if httpClient != nil {
		a.base, a.timeout = httpClient.Transport, httpClient.Timeout
	}
	if a.base == nil {
		a.base = http.DefaultTransport
	}
	return a, nil
}

// parseAppKey reads an RSA private key from PEM without ever quoting it in
// an error.
func parseAppKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("private key is not PEM")
	}
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("private key is neither PKCS#1 nor PKCS#8 RSA")
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key is %T, want RSA as GitHub issues", parsed)
	}
	return key, nil
}

// ID is the App's id: the owner of its check runs.
func (a *App) ID() int64 { return a.id }

// Publisher returns a Publisher for one run, acting as the installation:
// it reports the verdict as a check run (ReportCheck) and treats as its own
// only what the App's bot user wrote. opts come after the App's, so they
// can override them.
func (a *App) Publisher(ctx context.Context, installation int64, opts ...Option) (*Publisher, error) {
	if installation <= 0 {
		return nil, fmt.Errorf("create installation publisher: invalid installation id %d", installation)
	}
	login, err := a.Login(ctx)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: a.timeout, Transport: installationAuth{app: a, installation: installation, base: a.base}}
	all := append([]Option{WithReportAs(ReportCheck), WithAuthor(login)}, a.opts...)
	p, err := newPublisher(hc, a.apiURL, append(all, opts...))
	if err != nil {
		return nil, err
	}
	p.appID = a.id
	return p, nil
}

// Token returns an installation token, for git over HTTPS (user
// x-access-token) as much as for the API. It is cached until a minute
// before it expires.
func (a *App) Token(ctx context.Context, installation int64) (string, error) {
	if installation <= 0 {
		return "", fmt.Errorf("get installation token: invalid installation id %d", installation)
	}
	tok, err := a.installation(installation).Token(ctx)
	if err != nil {
		// ghinstallation leaves the body of a refused exchange open for
		// the caller to read.
		var he *ghinstallation.HTTPError
		if errors.As(err, &he) && he.Response != nil && he.Response.Body != nil {
			he.Response.Body.Close()
		}
		return "", fmt.Errorf("get token for installation %d: %w", installation, err)
	}
	return tok, nil
}

func (a *App) installation(id int64) *ghinstallation.Transport {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.tokens[id]
	if t == nil {
		// One apps transport per installation: ghinstallation writes to
		// it on every refresh, so sharing one would race.
		atr := ghinstallation.NewAppsTransportFromPrivateKey(boundedEach{base: a.base, opts: a.opts}, a.id, a.key)
		atr.BaseURL = strings.TrimSuffix(a.apiURL, "/")
		t = ghinstallation.NewFromAppsTransport(atr, id)
		// Without options ghinstallation sends the body `null`, which
		// GitHub's description of the exchange does not allow (an object,
		// if any). An empty object asks for the installation's own
		// permissions, as no body does.
		t.InstallationTokenOptions = &ghnew.InstallationTokenOptions{}
		a.tokens[id] = t
	}
	return t
}

// Login returns the login the App writes as, "<slug>[bot]", asked of
// GitHub once (GET /app) and then remembered.
func (a *App) Login(ctx context.Context) (string, error) {
	a.mu.Lock()
	login := a.login
	a.mu.Unlock()
	if login != "" {
		return login, nil
	}
	app, _, err := a.appClient().Apps.Get(ctx, "")
	if err != nil {
		return "", fmt.Errorf("get app %d: %w", a.id, err)
	}
	if app.GetSlug() == "" {
		return "", fmt.Errorf("get app %d: answer lacks the slug", a.id)
	}
	login = app.GetSlug() + "[bot]"
	a.mu.Lock()
	a.login = login
	a.mu.Unlock()
	return login, nil
}

// Installations lists the ids of the App's installations, one per
// organisation or account that installed it, for reconciling them all.
func (a *App) Installations(ctx context.Context) ([]int64, error) {
	c := a.appClient()
	var ids []int64
	opts := &gh.ListOptions{PerPage: 100}
	for {
		page, resp, err := c.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("list installations of app %d: %w", a.id, err)
		}
		for _, in := range page {
			ids = append(ids, in.GetID())
		}
		if resp.NextPage == 0 {
			return ids, nil
		}
		opts.Page = resp.NextPage
	}
}

// appClient is a client authenticated as the App itself (a fresh JWT per
// request), for the App's own endpoints only.
func (a *App) appClient() *gh.Client {
	atr := ghinstallation.NewAppsTransportFromPrivateKey(a.base, a.id, a.key)
	c := gh.NewClient(&http.Client{Timeout: a.timeout, Transport: boundedEach{base: atr, opts: a.opts}})
	base, _ := parseBaseURL(a.apiURL) // parsed already by NewApp
	c.BaseURL = base
	return c
}

// installationAuth authenticates each request as the installation.
type installationAuth struct {
	app          *App
	installation int64
	base         http.RoundTripper
}

func (t installationAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.app.Token(req.Context(), t.installation)
	if err != nil {
		closeBody(req)
		// The exchange has had its own retries; retrying the request
		// would only repeat them.
		return nil, noRetry{err}
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "token "+tok)
	return t.base.RoundTrip(r)
}

// boundedEach sends each request through a retrying, bounded transport of
// its own. Requests outside any run (the token exchange, GET /app) get the
// same retries and caps as a run's, without spending a run's budget or
// accumulating one over the life of the server.
type boundedEach struct {
	base http.RoundTripper
	opts []Option
}

func (b boundedEach) RoundTrip(req *http.Request) (*http.Response, error) {
	p := &Publisher{retry: newRetryTransport(b.base)}
	for _, opt := range b.opts {
		opt(p)
	}
	return p.retry.RoundTrip(req)
}
