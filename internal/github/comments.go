package github

import (
	"fmt"

	gh "github.com/google/go-github/v60/github"
)

// commentPlan is what to do with line comments, decided before any write.
type commentPlan struct {
	post     []Comment                // new, within the per-review cap
	listed   []Comment                // new, over the cap: listed in the body
	obsolete []*gh.PullRequestComment // ours, no longer wanted
	skipped  int
	// bodyPosted is set when a review already carries this body.
	bodyPosted bool
	warnings   []string
	// rejected is GitHub's reason for refusing the line comments, once it
	// has: every comment is then listed in the body.
	rejected string
}

func planComments(pub Publication, existing []*gh.PullRequestComment, reviews []*gh.PullRequestReview, maxComments int) commentPlan {
	var plan commentPlan
	wanted := map[string]bool{}
	for _, fp := range pub.Keep {
		wanted[safeFingerprint(fp)] = true
	}
	hash := bodyHash(pub.Body)
	already := map[string]bool{} // fingerprints posted earlier, as comments or listed
	for _, r := range reviews {
		for _, fp := range listedIn(r.GetBody()) {
			already[fp] = true
		}
		if m := reviewRe.FindStringSubmatch(r.GetBody()); m != nil && m[1] == hash {
			plan.bodyPosted = true
		}
	}
	obsolete := map[int64]bool{}
	commented := map[string]bool{}
	for _, c := range existing {
		fp, _ := fingerprintOf(c.GetBody())
		if commented[fp] {
			// A second comment with the same fingerprint: a retried write
			// that GitHub had completed after all. Keep the oldest only.
			obsolete[c.GetID()] = true
			plan.obsolete = append(plan.obsolete, c)
			continue
		}
		commented[fp] = true
		already[fp] = true
	}
	seen := map[string]bool{}
	for _, c := range pub.Comments {
		c.Fingerprint = safeFingerprint(c.Fingerprint)
		if c.Fingerprint == "" {
			c.Fingerprint = bodyHash(c.Path + "\x00" + c.Body)
		}
		if seen[c.Fingerprint] {
			continue
		}
		seen[c.Fingerprint] = true
		wanted[c.Fingerprint] = true
		switch {
		case already[c.Fingerprint]:
			plan.skipped++
		case c.Path == "" || c.Line < 1:
			plan.warnings = append(plan.warnings, fmt.Sprintf("comment %s has no file line; listed in the review body", c.Fingerprint))
			plan.listed = append(plan.listed, c)
		case len(plan.post) >= maxComments:
			plan.listed = append(plan.listed, c)
		default:
			plan.post = append(plan.post, c)
		}
	}
	for _, c := range existing {
		fp, _ := fingerprintOf(c.GetBody())
		if !wanted[fp] && !obsolete[c.GetID()] {
			plan.obsolete = append(plan.obsolete, c)
		}
	}
	return plan
}
