package testutil

import "time"

// The RTK lines the submission history edits.
const (
	rtkPlan         = "plans/2019-20/providers/rtk.cue"
	gpReferrals     = "gp_referrals: {total: 44000, months: [3498, 3673, 3498, 4022, 3526, 3672, 4022, 3672, 3148, 3924, 3498, 3847]}"
	gpMisaligned    = "gp_referrals: {total: 45320, months: [3608, 3783, 3608, 4132, 3636, 3782, 4132, 3782, 3258, 4034, 3608, 3957]}"
	rtkSigned09N    = `"09N": {state: "signed", date: "2019-03-21"}`
	rtkDisputed09N  = `"09N": {state: "in_dispute", date: "2019-04-09"}`
	referenceList   = "plans/organisations.cue"
	lastCCG         = `"99H": {name: "NHS Surrey Downs CCG", type: "ccg", system: "QXU"}`
	withUnsubmitted = lastCCG + "\n\t\"99K\": {name: \"NHS Example CCG\", type: \"ccg\", system: \"QXU\"}"
)

// SubmissionHistory plays a round of submissions onto g's main (the
// register's windows: drafts by 2019-02-12, finals by 2019-04-04) and
// returns the SHAs of main's five commits:
//
//	0 2019-03-01 09:01 every plan, final, clean: version 1 of each
//	1 2019-03-20 10:01 merge of pull request #5: RTK back to draft with
//	                   3% more GP referrals than 09Y pays for (A01)
//	2 2019-03-25 10:01 a README edit: no submission
//	3 2019-04-10 10:01 "RTK final plan (#7)", squashed: RTK final and
//	                   aligned again, and its contract with 09N in dispute
//	                   since 9 April (09N still has it signed: A06)
//	4 2019-04-11 10:01 the regulators add CCG 99K to the reference list;
//	                   it never submits
func SubmissionHistory(g *Git) []string {
	g.t.Helper()
	shas := []string{g.Head()}

	g.SetClock(time.Date(2019, 3, 20, 10, 0, 0, 0, time.UTC))
	g.Branch("rtk-update")
	g.Replace(rtkPlan, `status:    "final"`, `status:    "draft"`)
	g.Replace(rtkPlan, gpReferrals, gpMisaligned)
	pr := g.Commit("RTK: more GP referrals from 09Y")
	g.Checkout("main")
	g.Replace(rtkPlan, `status:    "final"`, `status:    "draft"`)
	g.Replace(rtkPlan, gpReferrals, gpMisaligned)
	shas = append(shas, g.CommitMerge("Merge pull request #5 from rtk/update\n\nMore GP referrals", pr))

	g.SetClock(time.Date(2019, 3, 25, 10, 0, 0, 0, time.UTC))
	g.Write("README.md", "plans\n")
	shas = append(shas, g.Commit("Say what this is"))

	g.SetClock(time.Date(2019, 4, 10, 10, 0, 0, 0, time.UTC))
	g.Replace(rtkPlan, `status:    "draft"`, `status:    "final"`)
	g.Replace(rtkPlan, gpMisaligned, gpReferrals)
	g.Replace(rtkPlan, rtkSigned09N, rtkDisputed09N)
	shas = append(shas, g.Commit("RTK final plan (#7)"))

	g.SetClock(time.Date(2019, 4, 11, 10, 0, 0, 0, time.UTC))
	g.Replace(referenceList, lastCCG, withUnsubmitted)
	shas = append(shas, g.Commit("Add 99K"))
	return shas
}
