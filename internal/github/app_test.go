package github

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
)

// newTestApp is the App of f, with retries that record their waits in
// *sleeps instead of sleeping.
func newTestApp(t testing.TB, f *githubtest.Server, appID int64, key []byte, sleeps *[]time.Duration) *App {
	t.Helper()
	a, err := NewApp(appID, key, f.URL(), f.Client(),
		WithSleep(func(_ context.Context, d time.Duration) error {
			if sleeps != nil {
				*sleeps = append(*sleeps, d)
			}
			return nil
		}),
		WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestAppAuthentication: the App's JWT is exchanged once for an installation
// token, every later request carries that token, everything written is the
// App's, and a second run reuses the token.
func TestAppAuthentication(t *testing.T) {
	f := githubtest.NewServer(t)
	f.AllowLines(rtkFile, 1, 60)
	f.AllowLines(ccgFile, 1, 20)
	a := newTestApp(t, f, githubtest.AppID, f.AppPrivateKeyPEM(), nil)
	for run := range 2 {
		p, err := a.Publisher(t.Context(), githubtest.InstallationID)
		if err != nil {
			t.Fatalf("run %d: Publisher: %v", run+1, err)
		}
		if _, err := p.Publish(t.Context(), basePub()); err != nil {
			t.Fatalf("run %d: Publish: %v", run+1, err)
		}
	}
	tokens := f.IssuedTokens()
	if len(tokens) != 1 {
		t.Fatalf("installation tokens issued = %d, want 1 for both runs", len(tokens))
	}
	var ops []string
	for _, r := range f.Requests() {
		want := "installation"
		if strings.HasPrefix(r.Op, "apps/") {
			want = "app"
		}
		if r.Identity != want {
			t.Errorf("%s %s authenticated as %q, want %q", r.Method, r.Path, r.Identity, want)
		}
		ops = append(ops, r.Op)
	}
	// The App's own requests come first and only once: its login, then the
	// token, both remembered for the second run.
	if diff := cmp.Diff([]string{"apps/get-authenticated", "apps/create-installation-access-token"}, ops[:2]); diff != "" {
		t.Errorf("first requests (-want +got):\n%s", diff)
	}
	if n := f.Count("apps/get-authenticated", 0) + f.Count("apps/create-installation-access-token", 0); n != 2 {
		t.Errorf("App requests = %d, want 2 in all", n)
	}
	for _, c := range append(f.ReviewComments(), f.IssueComments()...) {
		if c.User != githubtest.AppLogin {
			t.Errorf("comment %d by %s, want %s", c.ID, c.User, githubtest.AppLogin)
		}
	}
	// One check run per run, as GitHub expects of a re-run: the first was
	// complete, so the second did not take it over.
	for _, r := range f.CheckRuns() {
		if r.AppID != githubtest.AppID || r.Conclusion != "failure" {
			t.Errorf("check run %+v, want a failed run owned by the App", r)
		}
	}
	if n := len(f.CheckRuns()); n != 2 {
		t.Errorf("check runs = %d, want 2", n)
	}
	if len(f.Statuses()) != 0 {
		t.Errorf("statuses = %v, want none: the App reports as a check run", f.Statuses())
	}
	// The second run saw the first one's comments as its own.
	if n := len(f.ReviewComments()); n != 3 {
		t.Errorf("line comments = %d, want the first run's 3", n)
	}
}

// TestAppTokenRefresh: a token about to expire is exchanged again before
// it is used, not sent to be refused.
func TestAppTokenRefresh(t *testing.T) {
	f := githubtest.NewServer(t)
	// ghinstallation renews a minute before expiry: a token that lives 30s
	// is renewed at every use.
	f.SetTokenLifetime(30 * time.Second)
	a := newTestApp(t, f, githubtest.AppID, f.AppPrivateKeyPEM(), nil)
	for range 3 {
		if _, err := a.Token(t.Context(), githubtest.InstallationID); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.IssuedTokens()); n != 3 {
		t.Errorf("tokens issued = %d, want 3", n)
	}
}

// TestAppConcurrentInstallations: runs for several installations at once,
// every token renewed at each use, share one App safely (run with -race).
func TestAppConcurrentInstallations(t *testing.T) {
	f := githubtest.NewServer(t)
	f.SetTokenLifetime(30 * time.Second)
	installations := []int64{githubtest.InstallationID, 78, 79}
	for _, id := range installations[1:] {
		f.AddInstallation(id)
	}
	a := newTestApp(t, f, githubtest.AppID, f.AppPrivateKeyPEM(), nil)
	const perInstallation = 4
	errs := make(chan error, len(installations)*perInstallation)
	for _, id := range installations {
		for range perInstallation {
			go func() {
				p, err := a.Publisher(t.Context(), id)
				if err == nil {
					_, err = p.PullRequest(t.Context(), "triangulate-nhs", "plans", 7)
				}
				errs <- err
			}()
		}
	}
	for range cap(errs) {
		// The pull request is not there: GitHub's 404 shows the request
		// got through, authenticated.
		if err := <-errs; err == nil || !isStatus(err, http.StatusNotFound) {
			t.Errorf("run: %v, want GitHub's 404", err)
		}
	}
	if n := len(f.IssuedTokens()); n != cap(errs) {
		t.Errorf("tokens issued = %d, want one per run (%d)", n, cap(errs))
	}
}

// TestAppExchangeIsBounded: the token exchange goes through the same
// retrying transport as a run's requests: a 502 is retried after the
// usual wait, and an outage gives up after the usual four attempts.
func TestAppExchangeIsBounded(t *testing.T) {
	tests := []struct {
		name      string
		faults    int
		wantErr   string
		wantCalls int
		wantWaits []time.Duration
	}{
		{name: "502 then a token", faults: 1, wantCalls: 2, wantWaits: []time.Duration{time.Second}},
		{name: "outage", faults: 10, wantErr: `get token for installation 77: could not refresh installation id 77's token: received non 2xx response status "503 Service Unavailable"`,
			wantCalls: 4, wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := githubtest.NewServer(t)
			code := http.StatusBadGateway
			if tt.faults > 1 {
				code = http.StatusServiceUnavailable
			}
			f.Fail("apps/create-installation-access-token", tt.faults, code, nil, `{"message":"unavailable"}`)
			var waits []time.Duration
			a := newTestApp(t, f, githubtest.AppID, f.AppPrivateKeyPEM(), &waits)
			_, err := a.Token(t.Context(), githubtest.InstallationID)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Token error = %v, want %q", err, tt.wantErr)
			}
			if n := f.Count("apps/create-installation-access-token", 0); n != tt.wantCalls {
				t.Errorf("exchange requests = %d, want %d", n, tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAppRefused: a key GitHub does not know, an id that is not the App's,
// or an installation that is not there, gives an error naming the step,
// and nothing is written.
func TestAppRefused(t *testing.T) {
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)})
	tests := []struct {
		name         string
		appID        int64
		key          func(*githubtest.Server) []byte
		installation int64
		wantErr      string
		wantInvalid  string
	}{
		{name: "another key", appID: githubtest.AppID, key: func(*githubtest.Server) []byte { return otherPEM },
			installation: githubtest.InstallationID, wantErr: "get app 4242", wantInvalid: "signature does not verify"},
		{name: "another app id", appID: 99, key: (*githubtest.Server).AppPrivateKeyPEM,
			installation: githubtest.InstallationID, wantErr: "get app 99", wantInvalid: "iss \"99\", want the App id 4242"},
		{name: "unknown installation", appID: githubtest.AppID, key: (*githubtest.Server).AppPrivateKeyPEM,
			installation: 5, wantErr: `get token for installation 5: could not refresh installation id 5's token: received non 2xx response status "404 Not Found"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			f := githubtest.NewServer(rec)
			a := newTestApp(t, f, tt.appID, tt.key(f), nil)
			p, err := a.Publisher(t.Context(), tt.installation)
			if err == nil {
				_, err = p.Publish(t.Context(), basePub())
			}
			invalid := f.Invalid()
			rec.finish()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if tt.wantInvalid == "" && len(invalid) != 0 || tt.wantInvalid != "" && (len(invalid) == 0 || !strings.Contains(invalid[0], tt.wantInvalid)) {
				t.Errorf("refused requests = %q, want %q", invalid, tt.wantInvalid)
			}
			if len(f.CheckRuns())+len(f.IssueComments())+len(f.Reviews()) != 0 {
				t.Error("a write went through")
			}
		})
	}
}

func TestNewApp(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	f := githubtest.NewServer(t)
	pkcs1 := f.AppPrivateKeyPEM()
	block, _ := pem.Decode(pkcs1)
	key, _ := x509.ParsePKCS1PrivateKey(block.Bytes)
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	tests := []struct {
		name    string
		id      int64
		key     []byte
		url     string
		wantErr string
	}{
		{name: "PKCS#1", id: 1, key: pkcs1},
		{name: "PKCS#8", id: 1, key: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})},
		{name: "no id", id: 0, key: pkcs1, wantErr: "invalid app id 0"},
		{name: "not PEM", id: 1, key: []byte("ghp_secret"), wantErr: "private key is not PEM"},
		{name: "not RSA", id: 1, key: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), wantErr: "want RSA"},
		{name: "bad url", id: 1, key: pkcs1, url: "ftp://x", wantErr: "not an http(s) url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewApp(tt.id, tt.key, tt.url, nil)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("NewApp error = %v, want %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "ghp_secret") {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
}

// recorder stands in for the test given to githubtest.NewServer, so that
// requests the server refuses can be checked instead of failing the test.
type recorder struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recorder) finish() {
	for _, f := range slices.Backward(r.cleanups) {
		f()
	}
}
