# METADATA
# title: Numerators and occupied beds fit within their totals
# description: |
#   For every performance trajectory the patients meeting the standard
#   (numerator) cannot exceed the patients counted (denominator) in any month,
#   and the G&A beds occupied cannot exceed the core plus escalation beds open.
#   One finding per trajectory and for beds, at the first month that breaks.
# custom:
#   id: I05
#   category: consistency
#   severity: error
#   reads: plan
#   rationale: >-
#     A rate above 100% or more patients in beds than beds open is arithmetic
#     no service can deliver, and it hides how far the plan really is from the
#     constitutional standards.
package triangulate.rules.i05

import data.triangulate.lib

_trajectory_labels := {
	"ae_4h": "an A&E 4-hour",
	"rtt_18w": "an RTT 18-week",
	"cancer_62d": "a cancer 62-day",
	"diagnostics_6w": "a diagnostics 6-week",
}

findings contains f if {
	some code, plan in lib.providers
	some name, trajectory in plan.performance
	not _below(trajectory.numerator, trajectory.denominator)
	bad := {i | some i, numerator in trajectory.numerator; numerator > trajectory.denominator[i]}
	i := min(bad)
	f := lib.finding({
		"rule": "I05",
		"severity": "error",
		"org": code,
		"path": ["performance", name, "numerator", i],
		"month": i + 1,
		"message": sprintf("%s plans %s trajectory whose numerator of %s exceeds its denominator of %s in %s%s", [
			code, object.get(_trajectory_labels, name, sprintf("a %s", [name])), lib.fmt_int(trajectory.numerator[i]),
			lib.fmt_int(trajectory.denominator[i]), lib.month_label(i + 1), _also(count(bad)),
		]),
	})
}

findings contains f if {
	some code, plan in lib.providers
	capacity := plan.capacity
	not _fits(capacity)
	bad := {i |
		some i, occupied in capacity.beds_occupied.months
		occupied > capacity.beds_core.months[i] + capacity.beds_escalation.months[i]
	}
	i := min(bad)
	f := lib.finding({
		"rule": "I05",
		"severity": "error",
		"org": code,
		"path": ["capacity", "beds_occupied", "months", i],
		"month": i + 1,
		"message": sprintf("%s plans %s G&A beds occupied in %s, but only %s open (%s core and %s escalation)%s", [
			code, lib.fmt_int(capacity.beds_occupied.months[i]), lib.month_label(i + 1),
			lib.fmt_int(capacity.beds_core.months[i] + capacity.beds_escalation.months[i]),
			lib.fmt_int(capacity.beds_core.months[i]), lib.fmt_int(capacity.beds_escalation.months[i]),
			_also(count(bad)),
		]),
	})
}

# _below(numerator, denominator) holds when no month's numerator can be
# above its denominator: the largest numerator is at most the smallest
# denominator. Two builtins settle such a trajectory; any other is searched
# month by month.
_below(numerator, denominator) if {
	is_array(numerator)
	is_array(denominator)
	max(numerator) <= min(denominator)
}

# _fits(capacity) holds when no month can have more beds occupied than open:
# the most beds occupied in any month are at most the fewest core beds plus
# the fewest escalation beds. Both minimums and maximums are numbers only
# when every month is one, so the sum cannot fail.
_fits(capacity) if {
	core := capacity.beds_core.months
	escalation := capacity.beds_escalation.months
	is_array(capacity.beds_occupied.months)
	is_array(core)
	is_array(escalation)
	is_number(max(core))
	is_number(min(core))
	is_number(max(escalation))
	is_number(min(escalation))
	max(capacity.beds_occupied.months) <= min(core) + min(escalation)
}

_also(1) := ""

_also(n) := sprintf(", the first of %d such months", [n]) if n > 1
