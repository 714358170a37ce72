package github

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	gh "github.com/google/go-github/v60/github"
)

// GitHub's documented limits. Bodies are capped in bytes, which never exceed
// the character count GitHub enforces, so a capped body is always accepted.
const (
	maxBodyBytes       = 65536
	maxDescriptionLen  = 140
	defaultMaxComments = 50
)

// maxBriefRunes caps one listed comment in a review body. A finding's brief
// (place, rule, message with its figures) takes one or two hundred
// characters; the cap keeps one odd comment from crowding the others out of
// the half of the body the list may use.
const maxBriefRunes = 500

// maxReasonRunes caps GitHub's reason for a rejection as quoted in a review
// body: GitHub's reasons are a sentence or two.
const maxReasonRunes = 200

// The sides of a diff a line comment can sit on.
const (
	sideRight = "RIGHT"
	sideLeft  = "LEFT"
)

// The hidden markers are HTML comments: GitHub renders markdown without them,
// so readers never see them, yet they come back verbatim from the API and let
// a later run recognise what an earlier run posted.
const (
	summaryMarker = "<!-- triangulate:summary -->"
	truncatedNote = "\n\n_… truncated: this text exceeded GitHub's size limit. The full report is in the job summary._"
)

var (
	fingerprintRe = regexp.MustCompile(`<!-- triangulate:fp=([0-9A-Za-z._-]+) -->`)
	reviewRe      = regexp.MustCompile(`<!-- triangulate:review=([0-9a-f]+) -->`)
	listedRe      = regexp.MustCompile(`<!-- triangulate:listed=([0-9A-Za-z._,-]*) -->`)
)

func fingerprintMarker(fp string) string { return "<!-- triangulate:fp=" + fp + " -->" }

func reviewMarker(hash string) string { return "<!-- triangulate:review=" + hash + " -->" }

func listedMarker(fps []string) string {
	return "<!-- triangulate:listed=" + strings.Join(fps, ",") + " -->"
}

// fingerprintOf returns the fingerprint a comment body carries, if any.
func fingerprintOf(body string) (string, bool) {
	m := fingerprintRe.FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// listedIn returns the fingerprints a review body lists in place of line
// comments.
func listedIn(body string) []string {
	var fps []string
	for _, m := range listedRe.FindAllStringSubmatch(body, -1) {
		for fp := range strings.SplitSeq(m[1], ",") {
			if fp != "" {
				fps = append(fps, fp)
			}
		}
	}
	return fps
}

// bodyHash identifies a review body's text so an unchanged body is not posted
// again in a new review.
func bodyHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:8])
}

// safeFingerprint keeps a fingerprint inside the marker's character set, so
// a caller's fingerprint can never close the HTML comment early.
func safeFingerprint(fp string) string {
	var b strings.Builder
	for _, r := range fp {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// withSuffix returns text followed by suffix within limit bytes, truncating
// text (never the suffix, which holds the markers) with a visible note.
func withSuffix(text, suffix string, limit int) (string, bool) {
	if len(text)+len(suffix) <= limit {
		return text + suffix, false
	}
	room := limit - len(suffix) - len(truncatedNote)
	if room < 0 {
		room = 0
	}
	return cutUTF8(text, room) + truncatedNote + suffix, true
}

// cutUTF8 returns at most n bytes of s without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// shortDescription fits a commit status description into GitHub's 140
// characters, marking the cut with an ellipsis.
func shortDescription(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxDescriptionLen {
		return s
	}
	r := []rune(s)
	return string(r[:maxDescriptionLen-1]) + "…"
}

// firstLine gives a one-line digest of a comment for the overflow list.
func firstLine(body string, max int) string {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) > max {
		line = string([]rune(line)[:max-1]) + "…"
	}
	return line
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// rejectionReason is what GitHub said when it refused a request, e.g.
// "Unprocessable Entity: Line could not be resolved", to quote in the review
// body. Markdown is rendered by package report, but this text is GitHub's,
// not the caller's: only letters, digits, spaces and plain punctuation are
// kept, so it cannot form a link, mention or tag whatever it says.
func rejectionReason(err error) string {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) {
		return "no reason given"
	}
	parts := []string{er.Message}
	for _, e := range er.Errors {
		switch {
		case e.Message != "":
			parts = append(parts, e.Message)
		case e.Code != "":
			parts = append(parts, strings.TrimSpace(e.Field+" "+e.Code))
		}
	}
	var b strings.Builder
	for _, c := range strings.Join(parts, ": ") {
		switch {
		case unicode.IsLetter(c), unicode.IsDigit(c), strings.ContainsRune(" ,;:'()-", c):
			b.WriteRune(c)
		default:
			b.WriteByte(' ')
		}
	}
	reason := strings.Join(strings.Fields(b.String()), " ")
	if reason == "" {
		return "no reason given"
	}
	return firstLine(reason, maxReasonRunes)
}
