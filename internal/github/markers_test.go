package github

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	gh "github.com/google/go-github/v60/github"
)

func TestWithSuffix(t *testing.T) {
	tests := []struct {
		name, text, suffix string
		limit              int
		wantCut            bool
	}{
		{name: "fits", text: "hello", suffix: " <!-- m -->", limit: 100},
		{name: "exactly fits", text: strings.Repeat("a", 89), suffix: " <!-- m -->", limit: 100},
		{name: "too long", text: strings.Repeat("a", 500), suffix: " <!-- m -->", limit: 200, wantCut: true},
		{name: "multi-byte text is cut on a character boundary", text: strings.Repeat("£", 300), suffix: "<!-- m -->", limit: 301, wantCut: true},
		{name: "no room at all keeps the suffix", text: "abc", suffix: strings.Repeat("s", 150), limit: 152, wantCut: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := withSuffix(tt.text, tt.suffix, tt.limit)
			if cut != tt.wantCut {
				t.Errorf("cut = %v, want %v", cut, tt.wantCut)
			}
			if !strings.HasSuffix(got, tt.suffix) {
				t.Errorf("suffix lost: %q", got)
			}
			if !utf8.ValidString(got) {
				t.Errorf("invalid UTF-8: %q", got)
			}
			if cut && !strings.Contains(got, "truncated") {
				t.Errorf("no truncation note: %q", got)
			}
			if !cut && got != tt.text+tt.suffix {
				t.Errorf("got %q, want text and suffix unchanged", got)
			}
			if cut && len(got) > tt.limit && len(tt.suffix)+len(truncatedNote) <= tt.limit {
				t.Errorf("%d bytes, over the %d limit", len(got), tt.limit)
			}
		})
	}
}

func TestShortDescription(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2 blocking findings", "2 blocking findings"},
		{"  spread\nover   lines ", "spread over lines"},
		{strings.Repeat("é", 141), strings.Repeat("é", 139) + "…"},
		{strings.Repeat("x", 140), strings.Repeat("x", 140)},
	}
	for _, tt := range tests {
		if got := shortDescription(tt.in); got != tt.want {
			t.Errorf("shortDescription(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMarkersRoundTrip(t *testing.T) {
	tests := []struct {
		name, fp, want string
	}{
		{name: "hex", fp: "00ff12ab34cd56ef", want: "00ff12ab34cd56ef"},
		{name: "cannot close the comment early", fp: "a --> b", want: "a_--__b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "text\n\n" + fingerprintMarker(safeFingerprint(tt.fp))
			got, ok := fingerprintOf(body)
			if !ok || got != tt.want {
				t.Errorf("fingerprintOf = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
	if _, ok := fingerprintOf("a person's comment"); ok {
		t.Error("found a fingerprint in a comment without one")
	}
	body := "listed\n" + listedMarker([]string{"a1", "b2"}) + "\n" + reviewMarker(bodyHash("x"))
	if diff := cmp.Diff([]string{"a1", "b2"}, listedIn(body)); diff != "" {
		t.Errorf("listedIn (-want +got):\n%s", diff)
	}
	if m := reviewRe.FindStringSubmatch(body); m == nil || m[1] != bodyHash("x") {
		t.Errorf("review marker not found in %q", body)
	}
}

func TestRejectionReason(t *testing.T) {
	resp := func(msg string, errs ...gh.Error) error {
		return &gh.ErrorResponse{Response: &http.Response{StatusCode: http.StatusUnprocessableEntity}, Message: msg, Errors: errs}
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"GitHub's words", resp("Unprocessable Entity", gh.Error{Message: "Line could not be resolved"}),
			"Unprocessable Entity: Line could not be resolved"},
		{"a code without a message", resp("Validation Failed", gh.Error{Field: "line", Code: "invalid"}),
			"Validation Failed: line invalid"},
		{"markup cannot form", resp("see [x](https://e.example) @team <b>#12</b> www.e.example"),
			"see x (https: e example) team b 12 b www e example"},
		{"not GitHub's answer", errors.New("connection reset"), "no reason given"},
		{"empty", resp(""), "no reason given"},
		{"long", resp(strings.Repeat("a", 500)), strings.Repeat("a", maxReasonRunes-1) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rejectionReason(tt.err); got != tt.want {
				t.Errorf("rejectionReason = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBrief(t *testing.T) {
	long := strings.Repeat("é", maxBriefRunes+1)
	tests := []struct {
		c    Comment
		want string
	}{
		{Comment{Brief: "A01 at a.cue:3: 6% apart", Body: "A01\n\nbody"}, "A01 at a.cue:3: 6% apart"},
		{Comment{Body: "first\nsecond"}, "first"},
		{Comment{Brief: long}, strings.Repeat("é", maxBriefRunes-1) + "…"},
		{Comment{Brief: strings.Repeat("é", maxBriefRunes)}, strings.Repeat("é", maxBriefRunes)},
	}
	for _, tt := range tests {
		if got := brief(tt.c); got != tt.want {
			t.Errorf("brief(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}
