# METADATA
# title: Regulator figures come from the register
# description: |
#   The regulator sets control totals, sustainability funding, agency
#   ceilings, CCG allocations and required surpluses and system control
#   totals in the year's register (policy/register/<year>.cue). A plan that
#   states one of these figures itself is an error naming the register's
#   value, and so is an organisation with a plan but no entry in the
#   register: its figures would be unknown and it could not be judged.
# custom:
#   id: C05
#   category: control_total
#   severity: error
#   reads: plan
#   rationale: >-
#     Organisations do not set their own targets: NHS Improvement and NHS
#     England set them per year, and a plan records only the board's decision.
#     A plan that carries its own control total can grade itself.
package triangulate.rules.c05

import data.triangulate.lib

# Where each kind of document might state a regulator's figure, what the
# figure is called and where the register holds it.
_figures := {
	"provider": [
		{"path": ["finance", "control_total"], "name": "control total", "register": ["control_total"]},
		{"path": ["finance", "agency_ceiling"], "name": "agency ceiling", "register": ["agency_ceiling"]},
		{
			"path": ["finance", "income", "sustainability_funding"], "name": "sustainability funding",
			"register": ["sustainability_funding", "amount"],
		},
	],
	"commissioner": [
		{"path": ["finance", "allocation"], "name": "allocation", "register": ["allocation"]},
		{"path": ["finance", "required_surplus"], "name": "required surplus", "register": ["required_surplus"]},
	],
	"system": [{"path": ["control_total"], "name": "control total", "register": ["control_total"]}],
}

_section := {"provider": "providers", "commissioner": "commissioners", "system": "systems"}

# Every document that could state a figure: plans and system files.
_documents[code] := doc if some code, doc in input.plans

_documents[code] := doc if some code, doc in input.systems

# A document states a figure the regulator sets.
findings contains f if {
	some code, doc in _documents
	some figure in _figures[doc.kind]
	stated := object.get(doc, figure.path, null)
	stated != null
	register_path := array.concat([_section[doc.kind], code], figure.register)
	f := lib.finding({
		"rule": "C05",
		"severity": "error",
		"org": code,
		"path": figure.path,
		"related": _register_side(code, register_path),
		"message": sprintf("%s's plan states its own %s of %s; the %s is set by the regulator, and %s: remove the line (a plan records only the board's decision)", [
			code, figure.name, _fmt(stated), figure.name,
			_register_says(code, register_path),
		]),
	})
}

# An organisation with a plan or system file and no entry in the register.
findings contains f if {
	some code, doc in _documents
	section := _section[doc.kind]
	not lib.register[section][code]
	f := lib.finding({
		"rule": "C05",
		"severity": "error",
		"org": code,
		"path": ["org"],
		"message": sprintf("%s has a %s plan for %s but no entry in the %s register (policy/register/%s.cue), so the figures it is judged against are unknown", [
			code, doc.kind, input.year, input.year, replace(input.year, "/", "-"),
		]),
	})
}

_register_side(code, path) := [{"org": code, "doc": "register", "path": path}] if {
	object.get(lib.register, path, null) != null
} else := []

_register_says(code, path) := sprintf("the %s register sets %s's at %s", [input.year, code, _fmt(value)]) if {
	value := object.get(lib.register, path, null)
	value != null
} else := sprintf("the %s register has none for %s", [input.year, code])

_fmt(x) := lib.fmt_gbp(x) if is_number(x)

_fmt(x) := sprintf("%v", [x]) if not is_number(x)
