package check_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestIncrementalEqualsFull: a check made from the previous one
// (check.RunFrom, what a review does for its head) gives exactly the
// findings of a full check, over a random walk of changes to a generated
// England with problems planted: edits (contract activity scaled, a figure
// changed, a status flipped, a plan moved to another system, a plan broken
// against the schema or its syntax), additions (a plan for an organisation
// the reference list does not know, a deleted plan back), deletions, renames,
// and rule changes (thresholds, the register, the reference list). Each step
// applies one to three changes and compares the sets, findings field by
// field, and each step starts from the previous step's incremental result,
// so a stale finding would carry on and be caught later too.
func TestIncrementalEqualsFull(t *testing.T) {
	steps := 200
	if testing.Short() {
		steps = 40
	}
	ctx := context.Background()
	tree := testutil.EnglandFaultsFS(t, 4, 5, 0.3)
	w := &walker{rng: rand.New(rand.NewPCG(5, 10)), tree: tree}
	opts := check.Options{Today: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)}
	// The full check keeps its plan files in a cache of its own, so each
	// step does not pay for evaluating every file again; its policy
	// findings are computed afresh unless the very same tree was
	// judged in full before.
	full, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	load := func() *check.Rules {
		t.Helper()
		r, err := check.LoadRules(ctx, tree, check.Options{Today: opts.Today, Cache: full})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	rules := load()
	prev, err := check.Run(ctx, rules, tree, opts)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	changedFindings := 0
	for step := range steps {
		var did []string
		for range 1 + w.rng.IntN(3) {
			did = append(did, w.change())
		}
		for _, d := range did {
			kinds[strings.TrimSuffix(strings.Fields(d)[0], ":")]++
		}
		if w.rulesChanged {
			rules, w.rulesChanged = load(), false
		}
		want, err := check.Run(ctx, rules, tree, check.Options{Today: opts.Today, Cache: full})
		if err != nil {
			t.Fatalf("step %d (%s): full check: %v", step, strings.Join(did, "; "), err)
		}
		got, err := check.RunFrom(ctx, rules, prev, tree, opts)
		if err != nil {
			t.Fatalf("step %d (%s): incremental check: %v", step, strings.Join(did, "; "), err)
		}
		if d := cmp.Diff(want.Findings, got.Findings); d != "" {
			t.Fatalf("step %d (%s): incremental findings differ from a full check (-full +incremental):\n%s", step, strings.Join(did, "; "), d)
		}
		if want.PlansRead != got.PlansRead || len(want.Set.Documents) != len(got.Set.Documents) {
			t.Fatalf("step %d: %d plans read, %d documents; full check %d, %d", step, got.PlansRead, len(got.Set.Documents), want.PlansRead, len(want.Set.Documents))
		}
		if !slices.EqualFunc(prev.Findings, got.Findings, func(a, b finding.Finding) bool { return a.Fingerprint() == b.Fingerprint() }) {
			changedFindings++
		}
		prev = got
	}
	t.Logf("%d steps, changes by kind %v; findings moved in %d steps", steps, kinds, changedFindings)
	// A walk whose changes never moved a finding would prove nothing.
	if changedFindings < steps/3 {
		t.Errorf("findings changed in only %d of %d steps", changedFindings, steps)
	}
	for _, k := range []string{"edit", "add", "delete", "rename", "rules"} {
		if kinds[k] == 0 {
			t.Errorf("no %s change in the walk", k)
		}
	}
}

// walker makes random changes to a repository tree.
type walker struct {
	rng          *rand.Rand
	tree         fstest.MapFS
	deleted      []deletedFile
	rulesChanged bool
}

type deletedFile struct {
	name string
	data []byte
}

var (
	flowLine  = regexp.MustCompile(`(?m)^(\t+\w+: \{total: )(\d+)(, months: \[)([\d, ]+)(\]\})$`)
	numberRe  = regexp.MustCompile(`(?m)(: |\[|, )(-?\d+)\b`)
	statusRe  = regexp.MustCompile(`(?m)^status: +"(draft|final)"`)
	systemRe  = regexp.MustCompile(`(?m)^system: +"(Q\w\w)"`)
	surplusRe = regexp.MustCompile(`(?m)^(\tsurplus: +)(-?\d+)$`)
)

// plans lists the tree's plan files (not the reference list), sorted.
func (w *walker) plans() []string {
	var out []string
	for name := range w.tree {
		if strings.HasPrefix(name, "plans/") && strings.HasSuffix(name, ".cue") && name != "plans/organisations.cue" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func (w *walker) pick(names []string) string { return names[w.rng.IntN(len(names))] }

func (w *walker) read(name string) string { return string(w.tree[name].Data) }

func (w *walker) write(name, data string) {
	w.tree[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
}

// change makes one change and says what it was, its kind first.
func (w *walker) change() string {
	switch n := w.rng.IntN(100); {
	case n < 55:
		return w.edit()
	case n < 67:
		return w.add()
	case n < 77:
		return w.remove()
	case n < 87:
		return w.rename()
	default:
		return w.rules()
	}
}

func (w *walker) edit() string {
	name := w.pick(w.plans())
	src := w.read(name)
	switch w.rng.IntN(7) {
	case 0, 1: // one line of activity or money scaled, total kept true
		lines := flowLine.FindAllStringSubmatchIndex(src, -1)
		if len(lines) == 0 {
			break
		}
		m := lines[w.rng.IntN(len(lines))]
		factor := 0.8 + 0.4*w.rng.Float64()
		var months []string
		total := 0
		for _, s := range strings.Split(src[m[8]:m[9]], ", ") {
			v, _ := strconv.Atoi(s)
			v = int(float64(v) * factor)
			total += v
			months = append(months, strconv.Itoa(v))
		}
		w.write(name, src[:m[4]]+strconv.Itoa(total)+src[m[5]:m[8]]+strings.Join(months, ", ")+src[m[9]:])
		return fmt.Sprintf("edit %s: a line scaled by %.2f", name, factor)
	case 2: // any one figure
		nums := numberRe.FindAllStringSubmatchIndex(src, -1)
		if len(nums) == 0 {
			break
		}
		m := nums[w.rng.IntN(len(nums))]
		v, _ := strconv.Atoi(src[m[4]:m[5]])
		v = v + w.rng.IntN(2001) - 1000
		w.write(name, src[:m[4]]+strconv.Itoa(v)+src[m[5]:])
		return fmt.Sprintf("edit %s: a figure to %d", name, v)
	case 3:
		if m := statusRe.FindStringSubmatchIndex(src); m != nil {
			to := map[string]string{"draft": "final", "final": "draft"}[src[m[2]:m[3]]]
			w.write(name, src[:m[2]]+to+src[m[3]:])
			return fmt.Sprintf("edit %s: status %s", name, to)
		}
	case 4:
		if m := surplusRe.FindStringSubmatchIndex(src); m != nil {
			v, _ := strconv.Atoi(src[m[4]:m[5]])
			v -= w.rng.IntN(20000)
			w.write(name, src[:m[4]]+strconv.Itoa(v)+src[m[5]:])
			return fmt.Sprintf("edit %s: surplus %d", name, v)
		}
	case 5:
		if m := systemRe.FindStringSubmatchIndex(src); m != nil {
			other := systemRe.FindStringSubmatch(w.read(w.pick(w.plans())))
			if other != nil {
				w.write(name, src[:m[2]]+other[1]+src[m[3]:])
				return fmt.Sprintf("edit %s: system %s", name, other[1])
			}
		}
	case 6: // broken: against the schema, or not CUE at all
		if w.rng.IntN(2) == 0 {
			w.write(name, strings.Replace(src, "status:", "status: \"done\"\nstatus_was:", 1))
			return fmt.Sprintf("edit %s: broken against the schema", name)
		}
		w.write(name, strings.TrimRight(src, "}\n\t "))
		return fmt.Sprintf("edit %s: broken syntax", name)
	}
	w.write(name, src+"\n// reviewed\n")
	return fmt.Sprintf("edit %s: a comment", name)
}

func (w *walker) add() string {
	if len(w.deleted) > 0 && w.rng.IntN(2) == 0 {
		i := w.rng.IntN(len(w.deleted))
		d := w.deleted[i]
		w.deleted = slices.Delete(w.deleted, i, i+1)
		w.write(d.name, string(d.data))
		return "add " + d.name + " back"
	}
	// A plan for an organisation the reference list does not know,
	// copied from another of its kind.
	var from string
	for from == "" || !strings.Contains(from, "/providers/") && !strings.Contains(from, "/commissioners/") {
		from = w.pick(w.plans())
	}
	src := w.read(from)
	code := regexp.MustCompile(`(?m)^org: +"(\w+)"`).FindStringSubmatch(src)
	if code == nil {
		return "add nothing"
	}
	var newCode string
	if strings.Contains(from, "/providers/") {
		newCode = fmt.Sprintf("R%c%d", 'A'+rune(w.rng.IntN(26)), w.rng.IntN(10))
	} else {
		newCode = fmt.Sprintf("%02d%c", w.rng.IntN(100), 'A'+rune(w.rng.IntN(26)))
	}
	name := path.Join(path.Dir(from), strings.ToLower(newCode)+".cue")
	if _, taken := w.tree[name]; taken {
		return "add nothing"
	}
	w.write(name, strings.Replace(src, `"`+code[1]+`"`, `"`+newCode+`"`, 1))
	return fmt.Sprintf("add %s as a copy of %s", name, from)
}

func (w *walker) remove() string {
	name := w.pick(w.plans())
	w.deleted = append(w.deleted, deletedFile{name: name, data: w.tree[name].Data})
	delete(w.tree, name)
	return "delete " + name
}

func (w *walker) rename() string {
	name := w.pick(w.plans())
	to := strings.TrimSuffix(name, ".cue") + "-renamed.cue"
	if strings.HasSuffix(name, "-renamed.cue") {
		to = strings.TrimSuffix(name, "-renamed.cue") + ".cue"
	}
	if _, taken := w.tree[to]; taken {
		return "rename nothing"
	}
	w.tree[to] = w.tree[name]
	delete(w.tree, name)
	return fmt.Sprintf("rename %s to %s", name, to)
}

func (w *walker) rules() string {
	w.rulesChanged = true
	switch w.rng.IntN(3) {
	case 0:
		name := "policy/data.json"
		src := w.read(name)
		pct := 88 + w.rng.IntN(8)
		w.write(name, regexp.MustCompile(`"warning_pct": \d+`).ReplaceAllString(src, `"warning_pct": `+strconv.Itoa(pct)))
		return fmt.Sprintf("rules: occupancy warning at %d%%", pct)
	case 1:
		name := "policy/register/2019-20.cue"
		src := w.read(name)
		ms := regexp.MustCompile(`control_total: (-?\d+)`).FindAllStringSubmatchIndex(src, -1)
		m := ms[w.rng.IntN(len(ms))]
		v, _ := strconv.Atoi(src[m[2]:m[3]])
		v += 5000
		w.write(name, src[:m[2]]+strconv.Itoa(v)+src[m[3]:])
		return fmt.Sprintf("rules: a control total in the register to %d", v)
	default:
		// The reference list moves an organisation to another system.
		name := "plans/organisations.cue"
		src := w.read(name)
		ms := regexp.MustCompile(`system: "(Q\w\w)"`).FindAllStringSubmatchIndex(src, -1)
		a, b := ms[w.rng.IntN(len(ms))], ms[w.rng.IntN(len(ms))]
		w.write(name, src[:a[2]]+src[b[2]:b[3]]+src[a[3]:])
		return "rules: the reference list moves an organisation to " + src[b[2]:b[3]]
	}
}
