package github

import (
	"context"
	"time"
)

// Option configures a Publisher.
type Option func(*Publisher)

// WithMaxComments caps the line comments in one review; the rest are listed
// in the review body. GitHub rejects or silently drops very large reviews.
func WithMaxComments(n int) Option {
	return func(p *Publisher) {
		if n > 0 {
			p.maxComments = n
		}
	}
}

// WithAuthor restricts the comments treated as this tool's own to those by
// login (for example "github-actions[bot]"), so a marker pasted by a person
// never gets their comment deleted or edited.
func WithAuthor(login string) Option {
	return func(p *Publisher) { p.author = login }
}

// WithSleep replaces how the retrying transport waits; tests pass a function
// that records the wait and returns at once.
func WithSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(p *Publisher) { p.retry.sleep = sleep }
}

// WithClock replaces the clock used to turn rate-limit reset times into
// waits and to stamp check runs.
func WithClock(now func() time.Time) Option {
	return func(p *Publisher) { p.retry.now = now }
}

// WithRetries sets how many times a request is tried in all (at least one)
// and the longest single wait worth making.
func WithRetries(attempts int, maxWait time.Duration) Option {
	return func(p *Publisher) {
		p.retry.maxAttempts = max(attempts, 1)
		p.retry.maxWait = maxWait
	}
}

// WithReportAs sets how the verdict reaches GitHub; ReportStatus unless the
// Publisher comes from App.Publisher.
func WithReportAs(r ReportAs) Option {
	return func(p *Publisher) { p.reportAs = r }
}
