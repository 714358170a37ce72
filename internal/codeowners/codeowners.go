// Package codeowners answers who owns a file in the repository, from its
// CODEOWNERS file, so that a comment about a misalignment can mention the
// people responsible for the counterparty's plan as well as the author's;
// and checks that the CODEOWNERS binds every organisation's plans to a team
// of its own (Check, CheckRepository), since a plan is accepted at one path
// only and that path's line is what makes a change need its approval.
//
// Callers should read CODEOWNERS from the pull request's base, not its head:
// otherwise a pull request could choose who gets asked to approve it.
package codeowners

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/hmarr/codeowners"
)

// Locations are where GitHub looks for CODEOWNERS, in its order of preference.
var Locations = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// Owners maps repository paths to their owners.
type Owners struct {
	rules codeowners.Ruleset
	// matched memoises rule by path: the library tries every line's
	// pattern in turn, and a national file has a line per organisation.
	matched sync.Map
}

// Parse reads a CODEOWNERS file.
func Parse(r io.Reader) (*Owners, error) {
	rules, err := codeowners.ParseFile(r)
	if err != nil {
		return nil, fmt.Errorf("parse codeowners: %w", err)
	}
	return &Owners{rules: rules}, nil
}

// Load reads the first CODEOWNERS file found in fsys at GitHub's locations.
// A repository without one has no owners: the result answers nil for every
// path.
func Load(fsys fs.FS) (*Owners, error) {
	for _, loc := range Locations {
		f, err := fsys.Open(loc)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", loc, err)
		}
		defer f.Close()
		o, err := Parse(f)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", loc, err)
		}
		return o, nil
	}
	return &Owners{}, nil
}

// Of returns the owners of path (slash-separated, relative to the repository
// root) as GitHub would mention them: @org/team, @user or an email address.
// The last matching rule wins, as on GitHub; a rule without owners leaves the
// path unowned.
func (o *Owners) Of(path string) []string {
	rule := o.rule(path)
	if rule == nil {
		return nil
	}
	owners := make([]string, 0, len(rule.Owners))
	for _, owner := range rule.Owners {
		owners = append(owners, owner.String())
	}
	return owners
}

// Mention returns the owners of all the paths as one space-separated line,
// each owner once, in the order the paths and rules name them; empty when no
// path is owned.
func (o *Owners) Mention(paths ...string) string {
	var all []string
	for _, p := range paths {
		for _, owner := range o.Of(p) {
			if !slices.Contains(all, owner) {
				all = append(all, owner)
			}
		}
	}
	return strings.Join(all, " ")
}
