// Package planfile is the one layout of a plan file: the typed model of a
// provider, commissioner or system plan, read from CUE data or JSON, and the
// canonical writer every tool that writes a plan uses (the workbook importer
// and the generator). The writer's output is its own `cue fmt`: fields in
// schema order, map keys sorted, comments generated from data (the synthetic
// header, the organisation's title, counterparty names from the reference
// list) or fixed per section, so two tools writing the same plan write the
// same bytes.
package planfile

// Line is one activity line of the planning template.
type Line struct {
	// Key is the CUE field name, e.g. "non_elective".
	Key string
	// Ref is the official line reference, e.g. "E.M.11".
	Ref string
	// Label names the line for people.
	Label string
}

// ActivityLines lists the activity lines in schema order.
var ActivityLines = []Line{
	{"gp_referrals", "E.M.1", "GP referrals"},
	{"other_referrals", "E.M.7", "Other referrals"},
	{"op_first", "E.M.8", "Outpatients: first"},
	{"op_followup", "E.M.9", "Outpatients: follow-up"},
	{"elective", "E.M.10", "Elective spells"},
	{"elective_daycase", "E.M.10a", "Elective: day case"},
	{"elective_ordinary", "E.M.10b", "Elective: ordinary"},
	{"non_elective", "E.M.11", "Non-elective spells"},
	{"non_elective_zero_los", "E.M.11a", "Non-elective: zero length of stay"},
	{"non_elective_los", "E.M.11b", "Non-elective: 1+ days"},
	{"ae_total", "E.M.12+E.M.13", "A&E attendances"},
	{"ae_type1", "E.M.12", "A&E: type 1"},
	{"ae_other", "E.M.13", "A&E: types 2-3"},
	{"diagnostics", "E.B.26", "Diagnostic tests"},
}

// GrowthLines lists the lines of a prior year's growth, in schema order.
var GrowthLines = []Line{
	{"gp_referrals", "", "GP referrals"},
	{"other_referrals", "", "Other referrals"},
	{"elective", "", "Elective spells"},
	{"non_elective", "", "Non-elective spells"},
	{"ae_total", "", "A&E attendances"},
	{"op_first", "", "Outpatients: first"},
}

// StaffGroups lists the workforce staff groups in schema order.
var StaffGroups = []Line{
	{"medical", "", "Medical"},
	{"nursing_midwifery", "", "Nursing and midwifery"},
	{"scientific_technical", "", "Scientific, therapeutic and technical"},
	{"support_clinical", "", "Support to clinical staff"},
	{"infrastructure", "", "Infrastructure support"},
}

// Trajectories lists the performance trajectories in schema order.
var Trajectories = []Line{
	{"ae_4h", "", "A&E 4 hours (standard 95%)"},
	{"rtt_18w", "", "RTT 18 weeks (standard 92%)"},
	{"cancer_62d", "", "Cancer 62 days (standard 85%)"},
	{"diagnostics_6w", "", "Diagnostics waiting over 6 weeks (at most 1%)"},
}

// Vocabularies of the schema's enumerations, in schema order.
var (
	Statuses       = []string{"draft", "final"}
	TrustTypes     = []string{"acute", "community", "mental_health", "specialist"}
	ContractStates = []string{"not_started", "heads_of_terms", "agreed", "signed", "in_dispute", "arbitration"}
	CIPCategories  = []string{"productivity", "workforce", "procurement", "estates", "medicines", "other"}
	StaffKinds     = []string{"substantive", "bank", "agency"}
)

// Plan is one plan file: exactly one of its fields is set.
type Plan struct {
	Provider     *Provider
	Commissioner *Commissioner
	System       *System
}

// Header is what every plan starts with.
type Header struct {
	Synthetic *bool  `json:"synthetic,omitempty"`
	Org       string `json:"org"`
	Name      string `json:"name"`
	Year      string `json:"year"`
}

// Flow is a flow measure: an annual total and twelve months.
type Flow struct {
	Total  int   `json:"total"`
	Months []int `json:"months"`
}

// MoneyFlow is a flow of money in £000.
type MoneyFlow struct {
	Total  float64   `json:"total"`
	Months []float64 `json:"months"`
}

// Stock is a month-end or monthly-average position.
type Stock struct {
	Months []int `json:"months"`
}

// Trajectory is a monthly numerator and denominator.
type Trajectory struct {
	Numerator   []int `json:"numerator"`
	Denominator []int `json:"denominator"`
}

// Lines are activity lines by field name (keys from ActivityLines).
type Lines map[string]Flow

// Annual are annual counts by activity line.
type Annual map[string]int

// Provider is a trust's plan.
type Provider struct {
	Header
	System               string                    `json:"system"`
	Status               string                    `json:"status"`
	Type                 string                    `json:"type"`
	Activity             map[string]Lines          `json:"activity"`
	RTT                  *RTT                      `json:"rtt,omitempty"`
	Capacity             Capacity                  `json:"capacity"`
	Workforce            Workforce                 `json:"workforce"`
	Finance              ProviderFinance           `json:"finance"`
	Performance          *Performance              `json:"performance,omitempty"`
	PriorYear            ProviderPriorYear         `json:"prior_year"`
	ControlTotalDecision Decision                  `json:"control_total_decision"`
	Explanations         []Explanation             `json:"explanations,omitempty"`
	ContractStatus       map[string]ContractStatus `json:"contract_status"`
}

// RTT is referral to treatment for the whole trust.
type RTT struct {
	ClockStarts          Flow  `json:"clock_starts"`
	CompletedAdmitted    Flow  `json:"completed_admitted"`
	CompletedNonadmitted Flow  `json:"completed_nonadmitted"`
	WaitingList          Stock `json:"waiting_list"`
	Waits52Weeks         Stock `json:"waits_52_weeks"`
}

// Capacity is general and acute beds and lengths of stay.
type Capacity struct {
	BedsCore            Stock   `json:"beds_core"`
	BedsEscalation      Stock   `json:"beds_escalation"`
	BedsOccupied        Stock   `json:"beds_occupied"`
	LOSElectiveOrdinary float64 `json:"los_elective_ordinary"`
	LOSNonElective      float64 `json:"los_non_elective"`
}

// StaffGroup is one staff group's WTE by month.
type StaffGroup struct {
	Substantive []float64 `json:"substantive"`
	Bank        []float64 `json:"bank"`
	Agency      []float64 `json:"agency"`
}

// Kind returns the months of one kind of staff ("substantive", "bank",
// "agency").
func (g *StaffGroup) Kind(k string) *[]float64 {
	switch k {
	case "substantive":
		return &g.Substantive
	case "bank":
		return &g.Bank
	default:
		return &g.Agency
	}
}

// Workforce is WTE in total and by staff group.
type Workforce struct {
	Total  []float64             `json:"total"`
	Groups map[string]StaffGroup `json:"groups"`
}

// ProviderFinance is a trust's income and expenditure in £000.
type ProviderFinance struct {
	Income struct {
		PatientCare           float64              `json:"patient_care"`
		ByCommissioner        map[string]MoneyFlow `json:"by_commissioner"`
		Other                 float64              `json:"other"`
		SustainabilityFunding *float64             `json:"sustainability_funding,omitempty"`
	} `json:"income"`
	Expenditure struct {
		Pay struct {
			Substantive float64 `json:"substantive"`
			Bank        float64 `json:"bank"`
			Agency      float64 `json:"agency"`
		} `json:"pay"`
		NonPay       float64 `json:"non_pay"`
		Depreciation float64 `json:"depreciation"`
		Financing    float64 `json:"financing"`
	} `json:"expenditure"`
	Surplus       float64  `json:"surplus"`
	ControlTotal  *float64 `json:"control_total,omitempty"`
	AgencyCeiling *float64 `json:"agency_ceiling,omitempty"`
	CIP           CIP      `json:"cip"`
}

// CIP is a cost improvement programme.
type CIP struct {
	Total        float64     `json:"total"`
	Recurrent    float64     `json:"recurrent"`
	NonRecurrent float64     `json:"non_recurrent"`
	Schemes      []CIPScheme `json:"schemes"`
}

// CIPScheme is one scheme of a CIP.
type CIPScheme struct {
	Name       string    `json:"name"`
	Category   string    `json:"category"`
	Recurrent  bool      `json:"recurrent"`
	Identified bool      `json:"identified"`
	Value      float64   `json:"value"`
	Months     []float64 `json:"months"`
}

// Performance is the four constitutional trajectories.
type Performance struct {
	AE4h          Trajectory `json:"ae_4h"`
	RTT18w        Trajectory `json:"rtt_18w"`
	Cancer62d     Trajectory `json:"cancer_62d"`
	Diagnostics6w Trajectory `json:"diagnostics_6w"`
}

// Get returns the trajectory with a key from Trajectories.
func (p *Performance) Get(key string) *Trajectory {
	switch key {
	case "ae_4h":
		return &p.AE4h
	case "rtt_18w":
		return &p.RTT18w
	case "cancer_62d":
		return &p.Cancer62d
	default:
		return &p.Diagnostics6w
	}
}

// PriorYear is the outturn of the year before the plan.
type PriorYear struct {
	Year      string             `json:"year"`
	Activity  map[string]Annual  `json:"activity"`
	GrowthPct map[string]float64 `json:"growth_pct"`
	WTE       *float64           `json:"wte,omitempty"`
}

// ProviderPriorYear adds a trust's income, pay and RTT.
type ProviderPriorYear struct {
	PriorYear
	Income              map[string]float64 `json:"income"`
	Pay                 float64            `json:"pay"`
	RTTWaitingListMarch *int               `json:"rtt_waiting_list_march,omitempty"`
	Waits52WeeksMarch   *int               `json:"waits_52_weeks_march,omitempty"`
}

// Decision is a board's decision on its control total.
type Decision struct {
	Accepted       bool   `json:"accepted"`
	Date           string `json:"date"`
	BoardReference string `json:"board_reference"`
}

// Explanation is a warning the organisation explains or acknowledges.
type Explanation struct {
	Rule         string  `json:"rule"`
	Month        *int    `json:"month,omitempty"`
	Counterparty *string `json:"counterparty,omitempty"`
	Acknowledge  *bool   `json:"acknowledge,omitempty"`
	Text         *string `json:"text,omitempty"`
}

// ContractStatus is one side's status of a contract.
type ContractStatus struct {
	State string `json:"state"`
	Date  string `json:"date"`
}

// Commissioner is a CCG's plan.
type Commissioner struct {
	Header
	System       string                `json:"system"`
	Status       string                `json:"status"`
	Contracts    map[string]Contract   `json:"contracts"`
	Finance      CommissionerFinance   `json:"finance"`
	PriorYear    CommissionerPriorYear `json:"prior_year"`
	Explanations []Explanation         `json:"explanations,omitempty"`
}

// Contract is the commissioner's side of one contract.
type Contract struct {
	Status   ContractStatus `json:"status"`
	Value    MoneyFlow      `json:"value"`
	Activity Lines          `json:"activity"`
}

// CommissionerFinance is a CCG's finance in £000.
type CommissionerFinance struct {
	Allocation      *float64 `json:"allocation,omitempty"`
	OtherSpend      float64  `json:"other_spend"`
	QIPP            float64  `json:"qipp"`
	Surplus         float64  `json:"surplus"`
	MentalHealth    float64  `json:"mental_health"`
	RequiredSurplus *float64 `json:"required_surplus,omitempty"`
}

// CommissionerPriorYear adds mental health spend.
type CommissionerPriorYear struct {
	PriorYear
	MentalHealth float64 `json:"mental_health"`
}

// System is a system (STP/ICS) file.
type System struct {
	Header
	Members      []string `json:"members"`
	ControlTotal *float64 `json:"control_total,omitempty"`
}
