package triangulate.rules.n01_test

import data.triangulate.rules.n01

_provider(surplus, accepted) := {"kind": "provider", "finance": {"surplus": surplus}, "control_total_decision": {"accepted": accepted}}

_figures(control_total, funding) := {
	"control_total": control_total,
	"sustainability_funding": {"amount": funding, "conditions": ["accept_control_total", "meet_control_total"]},
	"agency_ceiling": 1000,
}

# On the national basis RTK is -3,000 + 2,000 earned = -1,000; RA2 is
# 500 + 1,000 earned = 1,500; RTP, whose board did not accept its control
# total, earns nothing and stays at -200. The sector: 300. The CCG's surplus
# is not the provider sector's.
_plans := {
	"RTK": _provider(-3000, true),
	"RA2": _provider(500, true),
	"RTP": _provider(-200, false),
	"09N": {"kind": "commissioner", "finance": {"surplus": 5000}},
}

_register(asks) := {
	"providers": {"RTK": _figures(-3000, 2000), "RA2": _figures(0, 1000), "RTP": _figures(-1000, 1000)},
	"national_asks": asks,
}

_input(plans, asks) := {"year": "2019/20", "plans": plans, "systems": {}, "organisations": {}, "register": _register(asks)}

_finding(orgs, message) := {
	"rule": "N01", "severity": "warning", "org": "", "orgs": orgs, "month": 0,
	"doc": "register", "scope": "national", "path": ["national_asks", "provider_sector_surplus_min"],
	"related": [{"org": code, "path": ["finance", "surplus"]} | some code in orgs],
	"message": message,
}

test_success_exactly_at_ask if {
	count(n01.findings) == 0 with input as _input(_plans, {"provider_sector_surplus_min": 300})
}

test_success_above_ask if {
	count(n01.findings) == 0 with input as _input(_plans, {"provider_sector_surplus_min": 0})
}

test_success_ask_absent if {
	count(n01.findings) == 0 with input as _input(_plans, {"rtt_waiting_list_no_growth": true})
}

test_success_no_register if {
	count(n01.findings) == 0 with input as object.remove(_input(_plans, {}), ["register"])
}

test_fail_one_short_of_ask if {
	n01.findings == {_finding(["RTK", "RTP"], "The provider sector (3 providers) plans a combined surplus of £300k including the sustainability funding it earns: £1k short of the national ask of at least £301k; deficits: RTK £-1,000k, RTP £-200k")} with input as _input(_plans, {"provider_sector_surplus_min": 301})
}

# £1k below its control total, RTK loses its £2,000k of funding and takes the
# sector into deficit.
test_fail_funding_not_earned if {
	plans := object.union(_plans, {"RTK": _provider(-3001, true)})
	n01.findings == {_finding(["RTK", "RTP"], "The provider sector (3 providers) plans a combined surplus of £-1,701k including the sustainability funding it earns: £1,701k short of the national ask of at least £0k; deficits: RTK £-3,001k, RTP £-200k")} with input as _input(plans, {"provider_sector_surplus_min": 0})
}

# An ask above breakeven that no provider's deficit explains: all share it.
test_fail_no_deficit_all_providers_named if {
	plans := {"RA2": _provider(500, true), "09N": {"kind": "commissioner", "finance": {"surplus": 5000}}}
	n01.findings == {_finding(["RA2"], "The provider sector (1 provider) plans a combined surplus of £1,500k including the sustainability funding it earns: £1k short of the national ask of at least £1,501k")} with input as _input(plans, {"provider_sector_surplus_min": 1501})
}
