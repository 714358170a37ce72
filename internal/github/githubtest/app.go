package githubtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The GitHub App the server knows. A client signs a JWT with
// AppPrivateKeyPEM, exchanges it at
// POST /app/installations/{InstallationID}/access_tokens for an
// installation token, and everything it writes with that token is by
// AppLogin and, for check runs, owned by AppID.
const (
	AppID          int64 = 4242
	AppSlug              = "triangulate"
	AppLogin             = AppSlug + "[bot]"
	InstallationID int64 = 77
	// ActionsAppID is the App a workflow's GITHUB_TOKEN acts as (GitHub
	// Actions, id 15368 on github.com): a check run created with Token is
	// owned by it, as one a workflow creates would be. That is how a
	// workflow forges a check, and why the gate checks the owner.
	ActionsAppID   int64 = 15368
	actionsAppSlug       = "github-actions"
)

// GitHub's rules for App JWTs: signed with RS256, expiring at most ten
// minutes after they were issued, and not issued in the future (a minute's
// clock drift is tolerated, as clients are told to backdate iat by one).
const (
	maxJWTLifetime = 10 * time.Minute
	jwtClockSkew   = time.Minute
	// defaultTokenLifetime is how long an installation token lives on
	// GitHub.
	defaultTokenLifetime = time.Hour
	// appKeyBits is the size of the test App's RSA key: what GitHub
	// issues.
	appKeyBits = 2048
)

// identity is who a request's Authorization header says is asking.
type identity struct {
	kind         string // "token" (Token), "installation" (an installation token) or "app" (an App JWT)
	login        string // the author of what it creates
	appID        int64  // the App its check runs belong to
	installation int64  // the installation an installation token is for
}

// issuedToken is an installation token the server gave out.
type issuedToken struct {
	installation int64
	expires      time.Time
}

var (
	appKeyOnce sync.Once
	appKey     *rsa.PrivateKey
	appKeyErr  error
)

// loadAppKey makes the App's key once per test binary: generating an RSA
// key takes a noticeable fraction of a second, and a private key, even a
// test one, is not worth committing for secret scanners to find.
func loadAppKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	appKeyOnce.Do(func() { appKey, appKeyErr = rsa.GenerateKey(rand.Reader, appKeyBits) })
	if appKeyErr != nil {
		t.Fatalf("generate the test App's key: %v", appKeyErr)
	}
	return appKey
}

// AppPrivateKeyPEM returns the App's private key as GitHub issues it, a
// PKCS#1 "RSA PRIVATE KEY" PEM block.
func (s *Server) AppPrivateKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(s.appKey)})
}

// SetTokenLifetime sets how long the installation tokens issued from now
// on live; clients are expected to fetch a new one before it expires.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenLifetime = d
}

// AddInstallation makes the App installed a second (third, …) time, as
// in another organisation, under id.
func (s *Server) AddInstallation(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.installations[id] = nil
}

// SetInstallationRepositories sets the repositories ("owner/name") an
// installation can reach, as GET /installation/repositories lists them; the
// installation is added if new.
func (s *Server) SetInstallationRepositories(installation int64, fullNames ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.installations[installation] = slices.Clone(fullNames)
}

// IssuedTokens returns the installation tokens issued, oldest first.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.issued))
	copy(out, s.issued)
	return out
}

// authenticate decides who a request comes from. The App's own endpoints
// take only an App JWT; every other endpoint takes Token or an unexpired
// installation token, in either of the forms GitHub accepts
// ("Bearer x" or "token x").
func (s *Server) authenticate(op, header string) (identity, error) {
	scheme, cred, _ := strings.Cut(header, " ")
	if op == "apps/get-authenticated" || op == "apps/create-installation-access-token" || op == "apps/list-installations" {
		if scheme != "Bearer" {
			return identity{}, fmt.Errorf("%s wants an App JWT as Bearer, got Authorization %q", op, header)
		}
		if err := verifyAppJWT(cred, &s.appKey.PublicKey, time.Now()); err != nil {
			return identity{}, fmt.Errorf("%s: App JWT: %w", op, err)
		}
		return identity{kind: "app", login: AppLogin, appID: AppID}, nil
	}
	if scheme == "Bearer" || scheme == "token" {
		if cred == Token {
			return identity{kind: "token", login: BotLogin, appID: ActionsAppID}, nil
		}
		if tok, ok := s.tokens[cred]; ok {
			if time.Now().After(tok.expires) {
				return identity{}, fmt.Errorf("installation token expired at %s", tok.expires.Format(time.RFC3339))
			}
			return identity{kind: "installation", login: AppLogin, appID: AppID, installation: tok.installation}, nil
		}
	}
	return identity{}, fmt.Errorf("Authorization header %q", header)
}

// issueToken serves POST /app/installations/{installation_id}/access_tokens.
func (s *Server) issueToken(installation int64, respond func(int, any)) {
	if _, ok := s.installations[installation]; !ok {
		respond(404, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
		return
	}
	tok := fmt.Sprintf("ghs_test%032d", s.id())
	exp := time.Now().Add(s.tokenLifetime)
	s.tokens[tok] = issuedToken{installation: installation, expires: exp}
	s.issued = append(s.issued, tok)
	respond(201, map[string]any{
		"token":                tok,
		"expires_at":           exp.UTC().Format(time.RFC3339),
		"permissions":          map[string]any{"checks": "write", "pull_requests": "write", "issues": "write", "contents": "read", "statuses": "write"},
		"repository_selection": "all",
	})
}

// listInstallations serves GET /app/installations, oldest first.
func (s *Server) listInstallations(w http.ResponseWriter, r *http.Request, status *int) {
	var items []any
	for _, id := range slices.Sorted(maps.Keys(s.installations)) {
		items = append(items, map[string]any{"id": id, "app_id": AppID, "account": map[string]any{"login": fmt.Sprint("org-", id)}})
	}
	s.page(w, r, items, status)
}

// listInstallationRepositories serves GET /installation/repositories,
// which only an installation token may ask.
func (s *Server) listInstallationRepositories(w http.ResponseWriter, r *http.Request, who identity, status *int, respond func(int, any)) {
	if who.kind != "installation" {
		respond(http.StatusForbidden, map[string]any{"message": "This endpoint can only be accessed with an installation token"})
		return
	}
	var items []any
	for _, full := range s.installations[who.installation] {
		owner, name, _ := strings.Cut(full, "/")
		clone := s.cloneURLs[full]
		if clone == "" {
			clone = "https://github.example/" + full + ".git"
		}
		items = append(items, map[string]any{"name": name, "full_name": full, "owner": map[string]any{"login": owner}, "clone_url": clone})
	}
	s.pageObject(w, r, items, status, func(page []any) any {
		return map[string]any{"total_count": len(items), "repositories": page}
	})
}

func appJSON() map[string]any {
	return map[string]any{
		"id": AppID, "slug": AppSlug, "name": "Triangulate",
		"owner":    map[string]any{"login": "triangulate-nhs"},
		"html_url": "https://github.example/apps/" + AppSlug,
	}
}

// verifyAppJWT checks a JWT as GitHub does for an App: RS256 with the App's
// key, iss naming the App, and a short, current lifetime. It is written out
// here rather than taken from a JWT library so that the client's library
// is checked by independent code.
func verifyAppJWT(tok string, key *rsa.PublicKey, now time.Time) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT: want three dot-separated parts")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodePart(parts[0], &header); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if header.Alg != "RS256" {
		return fmt.Errorf("alg %q, want RS256", header.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return errors.New("signature does not verify with the App's key")
	}
	var claims struct {
		Iss json.RawMessage `json:"iss"`
		Iat json.Number     `json:"iat"`
		Exp json.Number     `json:"exp"`
	}
	if err := decodePart(parts[1], &claims); err != nil {
		return fmt.Errorf("claims: %w", err)
	}
	// GitHub takes the App id as a string or a number.
	iss := strings.Trim(string(claims.Iss), `"`)
	if iss != strconv.FormatInt(AppID, 10) {
		return fmt.Errorf("iss %s, want the App id %d", claims.Iss, AppID)
	}
	iat, err1 := claims.Iat.Int64()
	exp, err2 := claims.Exp.Int64()
	if err1 != nil || err2 != nil {
		return fmt.Errorf("iat %q and exp %q must be whole seconds", claims.Iat, claims.Exp)
	}
	issued, expires := time.Unix(iat, 0), time.Unix(exp, 0)
	switch {
	case issued.After(now.Add(jwtClockSkew)):
		return fmt.Errorf("issued in the future (iat %d)", iat)
	case !expires.After(now):
		return fmt.Errorf("expired (exp %d)", exp)
	case expires.Sub(issued) > maxJWTLifetime:
		return fmt.Errorf("lives %s, more than GitHub's %s", expires.Sub(issued), maxJWTLifetime)
	}
	return nil
}

func decodePart(part string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
