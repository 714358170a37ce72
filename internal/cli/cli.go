// Package cli is the triangulate command line: it parses flags, picks the
// trees to read (a directory or a git ref) and the report format, and maps
// outcomes to exit codes. Everything it runs lives in other packages.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
)

// Exit codes, documented in the README.
const (
	ExitClean    = 0 // nothing blocks submission
	ExitBlocking = 1 // at least one blocking finding
	ExitInput    = 2 // usage error, or input that could not be read
	// ExitPublish ends a review that reached its verdict but could not
	// wholly publish it: GitHub refused or failed a write (status, check
	// run, review, comment), and the message names which. Distinct from
	// ExitBlocking so a log tells "blocked" from "the result did not reach
	// the pull request"; either way the job fails, so nothing fails silently.
	ExitPublish = 3
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// errBlocking ends a run whose report already said what blocks.
var errBlocking = &exitError{code: ExitBlocking}

// Main runs the command line and returns the process exit code. Only
// package main calls os.Exit.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitClean
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "triangulate: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "triangulate: %v\n", err)
	return ExitInput
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "triangulate",
		Short: "Check NHS operational plans as code: schema, alignment, believability, control totals",
		Long: `triangulate checks the operational plans in a repository: every plan file
against the CUE schema, and the whole set against the policy catalogue
(alignment between commissioners and providers, activity against beds,
workforce and money, control totals). Exit codes: 0 clean, 1 blocking
findings, 2 usage or input error, 3 a review's result could not be published,
130 interrupted.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: ExitInput, err: err}
	})
	root.AddCommand(newCheck(), newRules(), newReview(), newSandbox(), newServe(), newGenerate(), newDiff(), newContracts(), newReport(), newSubmissions(), newTemplate(), newImport(), newExport())
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(root.FlagErrorFunc())
	}
	return root
}

// sourceArgs is source for a command's optional PATH argument.
// Without PATH it finds the repository root upwards from the working
// directory, so the command works from inside plans/ too.
func sourceArgs(args []string, ref string) (fs.FS, string, error) {
	if len(args) == 1 {
		return source(args[0], ref)
	}
	return source(findRoot("."), ref)
}

// openHistory opens the git repository a history command reads: the one
// directory argument, or the repository root above the working directory.
// A repository that cannot be opened is an input error.
func openHistory(args []string) (*gitrepo.Repo, error) {
	dir := findRoot(".")
	if len(args) == 1 {
		dir = args[0]
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return nil, &exitError{code: ExitInput, err: err}
	}
	return repo, nil
}

// findRoot returns the nearest directory at or above dir that holds both
// schema/ and plans/, or dir itself when there is none.
func findRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		if isDir(filepath.Join(d, "schema")) && isDir(filepath.Join(d, "plans")) {
			if d == abs {
				return dir
			}
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// source opens the tree a command reads: the directory itself, or the
// repository at dir read at ref without a checkout.
func source(dir, ref string) (fs.FS, string, error) {
	if ref == "" {
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, "", &exitError{code: ExitInput, err: fmt.Errorf("read %s: %w", dir, err)}
		}
		if !fi.IsDir() {
			return nil, "", &exitError{code: ExitInput, err: fmt.Errorf("%s is not a directory: give the repository root", dir)}
		}
		return os.DirFS(dir), dir, nil
	}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return nil, "", &exitError{code: ExitInput, err: err}
	}
	c, err := repo.Resolve(ref)
	if err != nil {
		return nil, "", &exitError{code: ExitInput, err: err}
	}
	fsys, err := c.FS()
	if err != nil {
		return nil, "", &exitError{code: ExitInput, err: fmt.Errorf("read %s: %w", ref, err)}
	}
	return fsys, fmt.Sprintf("%s (%s)", ref, c.Hash[:12]), nil
}

func usageErr(format string, args ...any) error {
	return &exitError{code: ExitInput, err: fmt.Errorf(format, args...)}
}

func list(vs []string) string { return strings.Join(vs, "|") }
