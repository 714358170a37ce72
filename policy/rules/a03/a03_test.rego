package triangulate.rules.a03_test

import data.triangulate.rules.a03

# Twelve equal months of n, with extra added to April.
months(n, extra) := array.concat([n + extra], [n | some _ in numbers.range(2, 12)])

flow(n, extra) := {"total": (n * 12) + extra, "months": months(n, extra)}

# RTK and 09N plan the given non-elective and GP referral flows from the given
# prior-year outturns.
pair(provider, provider_prior, commissioner, commissioner_prior) := {"plans": {
	"RTK": {
		"kind": "provider", "org": "RTK",
		"activity": {"09N": provider},
		"prior_year": {"activity": {"09N": provider_prior}},
	},
	"09N": {
		"kind": "commissioner", "org": "09N",
		"contracts": {"RTK": {"value": {"total": 0, "months": months(0, 0)}, "activity": commissioner}},
		"prior_year": {"activity": {"RTK": commissioner_prior}},
	},
}}

# Both sides plan 2% non-elective growth and 3% referral growth from the same outturn.
agreed := {"non_elective": flow(850, 0), "gp_referrals": flow(858, 4), "op_first": flow(2000, 0)}

prior := {"non_elective": 10000, "gp_referrals": 10000, "op_first": 20000}

ne_warning(message) := {
	"rule": "A03",
	"severity": "warning",
	"org": "RTK",
	"orgs": ["RTK", "09N"],
	"path": ["activity", "09N", "non_elective", "total"],
	"related": [{"org": "09N", "path": ["contracts", "RTK", "activity", "non_elective", "total"]}],
	"month": 0,
	"message": message,
}

test_success_same_plan_same_outturn if {
	count(a03.findings) == 0 with input as pair(agreed, prior, agreed, prior)
}

test_success_same_growth_from_different_outturns if {
	# 10,200 from 10,000 and 10,710 from 10,500 are both +2%.
	commissioner := object.union(agreed, {"non_elective": flow(892, 6)})
	count(a03.findings) == 0 with input as pair(agreed, prior, commissioner, object.union(prior, {"non_elective": 10500}))
}

test_success_exactly_at_gap_limit if {
	# +2% against +3%.
	commissioner := object.union(agreed, {"non_elective": flow(858, 4)})
	count(a03.findings) == 0 with input as pair(agreed, prior, commissioner, prior)
}

test_success_other_lines_not_compared if {
	commissioner := object.union(agreed, {"op_first": flow(2500, 0)})
	count(a03.findings) == 0 with input as pair(agreed, prior, commissioner, prior)
}

test_success_no_prior_outturn if {
	commissioner := object.union(agreed, {"non_elective": flow(1000, 0)})
	no_prior := object.remove(prior, ["non_elective"])
	count(a03.findings) == 0 with input as pair(agreed, prior, commissioner, no_prior)
}

test_success_zero_prior_outturn if {
	commissioner := object.union(agreed, {"non_elective": flow(1000, 0)})
	count(a03.findings) == 0 with input as pair(agreed, object.union(prior, {"non_elective": 0}), commissioner, prior)
}

test_fail_just_above_gap_limit if {
	commissioner := object.union(agreed, {"non_elective": flow(858, 5)})
	a03.findings == {ne_warning("RTK plans non-elective spells (E.M.11) to grow by +2.00% from 09N (10,200 against 10,000 in the prior year); 09N plans +3.01% with RTK (10,301 against 10,000): 1.01 points apart, tolerance 1 point")} with input as pair(agreed, prior, commissioner, prior)
}

test_fail_same_volume_from_different_outturns if {
	a03.findings == {ne_warning("RTK plans non-elective spells (E.M.11) to grow by +2.0% from 09N (10,200 against 10,000 in the prior year); 09N plans -2.9% with RTK (10,200 against 10,500): 4.9 points apart, tolerance 1 point")} with input as pair(agreed, prior, agreed, object.union(prior, {"non_elective": 10500}))
}

test_fail_both_lines if {
	commissioner := object.union(agreed, {"non_elective": flow(875, 0), "gp_referrals": flow(825, 0)})
	a03.findings == {
		ne_warning("RTK plans non-elective spells (E.M.11) to grow by +2.0% from 09N (10,200 against 10,000 in the prior year); 09N plans +5.0% with RTK (10,500 against 10,000): 3.0 points apart, tolerance 1 point"),
		{
			"rule": "A03",
			"severity": "warning",
			"org": "RTK",
			"orgs": ["RTK", "09N"],
			"path": ["activity", "09N", "gp_referrals", "total"],
			"related": [{"org": "09N", "path": ["contracts", "RTK", "activity", "gp_referrals", "total"]}],
			"month": 0,
			"message": "RTK plans GP referrals (E.M.1) to grow by +3.0% from 09N (10,300 against 10,000 in the prior year); 09N plans -1.0% with RTK (9,900 against 10,000): 4.0 points apart, tolerance 1 point",
		},
	} with input as pair(agreed, prior, commissioner, prior)
}

test_fail_thresholds_from_policy_data if {
	commissioner := object.union(agreed, {"non_elective": flow(854, 0)})
	a03.findings == {ne_warning("RTK plans non-elective spells (E.M.11) to grow by +2.0% from 09N (10,200 against 10,000 in the prior year); 09N plans +2.5% with RTK (10,248 against 10,000): 0.5 points apart, tolerance 0.25 points")} with input as pair(agreed, prior, commissioner, prior)
		with data.triangulate.thresholds.alignment.growth_gap_points as 0.25
}

# The same plans from outturns that differ only on a line not compared:
# each growth line is still the same growth on both sides.
test_success_outturns_differ_on_another_line if {
	count(a03.findings) == 0 with input as pair(agreed, prior, agreed, object.union(prior, {"op_first": 25000}))
}

# The same plans, with both sides' outturns equal but written differently
# (10000 and 10000.0): the same growth.
test_success_same_outturn_written_differently if {
	count(a03.findings) == 0 with input as pair(agreed, prior, agreed, object.union(prior, {"non_elective": 10000.0}))
}
