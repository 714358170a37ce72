// Package gate decides what blocks a submission. Organisations explain
// warnings in their own plans; regulators waive findings in
// policy/waivers/. Neither hides a finding: it stays in the report with its
// status and reason, and only open errors and warnings block.
//
// Agreement is two-sided: a misalignment between organisations (and a
// system or national roll-up over several) is explained only when every
// organisation it involves lists it, each with an explanation or an
// acknowledgement of the other side's, and at least one explains it. One
// side alone leaves it open, with a reason saying whom it awaits.
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
	OtherBase,
	Conflict,
	FinalSubmittable,
}

// The rules of how a pull request is judged rather than of its plans:
// raised by the review, listed here so the catalogue names them.
var (
	// OtherBase: a pull request is judged only against the submission
	// branch. Judged against any other, it could pass under rules weakened
	// there and then be retargeted to main.
	OtherBase = finding.Rule{ID: "G01", Title: "Targets a branch other than the submission branch", Category: "gate",
		Severity:    finding.Error,
		Description: "A pull request whose base is not the submission branch (main) fails without being judged.",
		Rationale:   "Plans are judged only against the submission branch: a pull request judged against another branch could pass under rules weakened there, then be retargeted."}
	// Conflict: a file both the pull request and its base changed since it
	// branched, differently; the merged plans cannot be known.
	Conflict = finding.Rule{ID: "G02", Title: "Changed on the submission branch since this pull request branched", Category: "gate",
		Severity:    finding.Error,
		Description: "A pull request is judged as merged into the current submission branch; a file both sides changed differently since it branched blocks until the branch is updated.",
		Rationale:   "The pull request is judged as merged into the current submission branch; a file both sides changed differently has no merged version to judge until the branch is updated."}
)

// FinalSubmittable: a plan at status "final" is the organisation's
// submission of record, so a pull request cannot set or keep one while
// blocking findings involve the organisation. Judged in Go, not Rego: it
// reads the other findings after explanations and waivers are applied.
var FinalSubmittable = finding.Rule{ID: "G03", Title: "A final plan must be submittable", Category: "gate",
	Severity:    finding.Error,
	Description: "A pull request that sets or keeps an organisation's plan at status \"final\" fails while any blocking finding involves that organisation. A draft may carry findings: they are shown, and block once the plan is final.",
	Rationale:   "A final plan is what the regulators take as the organisation's submission; one that does not pass the gate is not a submission. Drafts go in by their deadline with problems still being worked through, as in the planning round."}

// Unsubmittable raises a G03 finding for each of orgs whose plan in set is
// valid and final while blocking findings of the year involve it, placed on
// the plan's status field and naming the rules that block.
func Unsubmittable(set *plan.Set, findings []finding.Finding, orgs []string) []finding.Finding {
	yearOf := years(set)
	var out []finding.Finding
	for _, d := range set.Documents {
		if !d.Valid || d.Org == "" || !slices.Contains(orgs, d.Org) || d.Data["status"] != "final" {
			continue
		}
		n, rules := 0, []string{}
		for _, f := range findings {
			if !f.Blocking() || !slices.Contains(parties(f), d.Org) {
				continue
			}
			if y := yearOf(f); y != "" && y != d.Year {
				continue
			}
			n++
			if !slices.Contains(rules, f.Rule) {
				rules = append(rules, f.Rule)
			}
		}
		if n == 0 {
			continue
		}
		slices.Sort(rules)
		noun := "blocking findings involve"
		if n == 1 {
			noun = "blocking finding involves"
		}
		out = append(out, finding.Finding{Rule: FinalSubmittable.ID, Title: FinalSubmittable.Title, Category: FinalSubmittable.Category,
			Severity: FinalSubmittable.Severity, Orgs: []string{d.Org},
			Location: d.Locate([]any{"status"}),
			Message: fmt.Sprintf("%s's plan for %s is final, but %d %s it (%s): a final plan must be submittable. Resolve or explain them, or keep the plan at status \"draft\" until they are",
				d.Org, d.Year, n, noun, strings.Join(rules, ", "))})
	}
	return out
}

// CarriedByDrafts returns a test of whether only draft plans carry a
// finding: it sits in a plan file (not the reference list, a register or a
// waiver) and every organisation it involves has a valid plan for its year
// at status "draft". Such a finding does not block a pull request; once any
// of those plans is final it does (G03).
func CarriedByDrafts(set *plan.Set) func(finding.Finding) bool {
	yearOf := years(set)
	return func(f finding.Finding) bool {
		orgs := parties(f)
		if len(orgs) == 0 || f.File == plan.ReferenceListFile || !strings.HasPrefix(f.File, plan.PlansDir+"/") {
			return false
		}
		year := yearOf(f)
		for _, org := range orgs {
			d := set.Doc(year, org)
			if d == nil || !d.Valid || d.Data["status"] != "draft" {
				return false
			}
		}
		return true
	}
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
	// Every W01 finding has the catalogue's severity: an expired waiver
	// must block as surely as a malformed one.
	bad := func(loc finding.Location, org, format string, args ...any) {
		f := finding.Finding{Rule: Rules[0].ID, Severity: Rules[0].Severity, Message: fmt.Sprintf(format, args...),
			Location: loc}
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
			bad(finding.Location{File: name}, "", "waiver files must be regular files")
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			bad(finding.Location{File: name}, "", "cannot read waiver file: %v", err)
			continue
		}
		doc, problems := schema.CheckFile(name, src)
		for _, p := range problems {
			bad(p.Location, "", "malformed waiver file: %s", p.Message)
		}
		if doc == nil || !doc.Valid {
			continue
		}
		if doc.Kind != "waivers" {
			bad(doc.Locate([]any{"kind"}), "", "files in %s/ must have kind \"waivers\", not %q", WaiverDir, doc.Kind)
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
				bad(doc.Locate([]any{"waivers", i, "expires"}), w.Org, "waiver of %s for %s: expiry %q is not a date", w.Rule, w.Org, str("expires"))
				continue
			}
			w.Expires = exp
			if exp.Before(day) {
				bad(doc.Locate([]any{"waivers", i, "expires"}), w.Org,
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

// Apply marks findings explained (warnings their organisations' plans
// explain, see NeedsAgreement) or waived (any finding matching a waiver). It
// returns the findings with statuses set; none is removed. A warning that
// some but not all of its organisations explain stays open, with a reason
// such as "explained by RTK; awaiting 09Y: <text>".
func Apply(findings []finding.Finding, set *plan.Set, waivers []Waiver) []finding.Finding {
	yearOf := years(set)
	out := slices.Clone(findings)
	for i := range out {
		f := &out[i]
		year := yearOf(*f)
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
		f.Status, f.Reason = explain(*f, set, year)
	}
	return out
}

// years returns a function giving the financial year a finding belongs to:
// that of the plan file it (or one of its other sides) is placed in, else
// the year a file's path names (a register finding sits in
// policy/register/2019-20.cue), else the only year of the set.
func years(set *plan.Set) func(finding.Finding) string {
	byFile := map[string]string{}
	for _, d := range set.Documents {
		if d.Year != "" {
			byFile[d.File] = d.Year
		}
	}
	only := ""
	if ys := set.Years(); len(ys) == 1 {
		only = ys[0]
	}
	return func(f finding.Finding) string {
		locs := append([]finding.Location{f.Location}, f.Related...)
		for _, l := range locs {
			if y := byFile[l.File]; y != "" {
				return y
			}
		}
		for _, l := range locs {
			if y := plan.FileYear(l.File); y != "" {
				return y
			}
		}
		return only
	}
}

// NeedsAgreement reports whether a finding can be explained only by every
// organisation it involves: any finding naming two or more organisations,
// such as a misalignment (A01-A04), income from a commissioner that does not
// follow activity (R01), or a system or national roll-up. One side alone
// cannot explain away what the other side also signs. A finding about one
// organisation is explained by its own plan.
func NeedsAgreement(f finding.Finding) bool {
	return len(parties(f)) >= 2
}

// parties lists a finding's organisations once each, primary first.
func parties(f finding.Finding) []string {
	if len(f.Orgs) == 0 {
		if f.Org == "" {
			return nil
		}
		return []string{f.Org}
	}
	var out []string
	for _, o := range f.Orgs {
		if o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// explanation is one entry of a plan's explanations list (schema
// #Explanation). A plan's data is the file alone, so acknowledge is false
// unless written.
type explanation struct {
	Rule         string `json:"rule"`
	Month        int    `json:"month"`
	Counterparty string `json:"counterparty"`
	Text         string `json:"text"`
	Acknowledge  bool   `json:"acknowledge"`
}

// explanations decodes a plan's explanations. An entry that does not
// decode can only be in a plan that failed the schema, whose findings are
// held back anyway; it is skipped rather than trusted.
func explanations(d *plan.Document) []explanation {
	if d == nil {
		return nil
	}
	list, _ := d.Data["explanations"].([]any)
	out := make([]explanation, 0, len(list))
	for _, raw := range list {
		b, err := json.Marshal(raw)
		if err != nil {
			continue
		}
		var e explanation
		if err := json.Unmarshal(b, &e); err != nil {
			continue
		}
		out = append(out, e)
	}
	return out
}

// stance is what one organisation's plan says about a finding: it explains
// it (text is the explanation) or acknowledges the other side's
// explanation (text is an optional note).
type stance struct {
	explains, acknowledges bool
	text                   string
}

// stanceOf reads a plan for an entry about f: an explanation wins over an
// acknowledgement. A counterparty, when named, must be one of others; an
// acknowledgement must name one. When oneSided, any entry with text
// explains, as plans wrote them before acknowledgements existed.
func stanceOf(d *plan.Document, f finding.Finding, others []string, oneSided bool) stance {
	var st stance
	for _, e := range explanations(d) {
		if e.Rule != f.Rule || (e.Month != 0 && e.Month != f.Month) ||
			(e.Counterparty != "" && !slices.Contains(others, e.Counterparty)) {
			continue
		}
		hasText := strings.TrimSpace(e.Text) != ""
		switch {
		case hasText && (!e.Acknowledge || oneSided):
			return stance{explains: true, text: e.Text}
		case e.Acknowledge && e.Counterparty != "" && !st.acknowledges:
			st = stance{acknowledges: true, text: e.Text}
		}
	}
	return st
}

// explain decides whether a warning is explained, and says why (or what it
// still awaits) in a reason.
func explain(f finding.Finding, set *plan.Set, year string) (finding.Status, string) {
	orgs := parties(f)
	if !NeedsAgreement(f) {
		for _, org := range orgs {
			if st := stanceOf(set.Doc(year, org), f, orgs, true); st.explains {
				return finding.Explained, fmt.Sprintf("explained by %s: %s", org, st.text)
			}
		}
		return finding.Open, ""
	}
	var (
		explainers, texts, acks, missing []string // texts[i] is explainers[i]'s
		noted                            bool     // an acknowledgement has a note
		ackNotes                         []string // "09Y" or "09Y: note"
	)
	for _, org := range orgs {
		others := slices.DeleteFunc(slices.Clone(orgs), func(o string) bool { return o == org })
		st := stanceOf(set.Doc(year, org), f, others, false)
		switch {
		case st.explains:
			explainers = append(explainers, org)
			texts = append(texts, clause(st.text))
		case st.acknowledges:
			acks = append(acks, org)
			note := org
			if strings.TrimSpace(st.text) != "" {
				note, noted = org+": "+clause(st.text), true
			}
			ackNotes = append(ackNotes, note)
		default:
			missing = append(missing, org)
		}
	}
	said := make([]string, len(texts))
	for i, t := range texts {
		said[i] = explainers[i] + ": " + t
	}
	if len(explainers) > 0 && len(missing) == 0 {
		reason := "explained by " + strings.Join(said, "; ")
		if len(acks) > 0 {
			sep := ", "
			if noted {
				sep = "; "
			}
			reason += "; acknowledged by " + strings.Join(ackNotes, sep)
		}
		return finding.Explained, reason
	}
	if len(explainers)+len(acks) == 0 {
		return finding.Open, ""
	}
	// Open: who has agreed and whom it awaits come first, so the reader
	// sees why it still blocks before the explanation itself.
	var parts []string
	if len(explainers) > 0 {
		parts = append(parts, "explained by "+strings.Join(explainers, ", "))
	}
	if len(acks) > 0 {
		parts = append(parts, "acknowledged by "+strings.Join(acks, ", "))
	}
	if len(missing) > 0 {
		parts = append(parts, "awaiting "+strings.Join(missing, ", "))
	} else {
		parts = append(parts, "awaiting an explanation (an acknowledgement alone does not explain it)")
	}
	reason := strings.Join(parts, "; ")
	switch len(texts) {
	case 0:
	case 1:
		reason += ": " + texts[0]
	default:
		reason += ": " + strings.Join(said, "; ")
	}
	return finding.Open, reason
}

// clause trims a sentence's closing full stop, so explanations joined with
// "; " do not read ".;".
func clause(text string) string {
	return strings.TrimRight(strings.TrimSpace(text), ".")
}
