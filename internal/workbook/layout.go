// Package workbook turns a plan into the planning workbook finance teams
// fill in, and a filled workbook back into the plan. One layout serves the
// blank template, the export (with the plan's findings as cell comments and
// highlights) and the import, so import(export(plan)) is the plan, byte for
// byte, through the canonical writer of internal/planfile.
//
// A workbook is hostile input: before any spreadsheet library parses it,
// its zip container is checked (size, entry count, uncompressed bytes,
// compression ratio, macros, external links), and every cell the importer
// cannot read is a finding at Sheet!Cell rather than an error.
package workbook

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Sheet names, in workbook order.
const (
	sheetCover        = "Cover"
	sheetActivity     = "Activity"
	sheetCapacity     = "Capacity"
	sheetWorkforce    = "Workforce"
	sheetFinance      = "Finance"
	sheetCIP          = "CIP schemes"
	sheetPerformance  = "Performance"
	sheetContracts    = "Contracts"
	sheetExplanations = "Explanations"
	sheetPrior        = "Prior year"
	sheetFindings     = "Findings"
	sheetLists        = "Lists"
)

// Columns of the grid sheets (1-based): counterparty code and name, the
// line's label and reference, M1..M12, and the annual total.
const (
	colCode  = 1
	colName  = 2
	colLabel = 3
	colRef   = 4
	colM1    = 5
	colTotal = 17
	// colValue holds a single figure on a grid sheet (a length of stay, an
	// amount in the I&E).
	colValue = colM1
)

// Columns of the CIP schemes table.
const (
	cipName = iota + 1
	cipCategory
	cipRecurrent
	cipIdentified
	cipValue
	cipM1
)

// Columns of the Explanations sheet.
const (
	expRule = iota + 1
	expMonth
	expCounterparty
	expAcknowledge
	expText
)

// Cover labels.
const (
	lCode      = "Organisation code"
	lName      = "Organisation name"
	lKind      = "Plan kind"
	lType      = "Trust type"
	lSystem    = "System"
	lYear      = "Year"
	lStatus    = "Status"
	lSynthetic = "Synthetic example data"
	lAccepted  = "Control total accepted by the board"
	lDate      = "Date of the board decision"
	lBoardRef  = "Board paper or minute"
	lMembers   = "Members"
	lStatedCT  = "Control total stated in the plan (leave blank: the register sets it)"
	regPrefix  = "Register: "
)

// Grid labels of single rows.
const (
	lBedsCore       = "G&A beds open: core"
	lBedsEscalation = "G&A beds open: escalation"
	lBedsOccupied   = "G&A beds occupied"
	lLOSOrdinary    = "Length of stay: elective ordinary"
	lLOSNonElective = "Length of stay: non-elective (1+ days)"
	lWTETotal       = "Total WTE"

	lPatientCare  = "Patient-care income"
	lIncomeBy     = "Patient-care income by commissioner"
	lOtherIncome  = "Other income"
	lStatedSF     = "Sustainability funding stated in the plan (leave blank: the register sets it)"
	lPaySubst     = "Pay: substantive"
	lPayBank      = "Pay: bank"
	lPayAgency    = "Pay: agency"
	lNonPay       = "Non-pay"
	lDepreciation = "Depreciation"
	lFinancing    = "Financing"
	lSurplus      = "Surplus/(deficit) before sustainability funding"
	lStatedCTFin  = "Control total stated in the plan (leave blank: the register sets it)"
	lStatedAC     = "Agency ceiling stated in the plan (leave blank: the register sets it)"

	lStatedAlloc = "Allocation stated in the plan (leave blank: the register sets it)"
	lOtherSpend  = "Other spend"
	lQIPP        = "QIPP savings"
	lCCGSurplus  = "Surplus/(deficit)"
	lMentalSpend = "Mental health spend"
	lStatedRS    = "Required surplus stated in the plan (leave blank: the register sets it)"

	lCIPTotal        = "CIP total"
	lCIPRecurrent    = "CIP recurrent"
	lCIPNonRecurrent = "CIP non-recurrent"

	lClockStarts   = "RTT clock starts"
	lAdmitted      = "RTT completed pathways: admitted"
	lNonAdmitted   = "RTT completed pathways: non-admitted"
	lWaitingList   = "RTT waiting list (month end)"
	lWaits52       = "RTT 52+ week waits (month end)"
	suffixNum      = ": numerator"
	suffixDen      = ": denominator"
	lPriorYear     = "Prior year"
	lPriorWTE      = "Average WTE"
	lPriorIncome   = "Patient-care income"
	lPriorPay      = "Pay bill"
	lPriorRTT      = "RTT waiting list at March"
	lPriorWaits52  = "52-week waits at March"
	lPriorMental   = "Mental health spend"
	prefixGrowth   = "Growth %: "
	contractsState = "Status"
)

var monthNames = [12]string{"Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"}

// cell names a cell from 1-based column and row: cell(5, 2) = "E2".
func cell(col, row int) string {
	c, err := excelize.CoordinatesToCellName(min(max(col, 1), excelize.MaxColumns), min(max(row, 1), excelize.TotalRows))
	if err != nil {
		panic(fmt.Sprintf("cell %d,%d: %v", col, row, err))
	}
	return c
}

func colLetter(col int) string {
	c, err := excelize.ColumnNumberToName(col)
	if err != nil {
		panic(err)
	}
	return c
}
