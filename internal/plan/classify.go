package plan

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var monthNames = [12]string{"April", "May", "June", "July", "August", "September",
	"October", "November", "December", "January", "February", "March"}

// codeKeyed lists the maps keyed by an organisation code, and the kind of
// organisation each key must be.
var codeKeyed = []struct {
	prefix []string
	what   string
}{
	{[]string{"activity"}, "commissioner"},
	{[]string{"finance", "income", "by_commissioner"}, "commissioner"},
	{[]string{"contracts"}, "trust"},
	{[]string{"prior_year", "activity"}, "organisation"},
	{[]string{"organisations"}, "organisation"},
}

var codeHelp = map[string]string{
	"trust":        "a trust code is R followed by 2 letters or digits, e.g. RTK",
	"commissioner": "a CCG code is 3 characters such as 09N, or 5 such as X2C4Y",
	"system":       "a system code is Q followed by 2 letters or digits, e.g. QXU",
	"organisation": "ODS codes look like RTK (trust), 09N (CCG) or QXU (system)",
}

var outOfBound = regexp.MustCompile(`^invalid value (.*) \(out of bound =~`)

// classify turns a CUE validation error into a catalogue rule, a position in
// the data file and a message a planning lead can act on.
func classify(d *Document, e *verr) (string, position, string) {
	p := e.path
	pos, ok := d.positions()[pathKey(p)]
	if !ok {
		n := len(p)
		for n > 0 && !ok {
			n--
			pos, ok = d.positions()[pathKey(p[:n])]
		}
		missing := p[:min(n+1, len(p))]
		e.path = missing
		return "S03", pos, fmt.Sprintf("%s is missing: a %s must have it", DisplayPath(missing), kindNoun(d.Kind))
	}
	disp := DisplayPath(p)
	last := ""
	if len(p) > 0 {
		last = p[len(p)-1]
	}
	switch {
	case strings.Contains(e.msg, "field not allowed"):
		for _, ck := range codeKeyed {
			if len(p) == len(ck.prefix)+1 && hasPrefix(p, ck.prefix) {
				return "S01", pos, fmt.Sprintf("%s: %q is not a valid ODS code here: %s", DisplayPath(ck.prefix), last, codeHelp[ck.what])
			}
		}
		return "S03", pos, fmt.Sprintf("field %q is not in the schema for a %s plan at %s (misspelt?)", last, d.Kind, disp)
	case strings.Contains(e.msg, "incompatible list lengths"):
		return "S02", pos, fmt.Sprintf("%s has %d monthly values; a plan year has exactly 12 (M1 April .. M12 March)", disp, d.count(p))
	case len(p) == 1 && last == "year":
		return "S02", pos, fmt.Sprintf("year %q is not a financial year: write two consecutive years as YYYY/YY, e.g. \"2019/20\"", d.Year)
	case outOfBound.MatchString(e.msg) && (last == "org" || last == "system" || (len(p) == 2 && p[0] == "members")):
		v := outOfBound.FindStringSubmatch(e.msg)[1]
		what := map[string]string{"provider": "trust", "commissioner": "commissioner", "system": "system"}[d.Kind]
		if last == "system" {
			what = "system"
		}
		if p[0] == "members" {
			what = "organisation"
		}
		return "S01", pos, fmt.Sprintf("%s %s is not a valid ODS code: %s", disp, v, codeHelp[cmpOr(what, "organisation")])
	}
	msg := disp + ": " + e.msg
	if len(p) >= 2 && p[len(p)-2] == "months" {
		if i, err := strconv.Atoi(last); err == nil && i >= 0 && i < 12 {
			msg += fmt.Sprintf(" (M%d, %s)", i+1, monthNames[i])
		}
	}
	return "S03", pos, msg
}

// kindNoun names a document of a kind the way its readers do.
func kindNoun(kind string) string {
	switch kind {
	case "provider", "commissioner":
		return kind + " plan"
	case "system":
		return "system file"
	case "organisations":
		return "organisation reference list"
	case "waivers":
		return "waiver file"
	case "register":
		return "regulator register"
	}
	return kind + " file"
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func hasPrefix(p, prefix []string) bool {
	if len(p) < len(prefix) {
		return false
	}
	for i := range prefix {
		if p[i] != prefix[i] {
			return false
		}
	}
	return true
}

// count returns how many list elements the file has at path p.
func (d *Document) count(p []string) int {
	n := 0
	for d.Has(append(append([]string(nil), p...), strconv.Itoa(n))) {
		n++
	}
	return n
}
