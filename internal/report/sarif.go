package report

import (
	"io"
	"net/url"
	"path"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

const (
	toolName = "triangulate"
	toolURI  = "https://github.com/triangulate-nhs/triangulate"
	// fingerprintKey names our partial fingerprint; the version suffix lets
	// the fingerprint's recipe change without matching old alerts wrongly.
	fingerprintKey = "triangulate/v1"
)

// writeSARIF writes a SARIF 2.1.0 log that GitHub code scanning accepts:
// repository-relative URIs and a start line of at least 1 wherever a region
// is given.
func writeSARIF(w io.Writer, r Result) error {
	run := sarif.NewRunWithInformationURI(toolName, toolURI)
	index := sarifRules(run, r)
	props := sarif.NewPropertyBag().Add("plansRead", r.PlansRead).Add("submittable", r.Submittable())
	if r.Ref != "" {
		props.Add("ref", r.Ref)
	}
	run.WithProperties(props)

	for _, f := range r.Findings {
		run.AddResult(sarifResult(f, index[f.Rule]))
		if f.File != "" {
			run.AddDistinctArtifact(artifactURI(f.File))
		}
	}

	log := sarif.NewReport()
	log.AddRun(run)
	if err := log.PrettyWrite(w); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// sarifRules declares every catalogue rule, then any rule a finding names
// that the catalogue lacks, so every result's ruleIndex points at a real
// descriptor. It returns each rule id's index.
func sarifRules(run *sarif.Run, r Result) map[string]int {
	index := map[string]int{}
	add := func(rule finding.Rule) {
		if _, ok := index[rule.ID]; ok {
			return
		}
		index[rule.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.AddRule(sarifRule(rule))
	}
	for _, rule := range r.Rules {
		add(rule)
	}
	for _, f := range r.Findings {
		add(finding.Rule{ID: f.Rule, Title: f.Title, Category: f.Category, Severity: f.Severity})
	}
	return index
}

func sarifRule(rule finding.Rule) *sarif.ReportingDescriptor {
	title := rule.Title
	if title == "" {
		title = rule.ID
	}
	full := rule.Description
	if full == "" {
		full = title
	}
	d := sarif.NewRule(rule.ID).
		WithName(ruleName(rule)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(title)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(full)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(rule.Severity)))
	if help := ruleHelp(rule); help != "" {
		d.WithHelp(sarif.NewMultiformatMessageString().WithText(help))
	}
	props := sarif.NewPropertyBag()
	if rule.Category != "" {
		// GitHub filters alerts by tag; the category is the useful one.
		props.Add("category", rule.Category).AddTag(rule.Category)
	}
	return d.WithProperties(props)
}

// ruleHelp is the text GitHub shows under "Rule help": what the rule checks
// and why it matters.
func ruleHelp(rule finding.Rule) string {
	var parts []string
	if rule.Description != "" {
		parts = append(parts, rule.Description)
	}
	if rule.Rationale != "" {
		parts = append(parts, "Why it matters: "+rule.Rationale)
	}
	return strings.Join(parts, "\n\n")
}

// ruleName turns a title into the PascalCase identifier SARIF recommends for
// reportingDescriptor.name, e.g. "Beds fit the activity" -> "BedsFitTheActivity".
func ruleName(rule finding.Rule) string {
	var b strings.Builder
	for word := range strings.FieldsFuncSeq(rule.Title, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		rs := []rune(word)
		b.WriteRune(unicode.ToUpper(rs[0]))
		b.WriteString(string(rs[1:]))
	}
	if b.Len() == 0 {
		return rule.ID
	}
	return b.String()
}

func sarifLevel(s finding.Severity) string {
	switch s {
	case finding.Error:
		return sarif.LevelError
	case finding.Warning:
		return sarif.LevelWarning
	default:
		return sarif.LevelNote
	}
}

func sarifResult(f finding.Finding, ruleIndex int) *sarif.Result {
	res := sarif.NewRuleResult(f.Rule).
		WithRuleIndex(ruleIndex).
		WithLevel(sarifLevel(f.Severity)).
		WithMessage(sarif.NewTextMessage(f.Message)).
		WithPartialFingerprints(map[string]string{fingerprintKey: f.Fingerprint()})
	if loc := sarifLocation(f.Location); loc != nil {
		res.AddLocation(loc)
	}
	// Related sides without a file are left out: a location GitHub cannot
	// open is noise, and the message already names the organisation.
	id := 0
	for _, rel := range f.Related {
		loc := sarifLocation(rel)
		if loc == nil {
			continue
		}
		id++
		loc.WithID(id)
		if t := relatedText(finding.Location{Org: rel.Org, Path: rel.Path}); t != "" {
			loc.WithMessage(sarif.NewTextMessage(t))
		}
		res.AddRelatedLocation(loc)
	}
	switch f.Status {
	case finding.Explained:
		res.AddSuppression(suppression("inSource", f.Reason))
	case finding.Waived:
		res.AddSuppression(suppression("external", f.Reason))
	}
	props := sarif.NewPropertyBag()
	if o := orgs(f); len(o) > 0 {
		props.Add("orgs", o)
	}
	if f.Path != "" {
		props.Add("path", f.Path)
	}
	if f.Month != 0 {
		props.Add("month", f.Month)
	}
	if f.Category != "" {
		props.Add("category", f.Category)
	}
	if f.Scope != "" {
		props.Add("scope", f.Scope)
	}
	// A suppressed result carries its reason as the justification; an open
	// one can still have a reason ("explained by RTK; awaiting 09Y").
	if f.Status == finding.Open && f.Reason != "" {
		props.Add("reason", f.Reason)
	}
	return res.WithProperties(props)
}

func suppression(kind, reason string) *sarif.Suppression {
	s := sarif.NewSuppression().WithKind(kind).WithStatus("accepted")
	if reason != "" {
		s.WithJustification(reason)
	}
	return s
}

// sarifLocation places l in its file, or returns nil when no file is known.
// A file without a line still gets line 1: code scanning rejects regions
// without a positive start line, and the file is worth pointing at.
func sarifLocation(l finding.Location) *sarif.Location {
	if l.File == "" {
		return nil
	}
	region := sarif.NewRegion().WithStartLine(max(l.Line, 1))
	if l.Line > 0 && l.Column > 0 {
		region.WithStartColumn(l.Column)
	}
	return sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(artifactURI(l.File))).
			WithRegion(region),
	)
}

// artifactURI makes a repository-relative file name a relative URI
// reference: forward slashes, no leading "./" or "/", and percent-escapes for
// anything a URI cannot hold (url.URL also guards a colon in the first
// segment, which would otherwise read as a scheme).
func artifactURI(file string) string {
	p := path.Clean(strings.ReplaceAll(file, `\`, "/"))
	p = strings.TrimLeft(p, "/")
	return (&url.URL{Path: p}).String()
}
