package codeowners

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hmarr/codeowners"
)

// Binding is what a repository's CODEOWNERS must say for plans to be bound
// to their owners: a path rule (plan.PlanPath) puts each organisation's plan
// at one path, and only a line of the organisation's own at that path makes
// a change there need the organisation's approval.
type Binding struct {
	// Plans are the paths each organisation's plans must have, one per
	// organisation and year checked. Each must be owned by a line that owns
	// no other organisation's plan and names a team not in Shared.
	Plans []Plan
	// Files are the other paths under plans/ (the reference list, notes,
	// anything a pull request might add). Like Plans, each must be owned by
	// a line written for plans/, never by a catch-all such as `*`.
	Files []string
	// Shared are the owners who act for every organisation (the tool's
	// maintainers, the regulators): their approval never stands for one
	// organisation's.
	Shared []string
	// Guarded are paths that need every one of Required named on the line
	// that owns them: the tool's code and workflows, which decide what a
	// submission is.
	Guarded  []string
	Required []string
}

// Plan is where one organisation's plan for one year must be filed.
type Plan struct {
	Org  string // ODS code, e.g. RTK
	Path string // e.g. plans/2019-20/providers/rtk.cue
}

// plansRoot is the pattern prefix of a line written for plans/: anchored at
// the repository root, so it cannot also match files elsewhere.
const plansRoot = "/plans/"

// Check returns every way o fails b, one sentence each saying what to
// change, in a stable order; none when CODEOWNERS binds every plan.
func (o *Owners) Check(b Binding) []string {
	// Matching is a scan of every line, so each path is matched once.
	cache := map[string]*codeowners.Rule{}
	rule := func(path string) *codeowners.Rule {
		r, ok := cache[path]
		if !ok {
			r = o.rule(path)
			cache[path] = r
		}
		return r
	}
	out, unbound := checkPlansLines(b, rule)
	out = append(out, checkOwnLines(b, rule, unbound)...)
	return append(out, checkGuarded(b, rule)...)
}

// matcher gives the line that owns a path, or nil.
type matcher func(path string) *codeowners.Rule

// checkPlansLines finds the paths under plans/ owned by no line, by a line
// not written for plans/ (a catch-all), or by a line naming no owners. It
// returns them as well, so they are not reported again as an
// organisation's.
func checkPlansLines(b Binding, match matcher) (out []string, unbound map[string]bool) {
	unbound = map[string]bool{}
	paths := make([]string, 0, len(b.Plans)+len(b.Files))
	for _, p := range b.Plans {
		paths = append(paths, p.Path)
	}
	paths = append(paths, b.Files...)
	slices.Sort(paths)
	for _, p := range slices.Compact(paths) {
		rule := match(p)
		switch {
		case rule == nil:
			out = append(out, fmt.Sprintf("%s: no CODEOWNERS line covers it, so a change there needs nobody's approval", p))
		case !forPlans(rule):
			out = append(out, fmt.Sprintf("%s falls through to line %d (%s %s), which is not a line for plans/: add a %s... line for it", p, rule.LineNumber, rule.RawPattern(), owners(rule), plansRoot))
		case len(rule.Owners) == 0:
			out = append(out, fmt.Sprintf("%s: line %d (%s) names no owners, so a change there needs nobody's approval", p, rule.LineNumber, rule.RawPattern()))
		default:
			continue
		}
		unbound[p] = true
	}
	return out, unbound
}

// checkOwnLines finds the organisations whose plans are owned by a line
// that owns other organisations' plans too, or names no team but shared
// ones: one problem per organisation and line, since the years checked
// share a line.
func checkOwnLines(b Binding, match matcher, unbound map[string]bool) []string {
	// Each plan path is matched once; the organisations a line owns plans
	// of tell whether it is one organisation's own.
	ruleOf := make(map[string]*codeowners.Rule, len(b.Plans))
	orgsOf := map[*codeowners.Rule][]string{}
	for _, p := range b.Plans {
		rule := match(p.Path)
		ruleOf[p.Path] = rule
		if !slices.Contains(orgsOf[rule], p.Org) {
			orgsOf[rule] = append(orgsOf[rule], p.Org)
		}
	}
	type orgLine struct {
		org  string
		rule *codeowners.Rule
	}
	var out []string
	reported := map[orgLine]bool{}
	for _, p := range b.Plans {
		rule := ruleOf[p.Path]
		if unbound[p.Path] || reported[orgLine{p.Org, rule}] {
			continue
		}
		others := slices.DeleteFunc(slices.Clone(orgsOf[rule]), func(org string) bool { return org == p.Org })
		line := fmt.Sprintf("line %d (%s %s)", rule.LineNumber, rule.RawPattern(), owners(rule))
		switch {
		case len(others) > 0:
			out = append(out, fmt.Sprintf("%s's plan %s is owned by %s, which also owns the plans of %s: add a line of %s's own after it, %s", p.Org, p.Path, line, strings.Join(others, ", "), p.Org, suggest(p)))
		case !ownTeam(rule, b.Shared):
			out = append(out, fmt.Sprintf("%s's plan %s is owned by %s, which names no team of %s's own: add %s", p.Org, p.Path, line, p.Org, suggest(p)))
		default:
			continue
		}
		reported[orgLine{p.Org, rule}] = true
	}
	return out
}

// checkGuarded finds the tool's files owned without every one of
// b.Required. They are many: one problem per line that owns some of them
// without a required owner, with a few of the files as examples.
func checkGuarded(b Binding, match matcher) []string {
	type short struct {
		rule    *codeowners.Rule
		missing string
	}
	var order []short
	files := map[short][]string{}
	for _, p := range b.Guarded {
		rule := match(p)
		var missing []string
		for _, want := range b.Required {
			if rule == nil || !slices.ContainsFunc(rule.Owners, func(o codeowners.Owner) bool { return o.String() == want }) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 {
			continue
		}
		k := short{rule, strings.Join(missing, " and ")}
		if _, seen := files[k]; !seen {
			order = append(order, k)
		}
		files[k] = append(files[k], p)
	}
	var out []string
	for _, k := range order {
		where := "no line"
		if k.rule != nil {
			where = fmt.Sprintf("line %d (%s %s)", k.rule.LineNumber, k.rule.RawPattern(), owners(k.rule))
		}
		out = append(out, fmt.Sprintf("the tool's code and workflows (%s) are owned by %s without %s: they decide what a submission is, so they need %s", examples(files[k]), where, k.missing, strings.Join(b.Required, " and ")))
	}
	return out
}

// shownExamples bounds the paths a problem lists, so a line that owns the
// whole tool gives one readable sentence.
const shownExamples = 3

// examples names paths, the first few in full: "a, b, c and 9 more files".
func examples(paths []string) string {
	if len(paths) <= shownExamples {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more files", strings.Join(paths[:shownExamples], ", "), len(paths)-shownExamples)
}

// rule is the line that owns path (the last that matches, as on GitHub),
// or nil.
func (o *Owners) rule(path string) *codeowners.Rule {
	if r, ok := o.matched.Load(path); ok {
		return r.(*codeowners.Rule)
	}
	rule, err := o.rules.Match(strings.TrimPrefix(path, "/"))
	if err != nil {
		// The library compiles patterns while parsing; matching a compiled
		// pattern cannot fail, so err is always nil here.
		rule = nil
	}
	o.matched.Store(path, rule)
	return rule
}

// forPlans reports whether a line is written for plans/: anchored there, so
// it is not a catch-all that also owns the tool or the rules.
func forPlans(r *codeowners.Rule) bool {
	return strings.HasPrefix(r.RawPattern()+"/", plansRoot)
}

// ownTeam reports whether a line names a team outside shared.
func ownTeam(r *codeowners.Rule, shared []string) bool {
	return slices.ContainsFunc(r.Owners, func(o codeowners.Owner) bool {
		return o.Type == codeowners.TeamOwner && !slices.Contains(shared, o.String())
	})
}

func owners(r *codeowners.Rule) string {
	if len(r.Owners) == 0 {
		return "no owners"
	}
	s := make([]string, len(r.Owners))
	for i, o := range r.Owners {
		s[i] = o.String()
	}
	return strings.Join(s, " ")
}

// suggest is the line that binds p for every year, in the form the
// repository's CODEOWNERS uses: plans/2019-20/providers/rtk.cue ->
// /plans/**/providers/rtk.cue.
func suggest(p Plan) string {
	pattern := "/" + p.Path
	if parts := strings.SplitN(p.Path, "/", 3); len(parts) == 3 {
		pattern = plansRoot + "**/" + parts[2]
	}
	return fmt.Sprintf("`%s @<org>/<%s's team>`", pattern, p.Org)
}
