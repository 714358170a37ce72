// Package policy evaluates the Rego policies under policy/ over a loaded plan
// set and turns what they report into findings placed on plan lines. The
// rule catalogue comes from the policies' own METADATA, so a rule is
// documented in exactly one place.
package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/panics"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/register"
)

// Dir is where policies live in a repository.
const Dir = "policy"

// entrypoint is the single query: the union of every rule's findings.
const entrypoint = "data.triangulate.main.findings"

// unionSource is the entrypoint as the repository defines it: the union of
// data.triangulate.rules[id].findings over every id. While policy/main is
// exactly this, the engine may evaluate the rules one query per rule, in
// parallel, and take the union itself; any other entrypoint (a pull request
// may propose one) is evaluated as written, in one query.
const unionSource = `package triangulate.main

findings contains f if {
	some id
	some f in data.triangulate.rules[id].findings
}
`

// allowedBuiltins are the only built-in functions a policy may call: pure
// functions of their arguments that a rule about plan figures could use.
// Policies judge plans only, and a pull request's proposed policies are
// evaluated too (for the impact report), so the list is an allowlist: a
// built-in added by a newer OPA stays refused until someone reads what it
// does and adds it here. Left out on purpose: anything that reaches the
// network or the host (http.send, net.*, opa.runtime, json.match_schema and
// json.verify_schema, which follow $ref to http:// and file://), anything
// that depends on the clock, the time zone files or randomness (time.*,
// rand.*, uuid.rfc4122, io.jwt.*, crypto.x509.*, providers.aws.sign_req),
// trace and rego.parse_module, parsers no plan rule needs (graphql.*,
// crypto.parse_private_keys), the test runner's internal.test_case, and
// deprecated built-ins (which opa check --strict refuses anyway).
var allowedBuiltins = strings.Fields(`
	eq assign equal neq gt gte lt lte plus minus mul div rem and or
	internal.member_2 internal.member_3 internal.print internal.template_string print
	abs ceil floor round to_number format_int numbers.range numbers.range_step
	bits.and bits.lsh bits.negate bits.or bits.rsh bits.xor
	count sum product max min sort
	array.concat array.flatten array.reverse array.slice intersection union
	object.filter object.get object.keys object.remove object.subset object.union object.union_n
	json.filter json.patch json.remove
	concat contains endswith indexof indexof_n lower replace split sprintf startswith substring upper
	trim trim_left trim_prefix trim_right trim_space trim_suffix
	strings.any_prefix_match strings.any_suffix_match strings.count strings.render_template
	strings.replace_n strings.reverse strings.split_n
	regex.find_all_string_submatch_n regex.find_n regex.globs_match regex.is_valid regex.match
	regex.replace regex.split regex.template_match glob.match glob.quote_meta
	is_array is_boolean is_null is_number is_object is_set is_string type_name
	base64.decode base64.encode base64.is_valid base64url.decode base64url.encode base64url.encode_no_pad
	hex.decode hex.encode json.is_valid json.marshal json.marshal_with_options json.unmarshal
	yaml.is_valid yaml.marshal yaml.unmarshal
	urlquery.decode urlquery.decode_object urlquery.encode urlquery.encode_object uri.is_valid uri.parse
	crypto.md5 crypto.sha1 crypto.sha256
	crypto.hmac.equal crypto.hmac.md5 crypto.hmac.sha1 crypto.hmac.sha256 crypto.hmac.sha512
	units.parse units.parse_bytes semver.compare semver.is_valid uuid.parse
	graph.reachable graph.reachable_paths walk rego.metadata.chain rego.metadata.rule
`)

// Capabilities are what every policy set is compiled and evaluated with,
// the base's and a pull request's alike: this OPA version's language
// features, only the allowed built-ins, and no network host at all.
func Capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	allowed := make(map[string]bool, len(allowedBuiltins))
	for _, name := range allowedBuiltins {
		allowed[name] = true
	}
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool { return !allowed[b.Name] })
	// An empty list allows no host; nil would allow every host.
	c.AllowNet = []string{}
	return c
}

// perRuleMinPlans is the smallest plan set whose rules are evaluated side by
// side. Below it one query is quicker: each query has its own set-up and
// works out the shared helpers again, which a few plans do not repay.
const perRuleMinPlans = 64

// Engine is a prepared policy set.
type Engine struct {
	query rego.PreparedEvalQuery
	// perRule holds one query per rule package, data.triangulate.rules[id].findings,
	// when the entrypoint is their plain union (see unionSource); nil otherwise.
	perRule []rego.PreparedEvalQuery
	// ids are the rule packages' names (data.triangulate.rules[id]), in
	// perRule's order; reach is what each package's findings read
	// (custom.reads), and pkgOf the package that declares each rule id.
	ids   []string
	reach map[string]Reach
	pkgOf map[string]string
	// groups are perRule's indexes by the reach of their package, set
	// when every package has one (see EvaluateChange).
	groups map[Reach][]int
	// fields are what each rule reads of a plan (custom.plan_fields),
	// for the rules that declare it; allFields their union over the
	// rules that read every plan, nil unless all of those declare it.
	fields    map[string][][]string
	allFields [][]string
	// perRuleMinPlans is perRuleMinPlans, a field so tests can lower it.
	perRuleMinPlans int
	rules           []finding.Rule
	byID            map[string]finding.Rule
	// newQuery prepares another query over the same compiled policies and
	// data (see Occupancy).
	newQuery func(ctx context.Context, query string) (rego.PreparedEvalQuery, error)
}

// Load compiles every non-test .rego file under policy/ in fsys, with
// policy/data.json as data.
func Load(ctx context.Context, fsys fs.FS) (*Engine, error) {
	src, err := Read(fsys)
	if err != nil {
		return nil, err
	}
	return src.Compile(ctx)
}

// Sources are the policies' files as Read found them: what Compile
// compiles, without the file system they came from.
type Sources struct {
	names []string
	files map[string][]byte
	// data is policy/data.json; nil when there is none.
	data []byte
}

// Read reads the policies' files from fsys: every non-test .rego file under
// policy/, and policy/data.json.
func Read(fsys fs.FS) (*Sources, error) {
	var names []string
	err := fs.WalkDir(fsys, Dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(name, ".rego") || strings.HasSuffix(name, "_test.rego") {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: policies must be regular files", name)
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read policies: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("read policies: no .rego files under %s/", Dir)
	}
	src := &Sources{names: names, files: map[string][]byte{}}
	for _, name := range names {
		if src.files[name], err = fs.ReadFile(fsys, name); err != nil {
			return nil, fmt.Errorf("read policies: %w", err)
		}
	}
	if raw, err := fs.ReadFile(fsys, path.Join(Dir, "data.json")); err == nil {
		src.data = raw
	}
	return src, nil
}

// Compile compiles the policies read. It touches no file system, so it may
// run while another goroutine reads the tree they came from.
func (src *Sources) Compile(ctx context.Context) (*Engine, error) {
	modules := map[string]*ast.Module{}
	for _, name := range src.names {
		m, err := ast.ParseModuleWithOpts(name, string(src.files[name]), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("parse policy: %w", err)
		}
		modules[name] = m
	}
	data := map[string]any{}
	if raw := src.data; raw != nil {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return nil, fmt.Errorf("read %s/data.json: %w", Dir, err)
		}
	}
	ids, separable := ruleIDs(modules, data)
	caps := Capabilities()
	compiler := ast.NewCompiler().WithCapabilities(caps)
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, fmt.Errorf("compile policies: %w", compiler.Errors)
	}
	store := inmem.NewFromObject(data)
	prepare := func(ctx context.Context, query ast.Body) (rego.PreparedEvalQuery, error) {
		return rego.New(
			rego.ParsedQuery(query),
			rego.Compiler(compiler),
			rego.Store(store),
			rego.Capabilities(caps),
			// A built-in that fails (a division by zero, a malformed number)
			// fails the evaluation instead of silently skipping the rule.
			rego.StrictBuiltinErrors(true),
		).PrepareForEval(ctx)
	}
	q, err := prepare(ctx, ast.MustParseBody(entrypoint))
	if err != nil {
		return nil, fmt.Errorf("prepare policies: %w", err)
	}
	newQuery := func(ctx context.Context, query string) (rego.PreparedEvalQuery, error) {
		body, err := ast.ParseBody(query)
		if err != nil {
			return rego.PreparedEvalQuery{}, err
		}
		return prepare(ctx, body)
	}
	e := &Engine{query: q, perRuleMinPlans: perRuleMinPlans, byID: map[string]finding.Rule{}, newQuery: newQuery,
		reach: map[string]Reach{}, pkgOf: map[string]string{}, fields: map[string][][]string{}}
	if separable {
		e.ids = ids
		for _, id := range ids {
			ref := ast.MustParseRef("data.triangulate.rules").Append(ast.StringTerm(id)).Append(ast.StringTerm("findings"))
			pq, err := prepare(ctx, ast.NewBody(ast.NewExpr(ast.NewTerm(ref))))
			if err != nil {
				return nil, fmt.Errorf("prepare policies: %w", err)
			}
			e.perRule = append(e.perRule, pq)
		}
	}
	for _, name := range src.names {
		r, ok, err := ruleOf(modules[name])
		if err != nil {
			return nil, fmt.Errorf("read metadata of %s: %w", name, err)
		}
		if !ok {
			continue
		}
		if prev, dup := e.byID[r.ID]; dup {
			return nil, fmt.Errorf("read metadata of %s: rule id %s already used (%s)", name, r.ID, prev.Title)
		}
		reach, err := reachOf(modules[name])
		if err != nil {
			return nil, fmt.Errorf("read metadata of %s: rule %s: %w", name, r.ID, err)
		}
		e.reach[r.ID] = reach
		fields, err := planFieldsOf(modules[name], reach)
		if err != nil {
			return nil, fmt.Errorf("read metadata of %s: rule %s: %w", name, r.ID, err)
		}
		if fields != nil {
			e.fields[r.ID] = fields
		}
		if p := modules[name].Package.Path; len(p) == 4 && p[:3].Equal(ast.MustParseRef("data.triangulate.rules")) {
			if id, ok := p[3].Value.(ast.String); ok {
				e.pkgOf[r.ID] = string(id)
			}
		}
		e.byID[r.ID] = r
		e.rules = append(e.rules, r)
	}
	sort.Slice(e.rules, func(i, j int) bool { return e.rules[i].ID < e.rules[j].ID })
	e.groups = e.reachGroups()
	e.allFields = e.allReadFields()
	return e, nil
}

// ruleIDs lists the ids under data.triangulate.rules, and whether the
// entrypoint may be evaluated as one query per id: only when policy/main is
// exactly unionSource, nothing else defines any part of data.triangulate.main,
// every rule under data.triangulate.rules lies inside one id's document
// (data.triangulate.rules.<id>.<name>...), and the base data adds nothing
// under either. Then the union of the per-id findings is, by construction,
// what the entrypoint would return.
func ruleIDs(modules map[string]*ast.Module, data map[string]any) ([]string, bool) {
	if t, ok := data["triangulate"].(map[string]any); ok {
		if _, ok := t["rules"]; ok {
			return nil, false
		}
		if _, ok := t["main"]; ok {
			return nil, false
		}
	}
	union := ast.MustParseModuleWithOpts(unionSource, ast.ParserOptions{RegoVersion: ast.RegoV1})
	mainRef := union.Package.Path
	rulesRef := ast.MustParseRef("data.triangulate.rules")
	seen := map[string]bool{}
	mains := 0
	for _, m := range modules {
		if m.Package.Path.Equal(mainRef) {
			mains++
			if len(m.Rules) != 1 || !m.Rules[0].Head.Equal(union.Rules[0].Head) || !m.Rules[0].Body.Equal(union.Rules[0].Body) || m.Rules[0].Else != nil {
				return nil, false
			}
			continue
		}
		for _, r := range m.Rules {
			ref := r.Ref().GroundPrefix()
			if overlaps(ref, mainRef) {
				return nil, false
			}
			if !overlaps(ref, rulesRef) {
				continue
			}
			if len(ref) < len(rulesRef)+2 {
				return nil, false
			}
			id, ok := ref[len(rulesRef)].Value.(ast.String)
			if !ok {
				return nil, false
			}
			seen[string(id)] = true
		}
	}
	if mains != 1 {
		return nil, false
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, true
}

// overlaps reports whether one ref is a prefix of the other.
func overlaps(a, b ast.Ref) bool {
	return a.HasPrefix(b) || b.HasPrefix(a)
}

// ruleOf reads a rule's catalogue entry from its package METADATA. Modules
// without a custom id (the library, the entrypoint) are not rules.
func ruleOf(m *ast.Module) (finding.Rule, bool, error) {
	for _, a := range m.Annotations {
		if a.Scope != "package" {
			continue
		}
		id, _ := a.Custom["id"].(string)
		if id == "" {
			continue
		}
		r := finding.Rule{ID: id, Title: a.Title, Description: strings.TrimSpace(a.Description)}
		r.Category, _ = a.Custom["category"].(string)
		sev, _ := a.Custom["severity"].(string)
		r.Severity = finding.Severity(sev)
		r.Rationale, _ = a.Custom["rationale"].(string)
		r.Rationale = strings.TrimSpace(r.Rationale)
		if r.Title == "" || r.Category == "" {
			return r, false, fmt.Errorf("rule %s needs a title and custom.category", id)
		}
		switch r.Severity {
		case finding.Error, finding.Warning, finding.Info:
		default:
			return r, false, fmt.Errorf("rule %s: custom.severity %q is not error, warning or info", id, sev)
		}
		return r, true, nil
	}
	return finding.Rule{}, false, nil
}

// Rules is the policy catalogue, ordered by id.
func (e *Engine) Rules() []finding.Rule { return e.rules }

// yearDocs picks each organisation's plan for one year; when a plan is
// duplicated (an S01 error) the first file wins, for evaluation and line
// mapping alike.
func yearDocs(set *plan.Set, year string) map[string]*plan.Document {
	docs := map[string]*plan.Document{}
	for _, d := range set.Documents {
		if _, dup := docs[d.Org]; d.Year == year && d.Org != "" && !dup {
			docs[d.Org] = d
		}
	}
	return docs
}

// input builds the document the policies read for one financial year: the
// plans, the system files, the reference list and the year's register.
func input(set *plan.Set, docs map[string]*plan.Document, reg map[string]any, year string) map[string]any {
	plans, systems, orgs := map[string]any{}, map[string]any{}, map[string]any{}
	for k, v := range referenceOrgs(set) {
		orgs[k] = v
	}
	for code, d := range docs {
		switch d.Kind {
		case "system":
			systems[code] = d.Data
		case "provider", "commissioner":
			plans[code] = d.Data
		}
	}
	return map[string]any{"year": year, "plans": plans, "systems": systems, "organisations": orgs, "register": reg}
}

// referenceOrgs is the reference list's organisations, by code. Only the one
// reference list counts: a stray list elsewhere is an S01 error and must not
// add organisations to what rules read.
func referenceOrgs(set *plan.Set) map[string]any {
	for _, d := range set.Documents {
		if o, ok := d.Data["organisations"].(map[string]any); ok && d.Kind == "organisations" && d.File == plan.ReferenceListFile {
			return o
		}
	}
	return nil
}

// Evaluate runs every rule over the plans of each year in the set, with that
// year's register. Findings about an organisation whose plan failed the
// schema are dropped: its data cannot be trusted until the schema findings
// are fixed.
func (e *Engine) Evaluate(ctx context.Context, set *plan.Set, regs register.Registers) ([]finding.Finding, error) {
	var out []finding.Finding
	for _, year := range set.Years() {
		docs := yearDocs(set, year)
		invalid := set.Invalid(year)
		in, err := inputValue(input(set, docs, regs.Data(year), year), docs, nil)
		if err != nil {
			return nil, fmt.Errorf("build policy input for %s: %w", year, err)
		}
		items, err := e.eval(ctx, in, len(docs))
		if err != nil {
			return nil, fmt.Errorf("evaluate policies for %s: %w", year, err)
		}
		for _, it := range items {
			f, err := e.toFinding(it, docs, regs[year])
			if err != nil {
				return nil, fmt.Errorf("evaluate policies for %s: %w", year, err)
			}
			if involvesAny(f, invalid) {
				continue
			}
			out = append(out, f)
		}
	}
	finding.Sort(out)
	return out, nil
}

// eval returns the entrypoint's findings for one input of plans plans, in
// the set's order.
func (e *Engine) eval(ctx context.Context, in ast.Value, plans int) ([]any, error) {
	if len(e.perRule) == 0 || plans < e.perRuleMinPlans || runtime.GOMAXPROCS(0) < 2 {
		rs, err := e.query.Eval(ctx, rego.EvalParsedInput(in))
		if err != nil {
			return nil, err
		}
		return findingsOf(rs)
	}
	// The rules are evaluated side by side, each in its own query: a shared
	// helper (the providers, their bed-days) is then worked out once per
	// rule that reads it rather than once in all, which costs less than the
	// cores it frees. The union is taken as the entrypoint's set would be:
	// each finding once, in the set's order.
	results := make([][]any, len(e.perRule))
	err := each(len(e.perRule), func(i int) error {
		rs, err := e.perRule[i].Eval(ctx, rego.EvalParsedInput(in))
		if err == nil {
			results[i], err = findingsOf(rs)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return union(results)
}

// union takes each finding of the rules' results once, in the order the
// entrypoint's set would give them.
func union(results [][]any) ([]any, error) {
	set := ast.NewSet()
	for _, items := range results {
		for _, it := range items {
			v, err := ast.InterfaceToValue(it)
			if err != nil {
				return nil, err
			}
			set.Add(ast.NewTerm(v))
		}
	}
	var out []any
	err := set.Iter(func(t *ast.Term) error {
		v, err := ast.JSON(t.Value)
		out = append(out, v)
		return err
	})
	return out, err
}

// each calls f(0) .. f(n-1) on up to GOMAXPROCS goroutines. Once a call
// fails no new one starts, but those under way finish, so the error returned
// is that of the lowest failing i, whatever the timing.
func each(n int, f func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if errs[i] = panics.Call(func() error { return f(i) }); errs[i] != nil {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// inputForm keys a plan's data in OPA's form among a document's derived
// values; projectedForm its projection on some fields (custom.plan_fields).
type (
	inputForm     struct{}
	projectedForm struct{ fields string }
)

// allReadFields is the union of plan_fields over the rules that read every
// plan; nil when any of them does not declare it.
func (e *Engine) allReadFields() [][]string {
	var out [][]string
	seen := map[string]bool{}
	for id, reach := range e.reach {
		if reach != ReadsAll {
			continue
		}
		fields, ok := e.fields[id]
		if !ok {
			return nil
		}
		for _, f := range fields {
			if k := strings.Join(f, "."); !seen[k] {
				seen[k] = true
				out = append(out, f)
			}
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(strings.Join(a, "."), strings.Join(b, ".")) })
	return out
}

// inputValue converts the policies' input to OPA's form, the plans (the
// bulk of it) side by side.
// Each plan's form is kept with its document (plan.Document.Derived), so a
// document shared by two loads is converted once.
func inputValue(in map[string]any, docs map[string]*plan.Document, fields [][]string) (ast.Value, error) {
	plans, _ := in["plans"].(map[string]any)
	codes := make([]string, 0, len(plans))
	for code := range plans {
		codes = append(codes, code)
	}
	var key any = inputForm{}
	if fields != nil {
		key = projectedForm{fmt.Sprint(fields)}
	}
	items := make([][2]*ast.Term, len(codes))
	err := each(len(codes), func(i int) error {
		convert := func() (any, error) {
			data := plans[codes[i]]
			if m, ok := data.(map[string]any); ok && fields != nil {
				data = projection(m, fields)
			}
			return ast.InterfaceToValue(data)
		}
		var v any
		var err error
		if d := docs[codes[i]]; d != nil {
			v, err = d.Derived(key, convert)
		} else {
			v, err = convert()
		}
		if err == nil {
			items[i] = ast.Item(ast.StringTerm(codes[i]), ast.NewTerm(v.(ast.Value)))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	rest := make(map[string]any, len(in))
	for k, v := range in {
		if k != "plans" {
			rest[k] = v
		}
	}
	v, err := ast.InterfaceToValue(rest)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("input is %T, not an object", v)
	}
	if plans != nil {
		obj.Insert(ast.StringTerm("plans"), ast.NewTerm(ast.NewObject(items...)))
	}
	return obj, nil
}

// findingsOf reads the set a findings query returns; an undefined query (a
// rule package without findings) has none.
func findingsOf(rs rego.ResultSet) ([]any, error) {
	var out []any
	for _, r := range rs {
		for _, x := range r.Expressions {
			items, ok := x.Value.([]any)
			if !ok {
				return nil, fmt.Errorf("findings are %T, not a set", x.Value)
			}
			out = append(out, items...)
		}
	}
	return out, nil
}

func involvesAny(f finding.Finding, orgs map[string]bool) bool {
	for _, o := range f.Orgs {
		if orgs[o] {
			return true
		}
	}
	return false
}

func (e *Engine) toFinding(v any, docs map[string]*plan.Document, reg *plan.Document) (finding.Finding, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return finding.Finding{}, fmt.Errorf("a finding is %T, not an object", v)
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	f := finding.Finding{
		Rule:     str("rule"),
		Severity: finding.Severity(str("severity")),
		Message:  str("message"),
	}
	_, known := e.byID[f.Rule]
	if !known {
		return f, fmt.Errorf("finding for rule %q, which has no METADATA custom.id", f.Rule)
	}
	switch f.Severity {
	case finding.Error, finding.Warning, finding.Info:
	default:
		return f, fmt.Errorf("rule %s raised severity %q", f.Rule, f.Severity)
	}
	switch f.Scope = str("scope"); f.Scope {
	case "", "system", "national":
	default:
		return f, fmt.Errorf("rule %s raised scope %q", f.Rule, f.Scope)
	}
	if n, ok := m["month"].(json.Number); ok {
		i, _ := strconv.Atoi(n.String())
		f.Month = i
	}
	org := str("org")
	if orgs, ok := m["orgs"].([]any); ok {
		for _, o := range orgs {
			if s, ok := o.(string); ok {
				f.Orgs = append(f.Orgs, s)
			}
		}
	}
	if len(f.Orgs) == 0 && org != "" {
		f.Orgs = []string{org}
	}
	p, _ := m["path"].([]any)
	f.Location = locate(docs, reg, org, str("doc"), p)
	if rel, ok := m["related"].([]any); ok {
		for _, r := range rel {
			rm, _ := r.(map[string]any)
			ro, _ := rm["org"].(string)
			rd, _ := rm["doc"].(string)
			rp, _ := rm["path"].([]any)
			f.Related = append(f.Related, locate(docs, reg, ro, rd, rp))
		}
	}
	return f, nil
}

// locate places a path in org's plan, or in the year's register when the
// rule says the path is there (doc "register").
func locate(docs map[string]*plan.Document, reg *plan.Document, org, doc string, p []any) finding.Location {
	if doc == "register" && reg != nil {
		loc := reg.Locate(p)
		loc.Org = org
		return loc
	}
	if d, ok := docs[org]; ok {
		return d.Locate(p)
	}
	segs := make([]string, len(p))
	for i, s := range p {
		segs[i] = fmt.Sprint(s)
	}
	return finding.Location{Org: org, Path: plan.DisplayPath(segs)}
}
