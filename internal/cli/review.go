package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/app"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/github"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/report"
	"github.com/triangulate-nhs/triangulate/internal/review"
)

// reviewEnv is what the review command takes from outside the process. It
// is passed in, so a test gives it a fake GitHub, environment, clock and
// files instead of swapping package-level hooks.
type reviewEnv struct {
	// Getenv reads the environment: GITHUB_TOKEN, GITHUB_API_URL,
	// GITHUB_EVENT_PATH, GITHUB_EVENT_NAME and GITHUB_STEP_SUMMARY.
	Getenv func(string) string
	// Now decides which waivers are in date.
	Now func() time.Time
	// ReadFile reads the Actions event payload.
	ReadFile func(name string) ([]byte, error)
	// AppendFile opens the job summary for appending.
	AppendFile func(name string) (io.WriteCloser, error)
	// OpenRepo opens the git repository holding the commits.
	OpenRepo func(dir string) (*gitrepo.Repo, error)
	// GitHub connects to the REST API at apiURL (empty: github.com) with
	// token, treating comments by login as the tool's own.
	GitHub func(apiURL, token, login string) (gitHub, error)
}

// gitHub is what review needs of GitHub.
type gitHub interface {
	PullRequest(ctx context.Context, owner, repo string, number int) (github.PRInfo, error)
	Publish(ctx context.Context, pub github.Publication) (github.Outcome, error)
	Fail(ctx context.Context, pr github.PR, reason error) error
}

var _ gitHub = (*github.Publisher)(nil)

// osReviewEnv is the review command's environment in a real run.
func osReviewEnv() reviewEnv {
	return reviewEnv{
		Getenv:   os.Getenv,
		Now:      time.Now,
		ReadFile: os.ReadFile,
		AppendFile: func(name string) (io.WriteCloser, error) {
			return os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		},
		OpenRepo: gitrepo.Open,
		GitHub: func(apiURL, token, login string) (gitHub, error) {
			return github.New(&http.Client{Timeout: 60 * time.Second}, apiURL, token, github.WithAuthor(login))
		},
	}
}

func newReview() *cobra.Command { return newReviewWith(osReviewEnv()) }

func newReviewWith(env reviewEnv) *cobra.Command {
	var (
		local    bool
		noCache  bool
		dir      string
		repoName string
		prNumber int
		apiURL   string
		botLogin string
	)
	c := &cobra.Command{
		Use:   "review [--local BASE HEAD | --repo OWNER/NAME --pr N]",
		Short: "Review a change to the plans and publish it on the pull request",
		Long: `review checks the plans at a pull request's base and head with the base's
schema, policies and waivers, and reports what the change does: new, fixed
and still-present findings, each organisation's key figures before and after,
and, when the change edits schema/ or policy/, which plans the proposed rules
would newly fail or pass.

On GitHub it posts one review with a comment on each changed line that has a
new finding, updates one summary comment, and sets the commit status
"triangulate" that gates the merge. In GitHub Actions it reads the event
payload, GITHUB_TOKEN and GITHUB_API_URL; elsewhere give --repo and --pr and
set GITHUB_TOKEN. The commits must be in the local repository (fetch them
first). With --local it prints the review as markdown and talks to no one.

Any write GitHub refuses or fails fails the command. A token that cannot
write (a fork's) still gets the review into the workflow's annotations and
job summary. A review that cannot be done at all sets the status to error
with the reason. A commit status can be forged by any workflow in the
repository; the Triangulate GitHub App (triangulate serve) reports a check
run that cannot.

Exit codes: 0 the gate passes, 1 it fails, 2 usage or input error, 3 the
verdict was reached but GitHub refused or failed a write (the message says
which).`,
		Example: `  triangulate review --local main HEAD
  triangulate review --repo nhs-plans/plans-2019 --pr 42
  GITHUB_TOKEN=... triangulate review   # inside a pull_request workflow`,
		RunE: func(cmd *cobra.Command, args []string) error {
			tuneGC()
			repo, err := env.OpenRepo(dir)
			if err != nil {
				return &exitError{code: ExitInput, err: err}
			}
			ctx := cmd.Context()
			opts := review.Options{Check: check.Options{Today: env.Now()}}
			// Only the submission branch's own rules use the cache: rules a
			// pull request proposes are evaluated in the sandbox, which
			// never sees it.
			opts.Check.Cache = openCache(io.Discard, "", noCache, "reviewing")
			// A review writes the head's new results, a little each
			// time: the cache is kept near its bound without every
			// review walking it (cache.MaybeTrim).
			defer func() { _ = opts.Check.Cache.MaybeTrim() }()
			w := cmd.OutOrStdout()
			if local {
				if len(args) != 2 {
					return usageErr("--local takes two refs: BASE HEAD")
				}
				// As the gate judges: HEAD merged into BASE's tip, with BASE's
				// rules, BASE standing for the submission branch.
				r, err := review.RunMerged(ctx, repo, review.PullRequest{Base: review.DefaultSubmissionBranch, BaseTip: args[0], Head: args[1]}, opts)
				if err != nil {
					return &exitError{code: ExitInput, err: fmt.Errorf("review %s..%s: %w", args[0], args[1], err)}
				}
				if err := report.WriteReview(w, r); err != nil {
					return &exitError{code: ExitInput, err: fmt.Errorf("write review: %w", err)}
				}
				return gateExit(r)
			}
			if len(args) != 0 {
				return usageErr("refs are given with --local only; on GitHub the pull request names them")
			}
			target, err := resolveTarget(env, repoName, prNumber)
			if err != nil {
				return err
			}
			token := env.Getenv("GITHUB_TOKEN")
			if token == "" {
				return usageErr("GITHUB_TOKEN is not set: a token is needed to post the review (use --local to print it instead)")
			}
			if apiURL == "" {
				apiURL = env.Getenv("GITHUB_API_URL")
			}
			gh, err := env.GitHub(apiURL, token, botLogin)
			if err != nil {
				return usageErr("%v", err)
			}
			if target.headSHA == "" {
				info, err := gh.PullRequest(ctx, target.owner, target.name, target.number)
				if err != nil {
					return &exitError{code: ExitInput, err: fmt.Errorf("read pull request %s: %w", target, err)}
				}
				target.baseSHA, target.headSHA, target.baseRef = info.BaseSHA, info.HeadSHA, info.BaseRef
			}
			// Judged as merged into the base's current tip: the workflow's
			// checkout of the base when it has one, else the event's base.
			tip := target.baseSHA
			if target.baseRef != "" {
				if _, err := repo.Resolve("refs/remotes/origin/" + target.baseRef); err == nil {
					tip = "refs/remotes/origin/" + target.baseRef
				}
			}
			r, err := review.RunMerged(ctx, repo, review.PullRequest{Base: cmp.Or(target.baseRef, review.DefaultSubmissionBranch), BaseTip: tip, Head: target.headSHA}, opts)
			if err != nil {
				err = fmt.Errorf("review %s: %w", target, err)
				if ctx.Err() != nil {
					return &exitError{code: ExitInput, err: err}
				}
				// Said on the pull request too: a review that never ran
				// would otherwise leave only a missing status there.
				pr := github.PR{Owner: target.owner, Repo: target.name, Number: target.number, HeadSHA: target.headSHA}
				if ferr := gh.Fail(ctx, pr, err); ferr != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "triangulate: could not report the failure on the pull request either: %v\n", ferr)
				}
				return &exitError{code: ExitInput, err: err}
			}
			rendered := report.RenderReview(r)
			pr := github.PR{Owner: target.owner, Repo: target.name, Number: target.number, HeadSHA: r.HeadSHA}
			out, err := gh.Publish(ctx, app.Publication(pr, rendered))
			if errors.Is(err, github.ErrReadOnly) {
				fmt.Fprintf(cmd.ErrOrStderr(), "triangulate: GitHub refused a write to %s (a fork's read-only token?): the review is in the workflow annotations and the job summary instead\n", target)
				perr := &exitError{code: ExitPublish, err: fmt.Errorf("publish review on %s: %w", target, err)}
				if ferr := fallback(env, w, r); ferr != nil {
					perr.err = errors.Join(perr.err, ferr)
				}
				return perr
			}
			fmt.Fprintf(w, "%s: %s\nposted %d line comments (%d already there, %d listed in the review body, %d failed), deleted %d outdated\n",
				rendered.State, rendered.Description, out.Posted, out.Skipped, out.Listed, out.Failed, out.Deleted)
			for _, warn := range out.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "triangulate: %s\n", warn)
			}
			if out.SummaryURL != "" {
				fmt.Fprintf(w, "summary: %s\n", out.SummaryURL)
			}
			if err != nil {
				return &exitError{code: ExitPublish, err: fmt.Errorf("publish review on %s: %w", target, err)}
			}
			return gateExit(r)
		},
	}
	c.Flags().BoolVar(&noCache, "no-cache", false, "neither read nor write the result cache in the user cache directory")
	c.Flags().BoolVar(&local, "local", false, "print the review of BASE..HEAD as markdown instead of posting it")
	c.Flags().StringVarP(&dir, "dir", "C", ".", "the local git repository holding the commits")
	c.Flags().StringVar(&repoName, "repo", "", "GitHub repository OWNER/NAME (default: from the Actions event)")
	c.Flags().IntVar(&prNumber, "pr", 0, "pull request number (default: from the Actions event)")
	c.Flags().StringVar(&apiURL, "api-url", "", "GitHub REST API URL (default: $GITHUB_API_URL or https://api.github.com)")
	c.Flags().StringVar(&botLogin, "bot-login", "github-actions[bot]", "the login the token posts as: only its comments are updated or deleted")
	return c
}

// publication hands the rendered review to the publisher, which takes
// rendered text only.

func gateExit(r *review.Review) error {
	if r.Pass() {
		return nil
	}
	return errBlocking
}

type target struct {
	owner, name      string
	number           int
	baseSHA, headSHA string
	// baseRef is the branch the pull request targets; only the
	// submission branch passes.
	baseRef string
}

func (t target) String() string { return fmt.Sprintf("%s/%s#%d", t.owner, t.name, t.number) }

// resolveTarget finds the pull request from the flags, or from the GitHub
// Actions event payload.
func resolveTarget(env reviewEnv, repoName string, number int) (target, error) {
	if repoName != "" || number != 0 {
		owner, name, ok := strings.Cut(repoName, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") || number <= 0 {
			return target{}, usageErr("--repo OWNER/NAME and --pr N go together (got %q, %d)", repoName, number)
		}
		return target{owner: owner, name: name, number: number}, nil
	}
	path := env.Getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return target{}, usageErr("not in GitHub Actions (no GITHUB_EVENT_PATH): give --repo and --pr, or --local BASE HEAD")
	}
	raw, err := env.ReadFile(path)
	if err != nil {
		return target{}, &exitError{code: ExitInput, err: fmt.Errorf("read event payload: %w", err)}
	}
	var ev struct {
		Number      int `json:"number"`
		PullRequest *struct {
			Number int `json:"number"`
			Base   struct {
				SHA string `json:"sha"`
				Ref string `json:"ref"`
			} `json:"base"`
			Head struct {
				SHA string `json:"sha"`
			} `json:"head"`
		} `json:"pull_request"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return target{}, &exitError{code: ExitInput, err: fmt.Errorf("read event payload %s: %w", path, err)}
	}
	if ev.PullRequest == nil {
		return target{}, usageErr("the %s event is not a pull request event; review runs on pull_request", env.Getenv("GITHUB_EVENT_NAME"))
	}
	owner, name, ok := strings.Cut(ev.Repository.FullName, "/")
	if !ok || !validSHA(ev.PullRequest.Base.SHA) || !validSHA(ev.PullRequest.Head.SHA) || ev.PullRequest.Number <= 0 {
		return target{}, &exitError{code: ExitInput, err: fmt.Errorf("event payload %s lacks the repository, pull request number or base/head SHAs", path)}
	}
	return target{owner: owner, name: name, number: ev.PullRequest.Number,
		baseSHA: ev.PullRequest.Base.SHA, headSHA: ev.PullRequest.Head.SHA, baseRef: ev.PullRequest.Base.Ref}, nil
}

func validSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := strconv.ParseUint(s[:16], 16, 64)
	return err == nil
}

// fallback reports through the workflow itself when GitHub refuses writes:
// annotations on the log, and the review as the job summary (within
// GitHub's size limit), or on w outside Actions.
func fallback(env reviewEnv, w io.Writer, r *review.Review) error {
	if err := report.WriteReviewAnnotations(w, r); err != nil {
		return fmt.Errorf("write annotations: %w", err)
	}
	path := env.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return report.WriteReview(w, r)
	}
	f, err := env.AppendFile(path)
	if err != nil {
		return fmt.Errorf("write job summary: %w", err)
	}
	if err := report.WriteReviewJobSummary(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write job summary: %w", err)
	}
	return nil
}
