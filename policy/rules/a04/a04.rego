# METADATA
# title: Every contract is named by both sides
# description: |
#   A commissioner a provider names (activity or finance.income.by_commissioner)
#   must have a plan with a contract for that provider, and a provider a
#   commissioner names (contracts) must have a plan naming that commissioner
#   back; otherwise the contract is one-sided and gets a warning.
# custom:
#   id: A04
#   category: alignment
#   severity: warning
#   reads: pair
#   rationale: >-
#     A contract only one side plans escapes every other alignment check, so
#     activity and money the other side never planned for go unseen until the
#     year is under way.
package triangulate.rules.a04

import data.triangulate.lib

# A provider names a commissioner the commissioner's plan does not name back.
findings contains f if {
	some p_code, provider in lib.providers
	some c_code in _named_by_provider(provider)
	not lib.commissioners[c_code].contracts[p_code]

	f := lib.finding({
		"rule": "A04",
		"severity": "warning",
		"org": p_code,
		"orgs": [p_code, c_code],
		"path": _provider_path(provider, c_code),
		"related": _commissioner_side(c_code),
		"message": _provider_message(p_code, c_code, _provider_names(provider, c_code), _commissioner_plan(c_code)),
	})
}

# A commissioner names a provider the provider's plan does not name back.
findings contains f if {
	some c_code, commissioner in lib.commissioners
	some p_code, _ in commissioner.contracts
	not _named_back[p_code][c_code]

	f := lib.finding({
		"rule": "A04",
		"severity": "warning",
		"org": c_code,
		"orgs": [p_code, c_code],
		"path": ["contracts", p_code],
		"related": _provider_side(p_code),
		"message": _commissioner_message(c_code, p_code, _provider_plan(p_code)),
	})
}

# Commissioners each provider names, built once so the check from the
# commissioners' side is a lookup per contract.
_named_back := {p_code: _named_by_provider(provider) | some p_code, provider in lib.providers}

_named_by_provider(provider) := {c | some c, _ in object.get(provider, "activity", {})} | {c |
	some c, _ in object.get(provider, ["finance", "income", "by_commissioner"], {})
}

# Activity is where a contract is planned first, so it is the field to point at
# when the provider names the commissioner there.
_provider_path(provider, c_code) := ["activity", c_code] if provider.activity[c_code]

_provider_path(provider, c_code) := ["finance", "income", "by_commissioner", c_code] if not provider.activity[c_code]

_provider_names(provider, c_code) := "activity and income" if {
	provider.activity[c_code]
	provider.finance.income.by_commissioner[c_code]
}

_provider_names(provider, c_code) := "activity" if {
	provider.activity[c_code]
	not provider.finance.income.by_commissioner[c_code]
}

_provider_names(provider, c_code) := "income" if not provider.activity[c_code]

_commissioner_plan(c_code) := "plan" if lib.commissioners[c_code]

_commissioner_plan(c_code) := "none" if not lib.commissioners[c_code]

_provider_plan(p_code) := "plan" if lib.providers[p_code]

_provider_plan(p_code) := "none" if not lib.providers[p_code]

_commissioner_side(c_code) := [{"org": c_code, "path": ["contracts"]}] if lib.commissioners[c_code]

_commissioner_side(c_code) := [] if not lib.commissioners[c_code]

_provider_side(p_code) := [{"org": p_code, "path": ["activity"]}] if lib.providers[p_code]

_provider_side(p_code) := [] if not lib.providers[p_code]

_provider_message(p_code, c_code, names, "plan") := sprintf(
	"%s plans %s from %s, but %s's plan has no contract with %s",
	[p_code, names, c_code, c_code, p_code],
)

_provider_message(p_code, c_code, names, "none") := sprintf(
	"%s plans %s from %s, but %s has no commissioner plan to agree it",
	[p_code, names, c_code, c_code],
)

_commissioner_message(c_code, p_code, "plan") := sprintf(
	"%s has a contract with %s, but %s's plan has neither activity nor income from %s",
	[c_code, p_code, p_code, c_code],
)

_commissioner_message(c_code, p_code, "none") := sprintf(
	"%s has a contract with %s, but %s has no provider plan to agree it",
	[c_code, p_code, p_code],
)
