# METADATA
# title: Planned growth agrees between commissioner and provider
# description: |
#   For every contract and for non-elective spells and GP referrals, each side's
#   planned growth (annual plan, summed over months, against its own prior-year
#   outturn for the other side) is compared: a gap of more than
#   alignment.growth_gap_points (1) percentage points is a warning.
# custom:
#   id: A03
#   category: alignment
#   severity: warning
#   reads: pair
#   rationale: >-
#     Sides that agree this year's volume but start from different outturns
#     disagree about demand, and in 2015-16 non-elective activity and GP
#     referrals, the lines growth is planned for, ran 9% and 12% above the levels
#     the two sides had agreed.
package triangulate.rules.a03

import data.triangulate.lib

# Demand-led lines whose growth both sides must forecast alike.
growth_lines := ["non_elective", "gp_referrals"]

findings contains f if {
	gap_limit := lib.thresholds.alignment.growth_gap_points
	some [p_code, c_code] in lib.contract_pairs
	provider := lib.providers[p_code]
	commissioner := lib.commissioners[c_code]

	# Two sides planning the same activity from the same outturn forecast
	# the same growth on every line: one comparison settles most contracts.
	not _same_plans(provider, commissioner, p_code, c_code)
	some line in growth_lines
	provider_flow := provider.activity[c_code][line]
	commissioner_flow := commissioner.contracts[p_code].activity[line]
	provider_prior := provider.prior_year.activity[c_code][line]
	commissioner_prior := commissioner.prior_year.activity[p_code][line]
	provider_prior > 0
	commissioner_prior > 0

	# The same plan from the same outturn is the same growth: skip the arithmetic.
	not _same_basis(provider_flow, commissioner_flow, provider_prior, commissioner_prior)

	provider_annual := sum(provider_flow.months)
	commissioner_annual := sum(commissioner_flow.months)
	provider_growth := lib.growth_pct(provider_annual, provider_prior)
	commissioner_growth := lib.growth_pct(commissioner_annual, commissioner_prior)
	gap := abs(provider_growth - commissioner_growth)
	gap > gap_limit
	decimals := lib.above_decimals(gap, gap_limit)

	f := lib.finding({
		"rule": "A03",
		"severity": "warning",
		"org": p_code,
		"orgs": [p_code, c_code],
		"path": ["activity", c_code, line, "total"],
		"related": [{"org": c_code, "path": ["contracts", p_code, "activity", line, "total"]}],
		"message": sprintf(
			"%s plans %s to grow by %s%% from %s (%s against %s in the prior year); %s plans %s%% with %s (%s against %s): %s points apart, tolerance %s",
			[
				p_code, lib.activity_line_label(line), _signed(provider_growth, decimals), c_code,
				lib.fmt_int(provider_annual), lib.fmt_int(provider_prior),
				c_code, _signed(commissioner_growth, decimals), p_code,
				lib.fmt_int(commissioner_annual), lib.fmt_int(commissioner_prior),
				lib.fmt_decimal(gap, decimals), _points(gap_limit),
			],
		),
	})
}

# _same_plans holds when both sides plan the very same activity block for
# the contract and record the very same prior-year activity. (!= compares
# two blocks as values; == would unify them key by key, which costs more.)
_same_plans(provider, commissioner, p_code, c_code) if {
	provider_block := provider.activity[c_code]
	commissioner_block := commissioner.contracts[p_code].activity
	not provider_block != commissioner_block
	provider_prior := provider.prior_year.activity[c_code]
	commissioner_prior := commissioner.prior_year.activity[p_code]
	not provider_prior != commissioner_prior
}

_same_basis(provider_flow, commissioner_flow, provider_prior, commissioner_prior) if {
	provider_flow.months == commissioner_flow.months
	provider_prior == commissioner_prior
}

# Growths are printed as precisely as their gap, so the two read consistently.
_signed(x, decimals) := concat("", ["+", lib.fmt_decimal(x, decimals)]) if x >= 0

_signed(x, decimals) := lib.fmt_decimal(x, decimals) if x < 0

_points(1) := "1 point"

_points(x) := sprintf("%s points", [lib.fmt_limit(x)]) if x != 1
