package diff

// The parts of a plan the measures read, decoded from its data. Field names
// are the schema's (schema/provider.cue, schema/commissioner.cue,
// schema/activity.cue); TestMeasurePathsExistInSchema fails on any that is
// not, so a typo cannot quietly show "n/a".
type (
	flow struct {
		Months []float64 `json:"months"`
	}
	activityLines struct {
		GPReferrals        *flow `json:"gp_referrals"`
		OtherReferrals     *flow `json:"other_referrals"`
		OpFirst            *flow `json:"op_first"`
		OpFollowup         *flow `json:"op_followup"`
		Elective           *flow `json:"elective"`
		ElectiveDaycase    *flow `json:"elective_daycase"`
		ElectiveOrdinary   *flow `json:"elective_ordinary"`
		NonElective        *flow `json:"non_elective"`
		NonElectiveZeroLOS *flow `json:"non_elective_zero_los"`
		NonElectiveLOS     *flow `json:"non_elective_los"`
		AETotal            *flow `json:"ae_total"`
		AEType1            *flow `json:"ae_type1"`
		AEOther            *flow `json:"ae_other"`
		Diagnostics        *flow `json:"diagnostics"`
	}
	header struct {
		Name string `json:"name"`
	}
	staffGroup struct {
		Substantive []float64 `json:"substantive"`
		Bank        []float64 `json:"bank"`
		Agency      []float64 `json:"agency"`
	}
	providerPlan struct {
		header
		// Activity by commissioner.
		Activity map[string]activityLines `json:"activity"`
		Capacity struct {
			BedsCore       *flow `json:"beds_core"`
			BedsEscalation *flow `json:"beds_escalation"`
			BedsOccupied   *flow `json:"beds_occupied"`
		} `json:"capacity"`
		Workforce struct {
			Total  []float64 `json:"total"`
			Groups struct {
				Medical             *staffGroup `json:"medical"`
				NursingMidwifery    *staffGroup `json:"nursing_midwifery"`
				ScientificTechnical *staffGroup `json:"scientific_technical"`
				SupportClinical     *staffGroup `json:"support_clinical"`
				Infrastructure      *staffGroup `json:"infrastructure"`
			} `json:"groups"`
		} `json:"workforce"`
		Finance struct {
			Income struct {
				PatientCare *float64 `json:"patient_care"`
				Other       *float64 `json:"other"`
				// Income by commissioner.
				ByCommissioner map[string]moneyFlow `json:"by_commissioner"`
			} `json:"income"`
			Expenditure struct {
				Pay struct {
					Substantive *float64 `json:"substantive"`
					Bank        *float64 `json:"bank"`
					Agency      *float64 `json:"agency"`
				} `json:"pay"`
				NonPay       *float64 `json:"non_pay"`
				Depreciation *float64 `json:"depreciation"`
				Financing    *float64 `json:"financing"`
			} `json:"expenditure"`
			Surplus *float64 `json:"surplus"`
			CIP     struct {
				Total *float64 `json:"total"`
			} `json:"cip"`
		} `json:"finance"`
	}
	moneyFlow struct {
		Total  *float64  `json:"total"`
		Months []float64 `json:"months"`
	}
	contract struct {
		Value    moneyFlow     `json:"value"`
		Activity activityLines `json:"activity"`
	}
	commissionerPlan struct {
		header
		// Contracts by provider.
		Contracts map[string]contract `json:"contracts"`
		Finance   struct {
			OtherSpend   *float64 `json:"other_spend"`
			Surplus      *float64 `json:"surplus"`
			MentalHealth *float64 `json:"mental_health"`
			QIPP         *float64 `json:"qipp"`
		} `json:"finance"`
	}
)
