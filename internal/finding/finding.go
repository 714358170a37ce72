// Package finding holds the one result type that flows through every stage of
// Triangulate: schema validation, policy evaluation, review and reporting.
// It depends on the standard library only, so every other package may import
// it and none of them needs a result type of its own.
package finding

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity says what a finding does to a submission.
type Severity string

const (
	// Error blocks submission unless a regulator waives it.
	Error Severity = "error"
	// Warning blocks submission unless the plan explains it or a regulator
	// waives it.
	Warning Severity = "warning"
	// Info is shown and never blocks.
	Info Severity = "info"
)

// Rank orders severities from most to least serious.
func (s Severity) Rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	default:
		return 2
	}
}

// Status records whether a finding still counts against a submission.
type Status string

const (
	// Open findings count as they are.
	Open Status = ""
	// Explained warnings carry the organisation's explanation from its plan.
	Explained Status = "explained"
	// Waived findings carry a regulator's waiver.
	Waived Status = "waived"
)

// Location places a finding, or one side of it, in a plan file.
type Location struct {
	// Org is the ODS code of the organisation whose document this is.
	Org string `json:"org,omitempty"`
	// Path is the CUE field path inside the document, e.g.
	// activity."15M".non_elective.total.
	Path   string `json:"path,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// String renders file:line:col, omitting what is unknown.
func (l Location) String() string {
	switch {
	case l.File == "":
		return ""
	case l.Line == 0:
		return l.File
	case l.Column == 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
	}
}

// Finding is one problem found in a set of plans.
type Finding struct {
	// Rule is the stable catalogue id, e.g. "A01".
	Rule     string   `json:"rule"`
	Title    string   `json:"title,omitempty"`
	Category string   `json:"category,omitempty"`
	Severity Severity `json:"severity"`
	// Orgs lists every organisation the finding is about; a misalignment
	// names both sides of the contract.
	Orgs    []string `json:"orgs,omitempty"`
	Message string   `json:"message"`
	// Month is 1 (April) .. 12 (March) when the finding is about one month.
	Month int `json:"month,omitempty"`
	// Scope is "" for a finding about organisations' own plans, ScopeSystem
	// for a roll-up over a system's members (Org is then the system's code)
	// and ScopeNational for one over the whole plan set.
	Scope string `json:"scope,omitempty"`
	// Location is the primary place; Related are the other sides.
	Location
	Related []Location `json:"related,omitempty"`
	// Status and Reason say why a finding no longer blocks.
	Status Status `json:"status,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Scopes of roll-up findings.
const (
	ScopeSystem   = "system"
	ScopeNational = "national"
)

// ScopeLabel names a roll-up finding's scope for people: "national",
// "system QXU" (the system's code is the finding's organisation), or "" for
// a finding about organisations' own plans.
func (f Finding) ScopeLabel() string {
	switch {
	case f.Scope == "":
		return ""
	case f.Scope == ScopeSystem && f.Org != "":
		return ScopeSystem + " " + f.Org
	case f.Scope == ScopeSystem && len(f.Orgs) > 0:
		return ScopeSystem + " " + f.Orgs[0]
	default:
		return f.Scope
	}
}

// Blocking reports whether the finding stops a submission: errors not
// waived, and warnings neither explained nor waived.
func (f Finding) Blocking() bool {
	if f.Status != Open {
		return false
	}
	return f.Severity == Error || f.Severity == Warning
}

// StatusNote says in words why a finding does or does not block: its
// status and reason ("explained: winter beds", "waived"), or for an open
// finding its reason alone, when it has one ("explained by RTK; awaiting
// 09Y: ..."). A reason that already starts with its status ("explained by
// RTK: ...", "waived by ...") is not prefixed with it again. It is "" for an
// open finding without a reason.
func (f Finding) StatusNote() string {
	switch {
	case f.Status == Open:
		return f.Reason
	case f.Reason == "":
		return string(f.Status)
	case strings.HasPrefix(f.Reason, string(f.Status)+" "):
		return f.Reason
	default:
		return string(f.Status) + ": " + f.Reason
	}
}

// Fingerprint identifies a finding across runs independently of line
// numbers, so a re-run can recognise what it has already reported.
func (f Finding) Fingerprint() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%d|%s", f.Rule, strings.Join(f.Orgs, ","), f.Path, f.Month, f.File)
	// Only a roll-up adds its scope, so fingerprints recorded before scopes
	// existed (in posted comments and code-scanning alerts) still match.
	if f.Scope != "" {
		b.WriteString("|" + f.Scope)
	}
	return fmt.Sprintf("%016x", fnv64(b.String()))
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Involves reports whether org is one of the finding's organisations.
func (f Finding) Involves(org string) bool {
	return slices.Contains(f.Orgs, org)
}

// Sort orders findings by file, line, column, rule and message, so output is
// stable across runs.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Counts summarises a set of findings.
type Counts struct {
	Errors    int `json:"errors"`
	Warnings  int `json:"warnings"`
	Infos     int `json:"infos"`
	Explained int `json:"explained"`
	Waived    int `json:"waived"`
	Blocking  int `json:"blocking"`
}

// Count tallies findings by severity and status.
func Count(fs []Finding) Counts {
	var c Counts
	for _, f := range fs {
		switch f.Severity {
		case Error:
			c.Errors++
		case Warning:
			c.Warnings++
		default:
			c.Infos++
		}
		switch f.Status {
		case Explained:
			c.Explained++
		case Waived:
			c.Waived++
		}
		if f.Blocking() {
			c.Blocking++
		}
	}
	return c
}
