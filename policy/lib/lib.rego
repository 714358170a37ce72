# METADATA
# title: Shared helpers for Triangulate rules
# description: |
#   Builds every finding in one shape and formats numbers for messages, so all
#   rules read alike and the Go engine decodes one structure.
package triangulate.lib

# The thresholds regulators tune, from policy/data.json.
thresholds := data.triangulate.thresholds

# METADATA
# description: |
#   finding completes a rule's finding with the defaults every finding has:
#   orgs defaults to the primary org, related to none, month to 0 (whole year).
#   Required keys: rule, severity, org, path (list of field names inside the
#   org's document), message.
finding(f) := object.union({"orgs": [f.org], "related": [], "month": 0}, f)

# Providers and commissioners in the plan set, keyed by ODS code.
providers := {code: p | some code, p in input.plans; p.kind == "provider"}

commissioners := {code: p | some code, p in input.plans; p.kind == "commissioner"}

month_names := [
	"April", "May", "June", "July", "August", "September",
	"October", "November", "December", "January", "February", "March",
]

# METADATA
# description: month_label(1) is "M1 (April)".
month_label(m) := sprintf("M%d (%s)", [m, month_names[m - 1]])

# METADATA
# description: fmt_int(61200) is "61,200"; rounds to the nearest whole number.
fmt_int(n) := concat("", [sign, concat(",", groups)]) if {
	i := round(n)
	sign := _sign(i)
	s := format_int(abs(i), 10)
	l := count(s)
	head := _head_len(l)
	groups_after := (l - head) / 3
	rest := [substring(s, head + (3 * k), 3) | some k in numbers.range(0, groups_after); k < groups_after]
	groups := array.concat([substring(s, 0, head)], rest)
}

_sign(i) := "-" if i < 0

_sign(i) := "" if i >= 0

_head_len(l) := 3 if l % 3 == 0

_head_len(l) := l % 3 if l % 3 != 0

# METADATA
# description: fmt_pct(5.678) is "5.7%"; whole numbers too (fmt_pct(100) is "100.0%").
fmt_pct(x) := concat("", [fmt_decimal(x, 1), "%"])

# METADATA
# description: fmt_gbp(1234.5) is "£1,235k" (money is held in £000).
fmt_gbp(x) := sprintf("£%sk", [fmt_int(x)])

# METADATA
# scope: document
# description: pct_diff(a, b) is abs(a - b) as a percentage of b (0 when both are 0).
pct_diff(a, b) := 0 if {
	a == 0
	b == 0
}

pct_diff(a, b) := 100 if {
	a != 0
	b == 0
}

pct_diff(a, b) := (abs(a - b) * 100) / abs(b) if b != 0

# METADATA
# description: growth_pct(plan, prior) is the planned growth over the prior year in percent.
growth_pct(plan, prior) := ((plan - prior) * 100) / prior if prior != 0

# The regulator register of the year being evaluated: control totals,
# sustainability funding, agency ceilings, allocations, required surpluses,
# system control totals and national asks. Empty when the year has none.
register := object.get(input, "register", {})

# METADATA
# description: |
#   provider_figures(code) is the register's entry for a trust
#   (control_total, sustainability_funding {amount, conditions},
#   agency_ceiling); undefined when the register has none.
provider_figures(code) := register.providers[code]

# METADATA
# description: |
#   commissioner_figures(code) is the register's entry for a CCG (allocation,
#   allocation_prior_year, required_surplus); undefined when it has none.
commissioner_figures(code) := register.commissioners[code]

# METADATA
# description: |
#   system_members(code) is the set of organisations the reference list
#   (regulator-owned) places in system code. A system file cannot leave a
#   member out of the system's sums.
system_members(code) := object.get(_members_by_system, code, set())

# Every system's members, gathered in one pass over the reference list: a
# rule asking for each of 42 systems in turn would otherwise read the whole
# list 42 times.
_members_by_system[system] contains org if {
	some org, o in input.organisations
	o.type != "system"
	system := o.system
}

# METADATA
# description: |
#   earned_funding(code) is the sustainability funding a provider's plan
#   earns: the register's amount when its board accepted the control total
#   and its surplus (before the funding) meets it, otherwise 0.
earned_funding(code) := provider_figures(code).sustainability_funding.amount if {
	providers[code].control_total_decision.accepted == true
	providers[code].finance.surplus >= provider_figures(code).control_total
} else := 0
