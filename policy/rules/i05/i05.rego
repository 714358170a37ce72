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

_also(1) := ""

_also(n) := sprintf(", the first of %d such months", [n]) if n > 1
