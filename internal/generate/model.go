// Package generate builds a synthetic England: every trust, CCG and system
// with its 2019/20 plan, the organisation list, the regulator register and
// CODEOWNERS, beside a copy of the repository's own schema and policies.
// Figures are made consistent by construction (both sides of a contract are
// one value written twice, totals are sums of their months, money balances),
// so the default set checks clean and any finding in it is a generator bug.
package generate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Options chooses the size and the random stream of a generated set.
type Options struct {
	// Systems is the number of STPs/ICSs (default 42).
	Systems int
	// Seed makes the set deterministic: the same seed gives the same bytes.
	Seed uint64
	// Faults is the share of trusts (0-1) given one planted problem.
	Faults float64
}

// DefaultSystems is the national scale of 2019: about 42 STPs/ICSs.
const DefaultSystems = 42

// MaxSystems keeps the organisation list within the loader's limit of
// 1,000 fields in one struct (S00): 90 systems make about 970 organisations.
const MaxSystems = 90

const (
	typeAcute      = "acute"
	typeMental     = "mental_health"
	typeCommunity  = "community"
	typeSpecialist = "specialist"
)

type system struct {
	code, name string
	trusts     []*trust
	ccgs       []*ccg
}

type trust struct {
	code, name, typ string
	sys             *system
	scale           float64
	// contracts in the order the CCGs are named.
	contracts []*contract
	g         growth
	k         float64 // income per £ of activity at unit prices

	losOrdinary, losNonElective float64
	beds                        beds
	rtt                         *rtt
	perf                        []trajectory
	fin                         providerFinance
	wf                          workforce
	priorWTE                    float64
	priorPay                    int
}

type ccg struct {
	code, name string
	sys        *system
	contracts  []*contract
	fin        ccgFinance
}

// contract is one commissioner-provider pair: both plans print it.
type contract struct {
	t           *trust
	c           *ccg
	weight      float64
	lines       []line
	ccgLines    []line // the commissioner's side when a fault makes it differ
	value       []int  // £000 by month
	priorIncome int
}

type line struct {
	name   string
	months []int
	prior  int
}

type growth struct {
	activity, priorTrend float64
}

type beds struct{ core, escalation, occupied []int }

type rtt struct {
	starts, admitted, nonAdmitted, list, waits52 []int
	priorList, priorWaits52                      int
}

type trajectory struct {
	name                   string
	numerator, denominator []int
}

type providerFinance struct {
	patientCare, other                       int
	substantive, bank, agency                int
	nonPay, depreciation, financing, surplus int
	cipTotal, cipRecurrent, cipNonRecurrent  int
	schemes                                  []scheme
	controlTotal, funding, agencyCeiling     int
}

type scheme struct {
	name, category        string
	recurrent, identified bool
	value                 int
	months                []int
}

type workforce struct {
	// tenths of a WTE: [group][kind][month]
	groups [5][3][12]int
}

type ccgFinance struct {
	allocation, allocationPrior, required int
	otherSpend, qipp, surplus             int
	mentalHealth, mentalHealthPrior       int
	growth                                map[string]float64
}

var groupNames = [5]string{"medical", "nursing_midwifery", "scientific_technical", "support_clinical", "infrastructure"}
var groupShares = [5]float64{0.14, 0.32, 0.14, 0.25, 0.15}

// refLine is one activity line of a reference trust: its annual volume at
// scale 1 and its seasonal profile.
type refLine struct {
	name string
	n    float64
	prof []float64
}

// reference annual activity of an acute trust of scale 1 (domain.md).
var acuteRef = []refLine{
	{"gp_referrals", 95000, working},
	{"other_referrals", 40000, working},
	{"op_first", 220000, working},
	{"op_followup", 500000, working},
	{"elective_daycase", 52000, working},
	{"elective_ordinary", 11000, working},
	{"non_elective_zero_los", 18600, winter},
	{"non_elective_los", 43400, winter},
	{"ae_type1", 125000, summer},
	{"ae_other", 25000, summer},
	{"diagnostics", 200000, working},
}

var communityRef = []refLine{
	{"gp_referrals", 14000, working},
	{"other_referrals", 26000, working},
	{"op_first", 12000, working},
	{"op_followup", 70000, working},
}

var unitPrices = map[string]float64{
	"elective_daycase": 900, "elective_ordinary": 3600, "non_elective_zero_los": 700,
	"non_elective_los": 2600, "op_first": 160, "op_followup": 90, "ae_type1": 160,
	"ae_other": 70, "diagnostics": 100,
}

// Monthly profiles, April..March. Working days for planned care; emergency
// admissions peak in winter; A&E attendances peak in early summer.
var (
	working = []float64{0.95, 1.0, 0.95, 1.09, 0.95, 1.0, 1.09, 1.0, 0.87, 1.05, 0.95, 1.05}
	winter  = seasonal(0.06, 9)
	summer  = seasonal(0.04, 2)
)

func seasonal(amp float64, peak int) []float64 {
	p := make([]float64, 12)
	for i := range p {
		p[i] = 1 + amp*math.Cos(2*math.Pi*float64(i-peak)/12)
	}
	return p
}

var daysIn = []int{30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 29, 31} // 2019/20: Feb 2020 is a leap month

// spread splits total over 12 months in proportion to profile, exactly
// (largest remainder), so annual totals always equal the sum of months.
func spread(total int, profile []float64) []int {
	sum := 0.0
	for _, p := range profile {
		sum += p
	}
	out := make([]int, 12)
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, 12)
	given := 0
	for i, p := range profile {
		x := float64(total) * p / sum
		out[i] = int(math.Floor(x))
		given += out[i]
		rems[i] = rem{i, x - math.Floor(x)}
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		switch {
		case a.r > b.r:
			return -1
		case a.r < b.r:
			return 1
		}
		return a.i - b.i
	})
	for k := 0; given < total; k++ {
		out[rems[k%12].i]++
		given++
	}
	return out
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func between(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// codes draws unique ODS-shaped codes.
type codes struct {
	r    *rand.Rand
	used map[string]bool
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (c *codes) next(shape func() string) string {
	for {
		s := shape()
		if !c.used[s] {
			c.used[s] = true
			return s
		}
	}
}

func (c *codes) trust() string {
	return c.next(func() string { return "R" + string(alnum[c.r.IntN(36)]) + string(alnum[c.r.IntN(36)]) })
}

func (c *codes) system() string {
	return c.next(func() string { return "Q" + string(alnum[c.r.IntN(36)]) + string(alnum[c.r.IntN(36)]) })
}

func (c *codes) ccg() string {
	return c.next(func() string { return fmt.Sprintf("%02d%c", c.r.IntN(100), 'A'+rune(c.r.IntN(26))) })
}

var (
	placeHeads      = []string{"Ash", "Bram", "Col", "Dun", "Elm", "Fair", "Glen", "Hal", "Ing", "Kings", "Lang", "Mar", "Nor", "Oak", "Pen", "Ran", "Stan", "Thorn", "Wal", "Wes", "Whit", "Bex", "Cal", "Dal", "Hart", "Mel", "Red", "Sal", "Tam", "Wick"}
	placeQualifiers = []string{"North", "South", "East", "West", "Central", "Upper", "Lower", "Greater", "Mid"}
	placeTails      = []string{"bury", "ford", "ham", "ley", "mouth", "stead", "field", "ton", "wick", "worth", "borough", "dale", "minster", "port", "well"}
)

type names struct {
	r    *rand.Rand
	used map[string]bool
}

// place draws an unused invented place name; once plain names grow scarce
// it qualifies them ("North Ashbury"), so even MaxSystems terminates.
func (n *names) place() string {
	for tries := 0; ; tries++ {
		s := placeHeads[n.r.IntN(len(placeHeads))] + placeTails[n.r.IntN(len(placeTails))]
		if tries >= 20 {
			s = placeQualifiers[n.r.IntN(len(placeQualifiers))] + " " + s
		}
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
}

func trustName(place, typ string, r *rand.Rand) string {
	ft := []string{"NHS Trust", "NHS Foundation Trust"}[r.IntN(2)]
	switch typ {
	case typeMental:
		return place + " Mental Health Partnership " + ft
	case typeCommunity:
		return place + " Community Healthcare " + ft
	case typeSpecialist:
		return place + " Specialist Hospital " + ft
	}
	return place + " Hospitals " + ft
}

func lower(s string) string { return strings.ToLower(s) }
