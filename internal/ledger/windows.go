package ledger

import (
	"fmt"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

// window is one submission window of a register. A window's dates are days
// in London: it closes at the end of its closes day.
type window struct {
	name         string
	opens, close time.Time // close is the first instant after the window
	closes       string
}

type windows []window

// parseWindows reads a register's submission_windows. The schema has checked
// the dates' shape; a date that still does not parse names its place.
func parseWindows(d *plan.Document) (windows, error) {
	list, _ := d.Data["submission_windows"].([]any)
	var out windows
	for i, raw := range list {
		m, _ := raw.(map[string]any)
		name, _ := m["name"].(string)
		var days [2]time.Time
		for j, field := range []string{"opens", "closes"} {
			s, _ := m[field].(string)
			t, err := time.ParseInLocation(time.DateOnly, s, contracts.London)
			if err != nil {
				return nil, fmt.Errorf("%s: submission window %q %s %q is not a date (YYYY-MM-DD)",
					d.Locate([]any{"submission_windows", i, field}), name, field, s)
			}
			days[j] = t
		}
		closes, _ := m["closes"].(string)
		out = append(out, window{name: name, opens: days[0], close: days[1].AddDate(0, 0, 1), closes: closes})
	}
	return out, nil
}

// deadline is the window called name that closes last, if any.
func (ws windows) deadline(name string) (window, bool) {
	var best window
	found := false
	for _, w := range ws {
		if w.name == name && (!found || w.close.After(best.close)) {
			best, found = w, true
		}
	}
	return best, found
}

// timeliness judges one version against the window of its status; a plan
// that could not be read is judged as a draft.
func (ws windows) timeliness(status string, at time.Time) (string, string) {
	name := status
	if name != Final {
		name = Draft
	}
	w, ok := ws.deadline(name)
	if !ok {
		return NoWindow, ""
	}
	if at.Before(w.close) {
		return OnTime, w.closes
	}
	if name == Final {
		for _, r := range ws {
			if r.name == "resubmission" && !at.Before(r.opens) && at.Before(r.close) {
				return Resubmission, w.closes
			}
		}
	}
	return Late, w.closes
}

// state judges a year's draft or final: first is the first version that
// counts (any version for the draft, the first final for the final).
func (ws windows) state(name string, first *Version, asOf time.Time) (string, string) {
	w, ok := ws.deadline(name)
	if !ok {
		return NoWindow, ""
	}
	switch {
	case first == nil && asOf.Before(w.close):
		return Due, w.closes
	case first == nil:
		return Missing, w.closes
	case first.Date.Before(w.close):
		return OnTime, w.closes
	}
	if t, _ := ws.timeliness(Final, first.Date); name == Final && t == Resubmission {
		return Resubmission, w.closes
	}
	return Late, w.closes
}
