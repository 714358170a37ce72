// Package dashboard writes the regulator's view of a judged plan set as a
// static site: a national page, a page per system and a page per
// organisation, with each organisation's submission state, a commissioner x
// provider alignment matrix coloured by the alignment findings, contract
// status by week, planned bed use against beds open, surplus against the
// register's control totals, and every finding linked to its file and line
// on the repository host.
//
// The site works offline: its one stylesheet is embedded in the binary,
// charts are inline SVG drawn here (no script, no chart library, no web
// font), and every figure a chart draws is also in a table. Everything a
// plan says (names, explanations, messages) reaches a page only through
// html/template's contextual escaping.
package dashboard

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/ledger"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/policy"
	"github.com/triangulate-nhs/triangulate/internal/register"
)

// Source says which version of the repository the site shows, so every
// finding can link to its file and line there.
type Source struct {
	// Label names the version for people: "main (0123456789ab)", a folder.
	Label string
	// RepoURL is the repository's web address, e.g.
	// https://github.com/triangulate-nhs/plans; "" leaves findings unlinked.
	RepoURL string
	// Commit is the commit the links point at.
	Commit string
}

// CheckRepoURL refuses a repository address a link cannot safely carry:
// anything but an absolute http(s) URL without query, fragment or
// credentials.
func CheckRepoURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("repository URL %q: %w", s, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("repository URL %q: want https://host/owner/name", s)
	}
	return nil
}

// Blob is the web address of a file's line at the source's commit, in
// GitHub's form (…/blob/<commit>/<path>#L<line>); "" when the source has no
// repository address or commit.
func (s Source) Blob(file string, line int) string {
	if s.RepoURL == "" || s.Commit == "" || file == "" {
		return ""
	}
	segs := strings.Split(file, "/")
	for i, p := range segs {
		segs[i] = url.PathEscape(p)
	}
	u := strings.TrimSuffix(s.RepoURL, "/") + "/blob/" + url.PathEscape(s.Commit) + "/" + strings.Join(segs, "/")
	if line > 0 {
		u += fmt.Sprintf("#L%d", line)
	}
	return u
}

// contractWeek is one contract's position on one Friday, flattened from
// the weekly history.
type contractWeek struct {
	Week                             string // YYYY-MM-DD, a Friday
	Provider, Commissioner           string
	ProviderState, CommissionerState string // "" when that side records none
	// WeeksSinceMoved counts the weeks since the position last changed.
	WeeksSinceMoved int
}

// Input is everything the site shows.
type Input struct {
	// Year is the financial year shown, "2019/20"; "" picks the newest
	// year with plans.
	Year     string
	Set      *plan.Set
	Findings []finding.Finding
	// Registers are the regulator's figures (control totals).
	Registers register.Registers
	// Occupancy is the policies' planned G&A occupancy, by year and
	// provider (policy.Engine.Occupancy).
	Occupancy map[string]map[string][]policy.Occupancy
	// Contracts is every contract's current position (contracts.Position).
	Contracts []contracts.Row
	// Ledger is every organisation's submissions (ledger.Read); nil when
	// the history was not read (a folder rather than a repository).
	Ledger *ledger.Ledger
	// Weekly is every contract's position Friday by Friday
	// (contracts.Weekly); nil when the history was not read.
	Weekly *contracts.History
	Source Source
}
