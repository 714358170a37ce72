package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cuelang.org/go/cue/scanner"
	"cuelang.org/go/cue/token"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// A plan file is written by the people the checker judges, so it is bounded
// on its tokens before anything super-linear sees it. CUE's resolver recurses
// once per level of nesting (a 1 MiB file of shorthand labels, a: a: a: ...,
// overflowed the stack), its evaluator is quadratic in the length of a list
// and in the fields of a struct, the parser collects errors quadratically
// (cue/errors.Append), and OPA formats a 450,000-digit number for minutes.
// Every cap below leaves wide headroom over the largest real file: the
// national organisation reference list or register, or a large trust's plan.
// A file over a cap gets an S00 finding that names the cap and where it was
// passed, and is never evaluated; past a cap on its shape (nesting, lists,
// fields, values, tokens) it is not even parsed. The size limit is
// DefaultMaxFileSize and the time limit DefaultFileDeadline.
const (
	// maxDepth bounds how deeply a plan file nests, counting each field
	// label (shorthand a: b: c: is three levels) and each list, as in the
	// path to a value (and any other bracket). Real plans nest about six
	// levels (activity."09N".elective.months[3]).
	maxDepth = 24

	// maxListLen bounds the elements of one list. Monthly lists have 12;
	// the longest lists a plan has (CIP schemes, explanations, a system's
	// members, waivers) run to tens, rarely a hundred or two. Evaluating a
	// list is quadratic in its length: 1,000 elements take about 30 ms,
	// 20,000 over a second.
	maxListLen = 1000

	// maxStructFields bounds the fields of one struct. The largest real
	// struct is the organisation reference list: about 450 organisations
	// nationally (trusts, CCGs, systems), the register's providers about
	// 220. Unknown organisation codes in a plan cost about 0.6 s per 1,000
	// and grow quadratically, so the cap is also what keeps such a file well
	// inside the file deadline.
	maxStructFields = 1000

	// maxValues bounds the fields and list elements in one file. A trust's
	// plan has about 1,200; the national reference list and a national
	// register under 3,000 each. Checking 50,000 takes about 0.3 s, a
	// sixth of the file deadline.
	maxValues = 50_000

	// maxValueTokens bounds the tokens of one value. Plan data needs two
	// at most (-1); a longer value is an expression, which the inspector
	// refuses in words, but a chain of operators, selectors or indexes
	// (a.a.a... or 1+1+1...) nests the syntax tree as deeply as it is long.
	maxValueTokens = 24

	// maxDigits bounds the digits of a number, not counting leading zeros.
	// Money is in £000: the whole NHS budget is nine digits. Fifteen
	// significant digits are what a float64 keeps exactly, and a number
	// of 450,000 digits made OPA spend minutes formatting it.
	maxDigits = 15

	// maxErrors bounds the findings reported for one file; the rest are
	// counted in a last finding. A file with more problems than this needs
	// fixing from the top; listing every one of a million syntax errors
	// is quadratic in CUE and useless to a reader.
	maxErrors = 100
)

// frame is one open bracket (or the file itself) during the pre-scan.
type frame struct {
	close  token.Token // RBRACE, RBRACK or RPAREN; ILLEGAL for the file
	interp bool        // the parenthesis of a string interpolation
	level  int         // nesting the bracket adds itself: 0 or 1
	labels int         // field labels of the current element (a: b: c: is 3)
	tokens int         // tokens of the current element's value
	elems  int         // fields or list elements so far
	inElem bool        // inside an element: a comma ends it
}

// scanned is what the pre-scan found. capped is a cap the file passed: it
// must not be parsed. numbers are number literals plan data must not hold
// (exponent notation, too many digits): the file is parsed, to report what
// else is wrong, but never evaluated. lexical are the lexical errors; when
// there are more than maxErrors, the file is refused, as the parser would
// collect them all quadratically. Of each, one more than maxErrors is kept,
// so the count of the rest can stand where the first of them is.
type scanned struct {
	capped   *problem
	numbers  []problem
	nNumbers int
	lexical  []problem
	nLexical int
}

// prescan reads the tokens of src once, in time and memory linear in its
// size, and checks them against the caps.
func prescan(name string, src []byte) scanned {
	var out scanned
	var sc scanner.Scanner
	sc.Init(token.NewFile(name, -1, len(src)), src, func(pos token.Pos, msg string, args []any) {
		out.nLexical++
		if len(out.lexical) <= maxErrors {
			out.lexical = append(out.lexical, problem{pos, "not valid CUE: " + fmt.Sprintf(msg, args...)})
		}
	}, 0)
	stack := []*frame{{close: token.ILLEGAL}}
	// depth is the labels and bracket levels open: the length of the path
	// to a value, when the file is data.
	depth, values := 0, 0
	var (
		prev          token.Token
		prevPos       token.Pos
		pendingInterp bool
		// interps counts the interpolations the scanner has open.
		interps int
	)
	capped := func(pos token.Pos, format string, args ...any) scanned {
		out.capped = &problem{pos, fmt.Sprintf(format, args...)}
		return out
	}
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			return out
		}
		top := stack[len(stack)-1]
		switch {
		case tok == token.COMMA:
			depth -= top.labels
			top.labels, top.tokens, top.inElem = 0, 0, false
			prev, prevPos = tok, pos
			continue
		case tok == top.close && len(stack) > 1:
			depth -= top.labels + top.level
			stack = stack[:len(stack)-1]
			if top.interp && interps > 0 {
				// The rest of the string is not a token; the parser
				// resumes it the same way after the closing parenthesis.
				// The scanner resumes the innermost interpolation it
				// opened, and panics when none is open, so it is only
				// asked while one is. A segment that ends in "(" opened
				// another, unless the string ran out unterminated (an
				// error): then it opened none.
				errs := out.nLexical
				seg := sc.ResumeInterpolation()
				interps--
				if pendingInterp = strings.HasSuffix(seg, "(") && out.nLexical == errs; pendingInterp {
					interps++
				}
			}
			prev, prevPos = tok, pos
			continue
		}
		startsElem := !top.inElem
		if startsElem && top.close != token.RPAREN {
			top.inElem = true
			top.elems++
			limit, what := maxStructFields, "fields in one struct"
			if top.close == token.RBRACK {
				limit, what = maxListLen, "elements in one list"
				values++
			}
			if top.elems > limit {
				return capped(pos, "more than %d %s: a plan never needs so many (the limits are listed in README.md)", limit, what)
			}
		}
		switch tok {
		case token.COLON:
			top.labels++
			top.tokens = 0
			depth++
			values++
			if depth > maxDepth {
				return capped(prevPos, "values nested more than %d levels deep are not plan data", maxDepth)
			}
		case token.LBRACE, token.LBRACK, token.LPAREN:
			top.tokens++
			f := &frame{close: closing(tok), level: 1}
			// A struct that is a field's value or a list element is one
			// level with its label or index, as in the path to a value.
			if tok == token.LBRACE && (prev == token.COLON || startsElem && top.close == token.RBRACK) {
				f.level = 0
			}
			if tok == token.LPAREN && pendingInterp {
				f.interp, pendingInterp = true, false
			}
			depth += f.level
			if depth > maxDepth {
				return capped(pos, "values nested more than %d levels deep are not plan data", maxDepth)
			}
			stack = append(stack, f)
		case token.INTERPOLATION:
			top.tokens++
			pendingInterp = true
			interps++ // the scanner opened an interpolation
		case token.INT, token.FLOAT:
			top.tokens++
			if msg := numberProblem(lit); msg != "" {
				out.nNumbers++
				if len(out.numbers) <= maxErrors {
					out.numbers = append(out.numbers, problem{pos, msg})
				}
			}
		default:
			top.tokens++
		}
		if top.tokens > maxValueTokens {
			return capped(pos, "expressions are not allowed in plan files; write the value itself (this one runs to more than %d tokens)", maxValueTokens)
		}
		if values > maxValues {
			return capped(pos, "more than %d fields and list elements in one file: a plan never needs so many (the limits are listed in README.md)", maxValues)
		}
		prev, prevPos = tok, pos
	}
}

func closing(open token.Token) token.Token {
	switch open {
	case token.LBRACE:
		return token.RBRACE
	case token.LBRACK:
		return token.RBRACK
	}
	return token.RPAREN
}

// numberProblem says what is wrong with a number literal in plan data, or
// "". CUE exports 5600e100000 as 5600 and 1e-999999999 as 1, so plan data
// holds decimal numbers written out in full and nothing else.
func numberProblem(lit string) string {
	shown := abbrev(lit)
	switch {
	case len(lit) > 1 && lit[0] == '0' && strings.ContainsRune("xXbo", rune(lit[1])):
		return fmt.Sprintf("number %s is not decimal: write plan figures as decimal numbers", shown)
	case strings.ContainsAny(lit, "eE"):
		return fmt.Sprintf("number %s uses exponent notation, which plan data must not: write the number out in full (5600, not 5.6e3)", shown)
	case strings.ContainsAny(lit, "KMGTPi"):
		return fmt.Sprintf("number %s uses a multiplier, which plan data must not: write the number out in full (5600, not 5.6K)", shown)
	}
	digits, significant := 0, false
	for _, r := range lit {
		switch {
		case r == '.':
			// Zeros after the point are digits of the figure ("0.001"
			// has three); leading zeros before it are not.
			significant = true
		case r >= '1' && r <= '9', r == '0' && significant:
			significant = true
			digits++
		}
	}
	if digits > maxDigits {
		return fmt.Sprintf("number %s has %d digits; a plan figure has at most %d (money is in £000): round it", shown, digits, maxDigits)
	}
	return ""
}

// abbrev shortens a literal for a message: a hostile one may be a megabyte.
func abbrev(lit string) string {
	const keep = 24
	if len(lit) <= keep {
		return lit
	}
	return lit[:keep] + "…"
}

// limitFindings keeps at most maxErrors findings for each file, the first by
// position, and adds one that says how many more there were, where the
// first of them is. omitted counts, by file, problems found but never made
// findings. Findings that name no file are all kept.
func limitFindings(fs []finding.Finding, omitted map[string]int) []finding.Finding {
	count := map[string]int{}
	for _, f := range fs {
		count[f.File]++
	}
	for file, n := range omitted {
		count[file] += n
	}
	over := false
	for file, n := range count {
		over = over || file != "" && n > maxErrors
	}
	if !over {
		return fs
	}
	sorted := slices.Clone(fs)
	finding.Sort(sorted)
	out := make([]finding.Finding, 0, len(sorted))
	kept := map[string]int{}
	last := map[string]finding.Finding{}
	noted := map[string]bool{}
	for _, f := range sorted {
		n := count[f.File]
		switch {
		case f.File == "" || n <= maxErrors || kept[f.File] < maxErrors:
			kept[f.File]++
			last[f.File] = f
			out = append(out, f)
		case !noted[f.File]:
			noted[f.File] = true
			out = append(out, moreNote(f, n))
		}
	}
	// Files whose unlisted problems were only counted: the note follows
	// the last one listed.
	for _, file := range slices.Sorted(maps.Keys(last)) {
		if n := count[file]; file != "" && n > maxErrors && !noted[file] {
			out = append(out, moreNote(last[file], n))
		}
	}
	return out
}

// moreNote is the finding in place of a file's unlisted problems, at f's
// place and for f's organisations; n counts all the file's problems.
func moreNote(f finding.Finding, n int) finding.Finding {
	f.Rule, f.Severity, f.Path, f.Title, f.Category = "S00", finding.Error, "", "", ""
	f.Message = fmt.Sprintf("… and %d more problems in this file, not listed: at most %d are reported for one file", n-maxErrors, maxErrors)
	return f
}
