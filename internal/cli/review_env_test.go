package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/github"
	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
)

// today is the clock of every review here: waivers are judged against it.
var today = time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)

// world is everything outside the process a review touches, faked: the
// environment, files (the event payload, the job summary) and GitHub.
type world struct {
	vars  map[string]string
	files map[string]*bytes.Buffer
	srv   *githubtest.Server
}

func newWorld(srv *githubtest.Server) *world {
	w := &world{vars: map[string]string{}, files: map[string]*bytes.Buffer{}, srv: srv}
	if srv != nil {
		w.vars["GITHUB_TOKEN"] = githubtest.Token
		w.vars["GITHUB_API_URL"] = srv.URL()
	}
	return w
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func (w *world) env() reviewEnv {
	return reviewEnv{
		Getenv: func(k string) string { return w.vars[k] },
		Now:    func() time.Time { return today },
		ReadFile: func(name string) ([]byte, error) {
			if b, ok := w.files[name]; ok {
				return b.Bytes(), nil
			}
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		},
		AppendFile: func(name string) (io.WriteCloser, error) {
			if w.files[name] == nil {
				w.files[name] = &bytes.Buffer{}
			}
			return nopCloser{w.files[name]}, nil
		},
		OpenRepo: gitrepo.Open,
		GitHub: func(apiURL, token, login string) (gitHub, error) {
			if w.srv == nil {
				return nil, errors.New("no GitHub in this test")
			}
			return github.New(w.srv.Client(), apiURL, token, github.WithAuthor(login),
				github.WithSleep(func(context.Context, time.Duration) error { return nil }))
		},
	}
}

// review runs the review command in w and returns stdout, stderr and the
// exit code, mapping errors to codes as Main does.
func (w *world) review(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	c := newReviewWith(w.env())
	c.SetArgs(args)
	c.SetOut(&out)
	c.SetErr(&errb)
	c.SilenceUsage, c.SilenceErrors = true, true
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitError{code: ExitInput, err: err} })
	err := c.ExecuteContext(context.Background())
	var ee *exitError
	switch {
	case err == nil:
		return out.String(), errb.String(), ExitClean
	case errors.As(err, &ee):
		if ee.err != nil {
			fmt.Fprintf(&errb, "triangulate: %v\n", ee.err)
		}
		return out.String(), errb.String(), ee.code
	default:
		fmt.Fprintf(&errb, "triangulate: %v\n", err)
		return out.String(), errb.String(), ExitInput
	}
}
