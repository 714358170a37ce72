package githubtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// signJWT makes a JWT the way a client would, from a header and claims.
func signJWT(t *testing.T, key *rsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(header) + "." + enc(claims)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestVerifyAppJWT: the check of the App's JWT must be able to fail, or the
// token exchange test proves nothing.
func TestVerifyAppJWT(t *testing.T) {
	key := loadAppKey(t)
	other, err := rsa.GenerateKey(rand.Reader, 1024) // only to sign with; size is irrelevant
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	rs256 := map[string]any{"alg": "RS256", "typ": "JWT"}
	claims := func(iss any, iat, exp time.Duration) map[string]any {
		return map[string]any{"iss": iss, "iat": now.Add(iat).Unix(), "exp": now.Add(exp).Unix()}
	}
	tests := []struct {
		name string
		tok  string
		want string
	}{
		{name: "as ghinstallation signs", tok: signJWT(t, key, rs256, claims("4242", -30*time.Second, 90*time.Second))},
		{name: "iss as a number", tok: signJWT(t, key, rs256, claims(4242, 0, time.Minute))},
		{name: "another key", tok: signJWT(t, other, rs256, claims("4242", 0, time.Minute)), want: "signature does not verify"},
		{name: "HS256", tok: signJWT(t, key, map[string]any{"alg": "HS256"}, claims("4242", 0, time.Minute)), want: `alg "HS256"`},
		{name: "another app", tok: signJWT(t, key, rs256, claims("7", 0, time.Minute)), want: "want the App id 4242"},
		{name: "expired", tok: signJWT(t, key, rs256, claims("4242", -5*time.Minute, -time.Second)), want: "expired"},
		{name: "too long", tok: signJWT(t, key, rs256, claims("4242", 0, 11*time.Minute)), want: "more than GitHub's 10m0s"},
		{name: "from the future", tok: signJWT(t, key, rs256, claims("4242", 2*time.Minute, 3*time.Minute)), want: "issued in the future"},
		{name: "claims changed after signing", tok: strings.Replace(signJWT(t, key, rs256, claims("4242", 0, time.Minute)), ".", ".e", 1), want: "signature does not verify"},
		{name: "not a JWT", tok: Token, want: "three dot-separated parts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := verifyAppJWT(tt.tok, &key.PublicKey, now)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("verifyAppJWT = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestServerInstallationTokens: a valid JWT gets a token for the known
// installation; the token then authenticates, as the App, until it expires.
func TestServerInstallationTokens(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	jwt := signJWT(t, s.appKey, map[string]any{"alg": "RS256"}, map[string]any{
		"iss": "4242", "iat": time.Now().Add(-30 * time.Second).Unix(), "exp": time.Now().Add(time.Minute).Unix()})
	status, _, v := call(t, s, "POST", "/app/installations/77/access_tokens", jwt, "{}")
	if status != http.StatusCreated {
		t.Fatalf("exchange: status %d, %v", status, v)
	}
	tok := v.(map[string]any)["token"].(string)
	if status, _, _ := call(t, s, "POST", "/app/installations/78/access_tokens", jwt, ""); status != http.StatusNotFound {
		t.Errorf("unknown installation: status %d, want 404", status)
	}
	if status, _, v := call(t, s, "GET", "/app", jwt, ""); status != http.StatusOK || v.(map[string]any)["slug"] != AppSlug {
		t.Errorf("GET /app: %d %v", status, v)
	}
	if status, _, _ := call(t, s, "POST", "/repos/o/r/issues/7/comments", tok, `{"body":"hi"}`); status != http.StatusCreated {
		t.Errorf("comment with the installation token: status %d", status)
	}
	if c := s.IssueComments(); len(c) != 1 || c[0].User != AppLogin {
		t.Errorf("comments %+v, want one by %s", c, AppLogin)
	}
	// What the App cannot do: use its JWT on the API, or the plain token
	// on the App's endpoints, or a token once it has expired.
	s.tokens[tok] = issuedToken{installation: InstallationID, expires: time.Now().Add(-time.Second)}
	call(t, s, "GET", "/repos/o/r/pulls/7", jwt, "")
	call(t, s, "GET", "/app", Token, "")
	call(t, s, "GET", "/repos/o/r/pulls/7", tok, "")
	invalid := s.Invalid()
	rec.finish()
	want := []string{"Authorization header", "App JWT: not a JWT", "installation token expired"}
	if len(invalid) != len(want) {
		t.Fatalf("refused = %q, want %d", invalid, len(want))
	}
	for i, w := range want {
		if !strings.Contains(invalid[i], w) {
			t.Errorf("refused[%d] = %q, want %q", i, invalid[i], w)
		}
	}
	var ids []string
	for _, r := range s.Requests() {
		ids = append(ids, r.Identity)
	}
	if diff := cmp.Diff([]string{"app", "app", "app", "installation", "", "", ""}, ids); diff != "" {
		t.Errorf("identities (-want +got):\n%s", diff)
	}
}

// TestServerCheckRuns: GitHub's rules the description leaves to prose.
func TestServerCheckRuns(t *testing.T) {
	rec := &recorder{TB: t}
	s := NewServer(rec)
	create := func(body string) (int, map[string]any) {
		status, _, v := call(t, s, "POST", "/repos/o/r/check-runs", Token, body)
		m, _ := v.(map[string]any)
		return status, m
	}
	if status, _ := create(`{"name":"triangulate","head_sha":"abc","status":"completed"}`); status != http.StatusUnprocessableEntity {
		t.Errorf("completed without a conclusion: status %d, want 422", status)
	}
	status, run := create(`{"name":"triangulate","head_sha":"abc","status":"in_progress","output":{"title":"t","summary":"s"}}`)
	if status != http.StatusCreated || run["app"].(map[string]any)["id"] != float64(ActionsAppID) {
		t.Fatalf("create: %d %v, want 201 owned by GitHub Actions", status, run)
	}
	id := int64(run["id"].(float64))
	theApps := s.AddCheckRun(CheckRun{Name: "triangulate", HeadSHA: "abc", Status: "in_progress", AppID: AppID})
	if status, _, _ := call(t, s, "PATCH", fmt.Sprintf("/repos/o/r/check-runs/%d", theApps), Token, `{"conclusion":"success"}`); status != http.StatusForbidden {
		t.Errorf("updating another App's run: status %d, want 403", status)
	}
	if status, _, v := call(t, s, "PATCH", fmt.Sprintf("/repos/o/r/check-runs/%d", id), Token, `{"conclusion":"neutral"}`); status != http.StatusOK || v.(map[string]any)["status"] != "completed" {
		t.Errorf("a conclusion completes the run: %d %v", status, v)
	}
	list := func(query string) []string {
		_, _, v := call(t, s, "GET", "/repos/o/r/commits/abc/check-runs?"+query, Token, "")
		var out []string
		for _, r := range v.(map[string]any)["check_runs"].([]any) {
			r := r.(map[string]any)
			out = append(out, fmt.Sprintf("%v:%v", r["app"].(map[string]any)["slug"], r["status"]))
		}
		return out
	}
	if diff := cmp.Diff([]string{"triangulate:in_progress", "github-actions:completed"}, list("check_name=triangulate")); diff != "" {
		t.Errorf("latest runs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"triangulate:in_progress"}, list("app_id=4242")); diff != "" {
		t.Errorf("the App's runs (-want +got):\n%s", diff)
	}
	if got := list("check_name=lint"); len(got) != 0 {
		t.Errorf("runs named lint: %v", got)
	}
	// The description caps the summary; the server refuses a longer one.
	long := strings.Repeat("é", 65536)
	create(`{"name":"triangulate","head_sha":"abc","output":{"title":"t","summary":"` + long + `"}}`)
	invalid := s.Invalid()
	rec.finish()
	if len(invalid) != 1 || !strings.Contains(invalid[0], "maxLength") {
		t.Errorf("refused = %q, want the over-long summary", invalid)
	}
}
