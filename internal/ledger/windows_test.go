package ledger

import (
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

func TestWindows(t *testing.T) {
	doc := &plan.Document{File: "policy/register/2019-20.cue", Data: map[string]any{"submission_windows": []any{
		map[string]any{"name": "draft", "opens": "2019-01-10", "closes": "2019-02-12"},
		map[string]any{"name": "final", "opens": "2019-03-01", "closes": "2019-04-04"},
		map[string]any{"name": "resubmission", "opens": "2019-05-01", "closes": "2019-05-15"},
	}}}
	ws, err := parseWindows(doc)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		d, err := time.ParseInLocation("2006-01-02 15:04", s, contracts.London)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tc := range []struct {
		status, when, want string
	}{
		{"draft", "2019-02-12 23:59", OnTime}, // the closing day counts, in London
		{"draft", "2019-02-13 00:00", Late},
		{"", "2019-02-13 00:00", Late}, // an unreadable plan is judged as a draft
		{"final", "2019-04-04 23:59", OnTime},
		{"final", "2019-04-05 00:00", Late}, // 23:00 UTC on the 4th: already the 5th in London
		{"final", "2019-05-15 12:00", Resubmission},
		{"final", "2019-05-16 00:01", Late},
	} {
		if got, _ := ws.timeliness(tc.status, at(tc.when)); got != tc.want {
			t.Errorf("%s at %s: %s, want %s", tc.status, tc.when, got, tc.want)
		}
	}
	v := &Version{Date: at("2019-05-02 10:00"), Status: Final}
	for _, tc := range []struct {
		name  string
		first *Version
		asOf  string
		want  string
	}{
		{Final, nil, "2019-04-04 12:00", Due},
		{Final, nil, "2019-04-05 00:00", Missing},
		{Final, v, "2019-06-01 00:00", Resubmission},
		{Draft, v, "2019-06-01 00:00", Late},
	} {
		if got, _ := ws.state(tc.name, tc.first, at(tc.asOf)); got != tc.want {
			t.Errorf("%s as of %s: %s, want %s", tc.name, tc.asOf, got, tc.want)
		}
	}
	if got, _ := (windows{}).state(Final, nil, at("2019-06-01 00:00")); got != NoWindow {
		t.Errorf("no windows: %s", got)
	}
	doc.Data["submission_windows"] = []any{map[string]any{"name": "final", "opens": "2019-03-01", "closes": "4 April"}}
	if _, err := parseWindows(doc); err == nil {
		t.Error("a malformed date was accepted")
	}
}
