# Helpers shared by the alignment rules (A01-A05), which compare the two sides
# of every commissioner-provider contract: the same pair join, the same way of
# reading an activity line and the same severity bands, so the rules agree on
# what a pair and a difference are.
package triangulate.lib

# Lines of the planning template as a regulator names them, with the line
# reference, for messages.
activity_line_labels := {
	"gp_referrals": "GP referrals (E.M.1)",
	"other_referrals": "other referrals (E.M.7)",
	"op_first": "first outpatient attendances (E.M.8)",
	"op_followup": "follow-up outpatient attendances (E.M.9)",
	"elective": "elective spells (E.M.10)",
	"elective_daycase": "day-case elective spells (E.M.10a)",
	"elective_ordinary": "ordinary elective spells (E.M.10b)",
	"non_elective": "non-elective spells (E.M.11)",
	"non_elective_zero_los": "zero-day non-elective spells (E.M.11a)",
	"non_elective_los": "non-elective spells of 1+ days (E.M.11b)",
	"ae_total": "A&E attendances (E.M.12+E.M.13)",
	"ae_type1": "type 1 A&E attendances (E.M.12)",
	"ae_other": "type 2-3 A&E attendances (E.M.13)",
	"diagnostics": "diagnostic tests (E.B.26)",
}

# METADATA
# description: |
#   activity_line_label("non_elective") is "non-elective spells (E.M.11)"; a
#   line outside the template is named by its key.
activity_line_label(line) := object.get(activity_line_labels, line, line)

# METADATA
# description: |
#   contract_pairs holds [provider code, commissioner code] for every contract
#   both sides plan activity for: the provider has activity[commissioner] and
#   the commissioner's plan has contracts[provider]. Each side is looked up by
#   code, so the join stays linear in the number of contracts.
contract_pairs contains [p_code, c_code] if {
	some p_code, provider in providers
	some c_code, _ in provider.activity
	commissioners[c_code].contracts[p_code]
}

# METADATA
# description: |
#   activity_lines_named(a, b) is the set of activity lines planned in either
#   of two activity blocks.
activity_lines_named(a, b) := {line | some line, _ in a} | {line | some line, _ in b}

# METADATA
# scope: document
# description: |
#   line_annual(lines, line) is the annual value of a line of an activity
#   block: the sum of its months, not its declared total (I01 checks that), and
#   0 when the block does not plan the line.
line_annual(lines, line) := sum(lines[line].months)

line_annual(lines, line) := 0 if not lines[line]

# METADATA
# scope: document
# description: |
#   severity_band(x, warning_limit, error_limit) is "error" above error_limit,
#   "warning" above warning_limit and undefined otherwise: exactly at a limit
#   passes that limit.
severity_band(x, _, error_limit) := "error" if x > error_limit

severity_band(x, warning_limit, error_limit) := "warning" if {
	x > warning_limit
	x <= error_limit
}

# METADATA
# description: |
#   fmt_decimal(x, d) prints x rounded to d (1 to 3) decimals: fmt_decimal(5, 1)
#   is "5.0". sprintf's %f cannot print a number Rego holds as an integer, and a
#   percentage such as 600 * 100 / 12000 is one.
fmt_decimal(x, d) := concat("", [_decimal_sign(x, n), substring(digits, 0, l - d), ".", substring(digits, l - d, d)]) if {
	n := round(abs(x) * _decimal_scale[d])
	raw := format_int(n, 10)
	digits := concat("", [substring("000", 0, max([0, (d + 1) - count(raw)])), raw])
	l := count(digits)
}

_decimal_scale := {1: 10, 2: 100, 3: 1000}

_decimal_sign(x, n) := "-" if {
	x < 0
	n != 0
}

_decimal_sign(x, _) := "" if x >= 0

_decimal_sign(_, 0) := ""

# METADATA
# description: |
#   fmt_above(x, limit) prints x, which is above limit, with
#   above_decimals(x, limit) decimals, so a message never reads "5.0% apart,
#   tolerance 5%".
fmt_above(x, limit) := fmt_decimal(x, above_decimals(x, limit))

# METADATA
# description: |
#   above_decimals(x, limit) is the fewest decimals (1 to 3) that print x, which
#   is above limit, as a number above limit; 3 when none does.
above_decimals(x, limit) := array.concat(precise, [3])[0] if {
	precise := [d | some d in [1, 2, 3]; to_number(fmt_decimal(x, d)) > limit]
}

# METADATA
# description: |
#   fmt_limit(1) is "1" and fmt_limit(0.5) is "0.5": a threshold as policy
#   data states it.
fmt_limit(x) := sprintf("%v", [x])
