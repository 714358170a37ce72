// Package gate decides what blocks a submission. Organisations explain
// warnings in their own plans; regulators waive findings in
// policy/waivers/. Neither hides a finding: it stays in the report with its
// status and reason, and only open errors and warnings block.
package gate

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// WaiverDir is where regulators keep waivers.
const WaiverDir = "policy/waivers"

// Rules raised by the gate itself.
var Rules = []finding.Rule{
	{ID: "W01", Category: "waiver", Severity: finding.Error,
		Title:       "Waivers are well formed and in date",
		Description: "Every waiver under policy/waivers/ passes the schema (rule, organisation, reason, approver, expiry date) and has not expired; an expired waiver no longer applies.",
		Rationale:   "A waiver is a regulator's dated decision; one that is malformed or out of date must not silently let findings through."},
}

// Waiver lets one finding through the gate until it expires.
type Waiver struct {
	Rule, Org, Counterparty, Year string
	Month                         int
	Reason, Approver              string
	Expires                       time.Time
	Location                      finding.Location
}

// LoadWaivers reads policy/waivers/*.cue from fsys. Malformed files and
// expired waivers come back as W01 findings; only waivers in date are
// returned for use.
func LoadWaivers(fsys fs.FS, schema *plan.Schema, today time.Time) ([]Waiver, []finding.Finding) {
	entries, err := fs.ReadDir(fsys, WaiverDir)
	if err != nil {
		return nil, nil // no waivers folder: nothing waived
	}
	var (
		out      []Waiver
		findings []finding.Finding
	)
	bad := func(loc finding.Location, sev finding.Severity, org, format string, args ...any) {
		f := finding.Finding{Rule: "W01", Severity: sev, Message: fmt.Sprintf(format, args...), Location: loc,
			Title: Rules[0].Title, Category: Rules[0].Category}
		if org != "" {
			f.Orgs = []string{org}
		}
		findings = append(findings, f)
	}
	day := today.UTC().Truncate(24 * time.Hour)
	for _, e := range entries {
		name := path.Join(WaiverDir, e.Name())
		if e.IsDir() || !strings.HasSuffix(name, ".cue") {
			continue
		}
		if !e.Type().IsRegular() {
			bad(finding.Location{File: name}, finding.Error, "", "waiver files must be regular files")
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			bad(finding.Location{File: name}, finding.Error, "", "cannot read waiver file: %v", err)
			continue
		}
		doc, problems := schema.CheckFile(name, src)
		for _, p := range problems {
			bad(p.Location, finding.Error, "", "malformed waiver file: %s", p.Message)
		}
		if doc == nil || !doc.Valid {
			continue
		}
		if doc.Kind != "waivers" {
			bad(doc.Locate([]any{"kind"}), finding.Error, "", "files in %s/ must have kind \"waivers\", not %q", WaiverDir, doc.Kind)
			continue
		}
		list, _ := doc.Data["waivers"].([]any)
		for i, raw := range list {
			m, _ := raw.(map[string]any)
			str := func(k string) string { s, _ := m[k].(string); return s }
			w := Waiver{Rule: str("rule"), Org: str("org"), Counterparty: str("counterparty"), Year: str("year"),
				Reason: str("reason"), Approver: str("approver"), Location: doc.Locate([]any{"waivers", i})}
			if n, ok := m["month"].(json.Number); ok {
				w.Month, _ = strconv.Atoi(n.String())
			}
			exp, err := time.Parse(time.DateOnly, str("expires"))
			if err != nil {
				bad(doc.Locate([]any{"waivers", i, "expires"}), finding.Error, w.Org, "waiver of %s for %s: expiry %q is not a date", w.Rule, w.Org, str("expires"))
				continue
			}
			w.Expires = exp
			if exp.Before(day) {
				bad(doc.Locate([]any{"waivers", i, "expires"}), finding.Warning, w.Org,
					"waiver of %s for %s expired on %s and no longer applies; renew or remove it", w.Rule, w.Org, exp.Format(time.DateOnly))
				continue
			}
			out = append(out, w)
		}
	}
	return out, findings
}

func (w Waiver) matches(f finding.Finding, year string) bool {
	return w.Rule == f.Rule && f.Involves(w.Org) &&
		(w.Counterparty == "" || f.Involves(w.Counterparty)) &&
		(w.Month == 0 || w.Month == f.Month) &&
		(w.Year == "" || w.Year == year)
}

// Apply marks findings explained (warnings named in one of their
// organisations' plans) or waived (any finding matching a waiver). It
// returns the findings with statuses set; none is removed.
func Apply(findings []finding.Finding, set *plan.Set, waivers []Waiver) []finding.Finding {
	yearOf := map[string]string{}
	for _, d := range set.Documents {
		yearOf[d.File] = d.Year
	}
	out := slices.Clone(findings)
	for i := range out {
		f := &out[i]
		year := yearOf[f.File]
		for _, w := range waivers {
			if w.matches(*f, year) {
				f.Status = finding.Waived
				f.Reason = fmt.Sprintf("waived by %s until %s: %s", w.Approver, w.Expires.Format(time.DateOnly), w.Reason)
				break
			}
		}
		if f.Status != finding.Open || f.Severity != finding.Warning {
			continue
		}
		if org, text, ok := explanation(*f, set, year); ok {
			f.Status = finding.Explained
			f.Reason = fmt.Sprintf("%s explains: %s", org, text)
		}
	}
	return out
}

// explanation finds a plan of one of the finding's organisations that
// explains it.
func explanation(f finding.Finding, set *plan.Set, year string) (string, string, bool) {
	for _, org := range f.Orgs {
		d := set.Doc(year, org)
		if d == nil {
			continue
		}
		list, _ := d.Data["explanations"].([]any)
		for _, raw := range list {
			m, _ := raw.(map[string]any)
			rule, _ := m["rule"].(string)
			text, _ := m["text"].(string)
			if rule != f.Rule {
				continue
			}
			if n, ok := m["month"].(json.Number); ok {
				if month, _ := strconv.Atoi(n.String()); month != f.Month {
					continue
				}
			}
			if cp, ok := m["counterparty"].(string); ok && !f.Involves(cp) {
				continue
			}
			return org, text, true
		}
	}
	return "", "", false
}
