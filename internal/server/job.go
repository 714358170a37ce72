package server

import "context"

// Job kinds: why a review was asked for. The Reviewer judges every kind the
// same way (the pull request merged into the current tip of its base); the
// kind is for its logs and check-run text.
const (
	KindPullRequest = "pull_request" // opened, pushed to, reopened, or retargeted
	KindMergeGroup  = "merge_group"  // the merge queue asks for a check on a merge group
	KindRerequest   = "rerequest"    // someone pressed "Re-run" on the triangulate check
	KindMainMoved   = "main_moved"   // the submission branch moved: judge again against the new tip
	KindReconcile   = "reconcile"    // found by Reviewer.Pending after a restart or a lost delivery
)

// Job is one review to run, as agreed with the Reviewer's implementers.
type Job struct {
	Kind         string // one of the Kind constants
	Delivery     string // X-GitHub-Delivery, "" for reconcile
	Installation int64  // the App installation, 0 in token mode
	Owner, Repo  string
	CloneURL     string // from the payload's repository.clone_url
	PR           int    // 0 for merge_group (and a re-run of a merge group's check)
	HeadSHA      string // the commit the check run is attached to
	BaseRef      string // the base branch name ("main"; merge_group's "refs/heads/main" is shortened)
	BaseSHA      string // merge_group.base_sha, the pull request's base.sha, or the new tip after a push
	// HeadRef is merge_group.head_ref (refs/heads/gh-readonly-queue/...),
	// the ref the merge group's commit can be fetched by; "" otherwise.
	HeadRef string
}

// Reviewer judges jobs and publishes their checks.
type Reviewer interface {
	// Review judges the job and publishes its check. The server retries
	// an error a bounded number of times (LastAttempt tells the Reviewer
	// which try is the last) and, when it persists, the Reviewer itself
	// publishes a failed check if it can. Review must return promptly
	// once ctx is done, without publishing: that is how a superseded
	// review, or one caught by shutdown, stops.
	Review(ctx context.Context, j Job) error
	// Pending lists the open pull requests of a repository whose current
	// head has no finished "triangulate" check, for reconciling after a
	// restart.
	Pending(ctx context.Context, installation int64, owner, repo string) ([]Job, error)
}

// Lister is what the server needs to know of GitHub beyond the Reviewer:
// which pull requests are open when the submission branch moves, and which
// repositories to reconcile after a restart, before any delivery has
// named them.
type Lister interface {
	// Open lists every open pull request of a repository as a Job (PR,
	// HeadSHA, BaseRef and BaseSHA filled in; Kind is ignored). After a
	// push to the submission branch each one based on it is judged again.
	Open(ctx context.Context, installation int64, owner, repo string) ([]Job, error)
	// Repositories lists the repositories to reconcile: in App mode every
	// repository of every installation, in token mode the configured one.
	// Repositories named by deliveries since the start are reconciled too.
	Repositories(ctx context.Context) ([]Repository, error)
}

// Repository is one repository the server reconciles.
type Repository struct {
	Installation int64
	Owner, Repo  string
	CloneURL     string
}

type attemptKey struct{}

type attempt struct{ n, max int }

// LastAttempt reports whether the review running under ctx is the server's
// last try at its job: a Reviewer that fails on it should publish a failed
// check with the reason, because nobody will try again until a new push,
// a re-run or a reconcile. Outside a server-run review it reports true.
func LastAttempt(ctx context.Context) bool {
	a, ok := ctx.Value(attemptKey{}).(attempt)
	return !ok || a.n >= a.max
}

func withAttempt(ctx context.Context, n, max int) context.Context {
	return context.WithValue(ctx, attemptKey{}, attempt{n: n, max: max})
}
