package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type example struct {
	Event   string         `json:"event"`
	Payload map[string]any `json:"payload"`
}

func loadExamples(t *testing.T) []example {
	t.Helper()
	b, err := os.ReadFile("testdata/webhook-examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Examples []example }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Examples
}

// handled is what the server does with each event and action GitHub's
// examples contain: "accepted" queues work, "ignored" answers 202 and
// queues nothing. An action missing here fails the test, so a refreshed
// package with a new action forces a decision.
var handled = map[string]map[string]string{
	"pull_request": {
		"opened": "accepted", "synchronize": "accepted", "reopened": "accepted",
		"assigned": "ignored", "closed": "ignored", "converted_to_draft": "ignored", "labeled": "ignored",
		"locked": "ignored", "ready_for_review": "ignored", "review_request_removed": "ignored",
		"review_requested": "ignored", "unassigned": "ignored", "unlabeled": "ignored", "unlocked": "ignored",
		"edited":             "ignored", // without a base change; see TestAlteredExamples
		"auto_merge_enabled": "ignored", "auto_merge_disabled": "ignored", "dequeued": "ignored",
		"enqueued": "ignored", "milestoned": "ignored", "demilestoned": "ignored",
	},
	"merge_group": {"checks_requested": "accepted", "destroyed": "ignored"},
	// None of the examples is a check of ours: GitHub sends check_run and
	// check_suite events to the App that owns them only, but a repository
	// webhook in token mode sees every App's.
	"check_run":   {"created": "ignored", "completed": "ignored", "requested_action": "ignored", "rerequested": "ignored"},
	"check_suite": {"completed": "ignored", "requested": "ignored", "rerequested": "ignored"},
	"push":        {"": "ignored"}, // to tags and master; the submission branch is main
	"ping":        {"": "ping"},
}

var wantCode = map[string]int{"accepted": http.StatusAccepted, "ignored": http.StatusAccepted, "ping": http.StatusOK}

// TestExamples replays every example payload, validly signed, through the
// handler of a fresh server: each is queued or ignored as designed, never
// refused, and nothing is queued for an ignored one.
func TestExamples(t *testing.T) {
	examples := loadExamples(t)
	counts := map[string]int{}
	for i, ex := range examples {
		action, _ := ex.Payload["action"].(string)
		name := fmt.Sprintf("%02d_%s_%s", i, ex.Event, action)
		counts[ex.Event]++
		t.Run(name, func(t *testing.T) {
			want, ok := handled[ex.Event][action]
			if !ok {
				t.Fatalf("event %s action %q is new: decide whether the server acts on it and add it to handled", ex.Event, action)
			}
			got, code := replay(t, Config{}, ex)
			if code != wantCode[want] || got != want {
				t.Errorf("got %s (%d), want %s (%d)", got, code, want, wantCode[want])
			}
		})
	}
	for _, ev := range []string{"pull_request", "merge_group", "check_run"} {
		if counts[ev] == 0 {
			t.Errorf("no %s examples in testdata: refresh it (see testdata/README.md)", ev)
		}
	}
}

// replay sends one example to a new server and reports what became of it.
func replay(t *testing.T, tune Config, ex example) (string, int) {
	t.Helper()
	s := newTestServer(t, newFakeGitHub(), func(c *Config) {
		c.AppID, c.SubmissionBranch = tune.AppID, tune.SubmissionBranch
	})
	body, err := json.Marshal(ex.Payload)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, request(ex.Event, "d-1", body))
	queued := len(queuedJobs(s))
	outcome := "ignored"
	switch {
	case rec.Code == http.StatusOK && ex.Event == "ping":
		outcome = "ping"
	case rec.Code != http.StatusAccepted:
		outcome = "refused: " + rec.Body.String()
	case queued > 0:
		outcome = "accepted"
	}
	if outcome != "accepted" && queued != 0 {
		t.Errorf("%s but %d tasks queued", outcome, queued)
	}
	return outcome, rec.Code
}

// pick returns a deep copy of the first example of event and action.
func pick(t *testing.T, examples []example, event, action string) example {
	t.Helper()
	for _, ex := range examples {
		if a, _ := ex.Payload["action"].(string); ex.Event == event && a == action {
			b, _ := json.Marshal(ex.Payload)
			var p map[string]any
			json.Unmarshal(b, &p)
			return example{Event: event, Payload: p}
		}
	}
	t.Fatalf("no %s %s example", event, action)
	return example{}
}

func obj(v any) map[string]any { return v.(map[string]any) }

// TestAlteredExamples covers what the package has no example of, by
// altering real payloads: a retarget, a re-run of our own check, a push
// to the submission branch.
func TestAlteredExamples(t *testing.T) {
	examples := loadExamples(t)
	cases := []struct {
		name   string
		event  string
		action string
		cfg    Config
		alter  func(p map[string]any)
		want   string
	}{
		{"edited with a base change", "pull_request", "opened", Config{}, func(p map[string]any) {
			p["action"] = "edited"
			p["changes"] = map[string]any{"base": map[string]any{"ref": map[string]any{"from": "weakened"}, "sha": map[string]any{"from": sha("w")}}}
		}, "accepted"},
		{"edited title only", "pull_request", "opened", Config{}, func(p map[string]any) {
			p["action"] = "edited"
			p["changes"] = map[string]any{"title": map[string]any{"from": "old"}}
		}, "ignored"},
		{"opened against another base is still queued", "pull_request", "opened", Config{}, func(p map[string]any) {
			obj(obj(p["pull_request"])["base"])["ref"] = "weakened"
		}, "accepted"},
		{"re-run of our check, token mode", "check_run", "rerequested", Config{}, func(p map[string]any) {
			obj(p["check_run"])["name"] = "triangulate"
		}, "accepted"},
		{"re-run of our check, App mode", "check_run", "rerequested", Config{AppID: 2}, func(p map[string]any) {
			obj(p["check_run"])["name"] = "triangulate"
		}, "accepted"},
		{"re-run of another App's check named like ours", "check_run", "rerequested", Config{AppID: 99}, func(p map[string]any) {
			obj(p["check_run"])["name"] = "triangulate"
		}, "ignored"},
		{"created check run of ours", "check_run", "created", Config{}, func(p map[string]any) {
			obj(p["check_run"])["name"] = "triangulate"
		}, "ignored"},
		{"re-run of our suite", "check_suite", "rerequested", Config{AppID: 29310}, func(map[string]any) {}, "accepted"},
		{"re-run of another App's suite", "check_suite", "rerequested", Config{AppID: 2}, func(map[string]any) {}, "ignored"},
		{"push to the submission branch", "push", "", Config{SubmissionBranch: "master"}, func(p map[string]any) {}, "accepted"},
		{"deletion of the submission branch", "push", "", Config{SubmissionBranch: "master"}, func(p map[string]any) {
			p["deleted"] = true
		}, "ignored"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ex := pick(t, examples, c.event, c.action)
			if c.event == "push" {
				ex = pickPush(t, examples)
			}
			c.alter(ex.Payload)
			if got, _ := replay(t, c.cfg, ex); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func pickPush(t *testing.T, examples []example) example {
	for _, ex := range examples {
		if ex.Event == "push" && ex.Payload["ref"] == "refs/heads/master" {
			b, _ := json.Marshal(ex.Payload)
			var p map[string]any
			json.Unmarshal(b, &p)
			return example{Event: "push", Payload: p}
		}
	}
	t.Fatal("no push to master example")
	return example{}
}

// TestExampleJobs checks the jobs built from real payloads field by field.
func TestExampleJobs(t *testing.T) {
	examples := loadExamples(t)
	pr := pick(t, examples, "pull_request", "synchronize")
	mg := pick(t, examples, "merge_group", "checks_requested")
	for _, ex := range []example{pr, mg} {
		s := newTestServer(t, newFakeGitHub(), nil)
		body, _ := json.Marshal(ex.Payload)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, request(ex.Event, "d-"+ex.Event, body))
		jobs := queuedJobs(s)
		if len(jobs) != 1 {
			t.Fatalf("%s: %d jobs queued, want 1", ex.Event, len(jobs))
		}
		got := jobs[0].job
		repo := obj(ex.Payload["repository"])
		want := Job{Delivery: "d-" + ex.Event, Owner: obj(repo["owner"])["login"].(string), Repo: repo["name"].(string),
			CloneURL: repo["clone_url"].(string)}
		if inst, ok := ex.Payload["installation"].(map[string]any); ok {
			want.Installation = int64(inst["id"].(float64))
		}
		switch ex.Event {
		case "pull_request":
			p := obj(ex.Payload["pull_request"])
			want.Kind, want.PR = KindPullRequest, int(p["number"].(float64))
			want.HeadSHA = obj(p["head"])["sha"].(string)
			want.BaseRef, want.BaseSHA = obj(p["base"])["ref"].(string), obj(p["base"])["sha"].(string)
		case "merge_group":
			m := obj(ex.Payload["merge_group"])
			want.Kind, want.HeadSHA, want.BaseSHA, want.BaseRef, want.HeadRef = KindMergeGroup, m["head_sha"].(string), m["base_sha"].(string), "main", m["head_ref"].(string)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s job (-want +got):\n%s", ex.Event, diff)
		}
	}
}
