package diff

// providerLines are the measures of a trust's plan, in the order a reader
// meets them: activity, income, expenditure, surplus, CIP, workforce, beds.
// With counterparties named, per-commissioner lines join them.
func providerLines(counterparties []string) []line[providerPlan] {
	ls := activity(func(p *providerPlan) map[string]activityLines { return p.Activity }, counterparties)
	ls = append(ls,
		scalar("income", "Income", true, func(p *providerPlan) *float64 {
			return add(p.Finance.Income.PatientCare, p.Finance.Income.Other)
		}),
		scalar("income.patient_care", "Income: patient care", false, func(p *providerPlan) *float64 { return p.Finance.Income.PatientCare }),
		scalar("income.other", "Income: other", false, func(p *providerPlan) *float64 { return p.Finance.Income.Other }),
	)
	for _, cp := range counterparties {
		ls = append(ls, line[providerPlan]{"income.by_commissioner." + cp, "Income from " + cp, Money, false, func(p *providerPlan) reading {
			f, ok := p.Finance.Income.ByCommissioner[cp]
			if !ok {
				return reading{}
			}
			return reading{total: f.Total, months: f.Months}
		}})
	}
	ls = append(ls,
		scalar("expenditure", "Expenditure", true, func(p *providerPlan) *float64 {
			e := p.Finance.Expenditure
			return add(e.Pay.Substantive, e.Pay.Bank, e.Pay.Agency, e.NonPay, e.Depreciation, e.Financing)
		}),
		scalar("expenditure.pay.substantive", "Pay: substantive", false, func(p *providerPlan) *float64 { return p.Finance.Expenditure.Pay.Substantive }),
		scalar("expenditure.pay.bank", "Pay: bank", false, func(p *providerPlan) *float64 { return p.Finance.Expenditure.Pay.Bank }),
		scalar("expenditure.pay.agency", "Pay: agency", false, func(p *providerPlan) *float64 { return p.Finance.Expenditure.Pay.Agency }),
		scalar("expenditure.non_pay", "Non-pay", false, func(p *providerPlan) *float64 { return p.Finance.Expenditure.NonPay }),
		scalar("expenditure.depreciation", "Depreciation", false, func(p *providerPlan) *float64 { return p.Finance.Expenditure.Depreciation }),
		scalar("expenditure.financing", "Financing", false, func(p *providerPlan) *float64 { return p.Finance.Expenditure.Financing }),
		scalar("surplus", "Surplus/(deficit) before sustainability funding", true, func(p *providerPlan) *float64 { return p.Finance.Surplus }),
		scalar("cip", "CIP total", false, func(p *providerPlan) *float64 { return p.Finance.CIP.Total }),
		average("wte", "WTE (average)", true, func(p *providerPlan) []float64 { return p.Workforce.Total }),
	)
	for _, g := range []struct {
		key, label string
		get        func(*providerPlan) *staffGroup
	}{
		{"medical", "medical", func(p *providerPlan) *staffGroup { return p.Workforce.Groups.Medical }},
		{"nursing_midwifery", "nursing and midwifery", func(p *providerPlan) *staffGroup { return p.Workforce.Groups.NursingMidwifery }},
		{"scientific_technical", "scientific, therapeutic and technical", func(p *providerPlan) *staffGroup { return p.Workforce.Groups.ScientificTechnical }},
		{"support_clinical", "support to clinical staff", func(p *providerPlan) *staffGroup { return p.Workforce.Groups.SupportClinical }},
		{"infrastructure", "infrastructure support", func(p *providerPlan) *staffGroup { return p.Workforce.Groups.Infrastructure }},
	} {
		ls = append(ls, average("wte."+g.key, "WTE "+g.label+" (average)", false, func(p *providerPlan) []float64 {
			s := g.get(p)
			if s == nil {
				return nil
			}
			return sumSeries([][]float64{s.Substantive, s.Bank, s.Agency}).months
		}))
	}
	ls = append(ls,
		average("beds", "G&A beds (average)", true, func(p *providerPlan) []float64 {
			c := p.Capacity
			if c.BedsCore == nil || c.BedsEscalation == nil {
				return nil
			}
			return sumSeries([][]float64{c.BedsCore.Months, c.BedsEscalation.Months}).months
		}),
		average("beds.core", "Core beds (average)", false, func(p *providerPlan) []float64 { return months(p.Capacity.BedsCore) }),
		average("beds.escalation", "Escalation beds (average)", false, func(p *providerPlan) []float64 { return months(p.Capacity.BedsEscalation) }),
		average("beds.occupied", "Occupied beds (average)", false, func(p *providerPlan) []float64 { return months(p.Capacity.BedsOccupied) }),
	)
	return ls
}

// commissionerLines are the measures of a CCG's plan: activity, contract
// values, spend, surplus.
func commissionerLines(counterparties []string) []line[commissionerPlan] {
	ls := activity(func(p *commissionerPlan) map[string]activityLines {
		out := make(map[string]activityLines, len(p.Contracts))
		for k, c := range p.Contracts {
			out[k] = c.Activity
		}
		return out
	}, counterparties)
	ls = append(ls, line[commissionerPlan]{"contracts", "Contract value, all providers", Money, true, func(p *commissionerPlan) reading {
		var ts []*float64
		var ms [][]float64
		for _, c := range values(p.Contracts) {
			if c.Value.Total != nil {
				ts = append(ts, c.Value.Total)
			}
			if len(c.Value.Months) > 0 {
				ms = append(ms, c.Value.Months)
			}
		}
		if len(ts) == 0 {
			return reading{}
		}
		return reading{total: add(ts...), months: sumSeries(ms).months}
	}})
	for _, cp := range counterparties {
		ls = append(ls, line[commissionerPlan]{"contracts." + cp, "Contract value, " + cp, Money, false, func(p *commissionerPlan) reading {
			c, ok := p.Contracts[cp]
			if !ok {
				return reading{}
			}
			return reading{total: c.Value.Total, months: c.Value.Months}
		}})
	}
	return append(ls,
		scalar("other_spend", "Other spend", true, func(p *commissionerPlan) *float64 { return p.Finance.OtherSpend }),
		scalar("surplus", "Surplus/(deficit)", true, func(p *commissionerPlan) *float64 { return p.Finance.Surplus }),
		scalar("mental_health", "Mental health spend", true, func(p *commissionerPlan) *float64 { return p.Finance.MentalHealth }),
		scalar("qipp", "QIPP savings", true, func(p *commissionerPlan) *float64 { return p.Finance.QIPP }),
	)
}
