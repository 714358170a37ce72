package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// kindsAndHeads names jobs "kind:head" by the names their heads were made from.
func kindsAndHeads(js []Job, names []string) []string {
	byHash := map[string]string{}
	for _, n := range names {
		byHash[sha(n)] = n
	}
	var out []string
	for _, j := range js {
		n, ok := byHash[j.HeadSHA]
		if !ok {
			n = j.HeadSHA
		}
		out = append(out, j.Kind+":"+n)
	}
	return out
}

// TestSupersedeQueued: with the only worker busy, two heads of one pull
// request arrive; only the newer is reviewed.
func TestSupersedeQueued(t *testing.T) {
	g := newFakeGitHub()
	release := make(chan struct{})
	g.started = make(chan Job, 10)
	g.review = func(ctx context.Context, j Job) error {
		if j.PR == 99 {
			<-release
		}
		return nil
	}
	s := start(t, newTestServer(t, g, func(c *Config) { c.Workers = 1 }))
	c := &http.Client{}
	now := time.Now()
	s.deliver(t, c, "pull_request", "d-99", prPayload("opened", 99, sha("busy"), "main", now))
	<-g.started
	s.deliver(t, c, "pull_request", "d-1", prPayload("opened", 1, sha("a"), "main", now))
	s.deliver(t, c, "pull_request", "d-2", prPayload("synchronize", 1, sha("b"), "main", now.Add(time.Second)))
	close(release)
	waitUntil(t, "idle", s.q.idle)
	_, done := g.snapshot()
	want := []string{"pull_request:busy", "pull_request:b"}
	if diff := cmp.Diff(want, kindsAndHeads(done, []string{"busy", "a", "b"})); diff != "" {
		t.Errorf("reviews (-want +got):\n%s", diff)
	}
	if got := metric(t, s.Server, `triangulate_superseded_total{where="queued"}`); got != "1" {
		t.Errorf("superseded queued = %s, want 1", got)
	}
}

// TestSupersedeRunning: a newer head cancels the running review of the
// older one (its context says why) and is reviewed next.
func TestSupersedeRunning(t *testing.T) {
	g := newFakeGitHub()
	g.started = make(chan Job, 10)
	var mu sync.Mutex
	var causes []error
	g.review = func(ctx context.Context, j Job) error {
		if j.HeadSHA == sha("a") {
			<-ctx.Done()
			mu.Lock()
			causes = append(causes, context.Cause(ctx))
			mu.Unlock()
			return ctx.Err()
		}
		return nil
	}
	s := start(t, newTestServer(t, g, func(c *Config) { c.Workers = 2 }))
	c := &http.Client{}
	now := time.Now()
	s.deliver(t, c, "pull_request", "d-1", prPayload("opened", 1, sha("a"), "main", now))
	<-g.started
	s.deliver(t, c, "pull_request", "d-2", prPayload("synchronize", 1, sha("b"), "main", now.Add(time.Second)))
	waitUntil(t, "idle", s.q.idle)
	calls, done := g.snapshot()
	names := []string{"a", "b"}
	if diff := cmp.Diff([]string{"pull_request:a", "pull_request:b"}, kindsAndHeads(calls, names)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pull_request:b"}, kindsAndHeads(done, names)); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(causes) != 1 || !errors.Is(causes[0], errSuperseded) {
		t.Errorf("cancel causes %v, want [%v]", causes, errSuperseded)
	}
	for series, want := range map[string]string{
		`triangulate_superseded_total{where="running"}`:   "1",
		`triangulate_reviews_total{outcome="superseded"}`: "1",
		`triangulate_reviews_total{outcome="ok"}`:         "1",
	} {
		if got := metric(t, s.Server, series); got != want {
			t.Errorf("%s = %s, want %s", series, got, want)
		}
	}
}

// TestPlace covers the queue's rules one by one, without workers.
func TestPlace(t *testing.T) {
	t0 := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	pr := func(kind, head, base string, at time.Time, m mode) *task {
		return &task{key: "o/r#1", job: Job{Kind: kind, PR: 1, HeadSHA: sha(head), BaseRef: "main", BaseSHA: sha(base)}, at: at, attempt: 1, mode: m}
	}
	type step struct {
		t    *task
		take bool // a worker takes the queued task after this step
		want verdict
	}
	cases := []struct {
		name  string
		done  *task // a review that already finished
		steps []step
		queue []string // heads queued at the end
	}{
		{"newer head replaces queued", nil, []step{
			{t: pr(KindPullRequest, "a", "m", t0, active), want: queued},
			{t: pr(KindPullRequest, "b", "m", t0.Add(time.Second), active), want: replaced},
		}, []string{"b"}},
		{"late delivery of an older head is stale", nil, []step{
			{t: pr(KindPullRequest, "b", "m", t0.Add(time.Second), active), want: queued},
			{t: pr(KindPullRequest, "a", "m", t0, active), want: stale},
		}, []string{"b"}},
		{"older than the running review is stale", nil, []step{
			{t: pr(KindPullRequest, "b", "m", t0.Add(time.Second), active), take: true, want: queued},
			{t: pr(KindPullRequest, "a", "m", t0, active), want: stale},
		}, nil},
		{"same head and base is a duplicate", nil, []step{
			{t: pr(KindPullRequest, "a", "m", t0, active), want: queued},
			{t: pr(KindPullRequest, "a", "m", t0, active), want: duplicate},
		}, []string{"a"}},
		{"same as running is a duplicate", nil, []step{
			{t: pr(KindPullRequest, "a", "m", t0, active), take: true, want: queued},
			{t: pr(KindRerequest, "a", "m", time.Time{}, active), want: duplicate},
		}, nil},
		{"reconcile yields to queued work", nil, []step{
			{t: pr(KindPullRequest, "a", "m", t0, active), want: queued},
			{t: pr(KindReconcile, "b", "m", time.Time{}, passive), want: held},
		}, []string{"a"}},
		{"reconcile yields to running work", nil, []step{
			{t: pr(KindPullRequest, "a", "m", t0, active), take: true, want: queued},
			{t: pr(KindReconcile, "a", "m2", time.Time{}, passive), want: held},
		}, nil},
		{"reconcile of a head already reviewed here", pr(KindPullRequest, "a", "m", t0, active), []step{
			{t: pr(KindReconcile, "a", "m", time.Time{}, passive), want: duplicate},
		}, nil},
		{"the same pull_request again after its review", pr(KindPullRequest, "a", "m", t0, active), []step{
			{t: pr(KindPullRequest, "a", "m", t0, active), want: duplicate},
		}, nil},
		{"a re-run after the review runs again", pr(KindPullRequest, "a", "m", t0, active), []step{
			{t: pr(KindRerequest, "a", "m", time.Time{}, active), want: queued},
		}, []string{"a"}},
		{"main moved: queued work is kept", nil, []step{
			{t: pr(KindPullRequest, "b", "m", t0, active), want: queued},
			{t: pr(KindMainMoved, "a", "m2", time.Time{}, refresh), want: held},
		}, []string{"b"}},
		{"main moved: queued behind the running review", nil, []step{
			{t: pr(KindPullRequest, "a", "m", t0, active), take: true, want: queued},
			{t: pr(KindMainMoved, "a", "m2", time.Time{}, refresh), want: queued},
		}, []string{"a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := newQueue(10, 10, func(int, int) {})
			if c.done != nil {
				q.done.put(c.done.key, c.done)
			}
			for i, st := range c.steps {
				vs, err := q.submit([]*task{st.t}, true)
				if err != nil {
					t.Fatal(err)
				}
				if vs[0] != st.want {
					t.Errorf("step %d: verdict %d, want %d", i, vs[0], st.want)
				}
				if st.take {
					if _, _, ok := q.take(context.Background()); !ok {
						t.Fatal("nothing to take")
					}
				}
			}
			var got []string
			for _, k := range q.ready {
				got = append(got, q.slots[k].queued.job.HeadSHA)
			}
			for _, k := range []string{"o/r#1"} { // queued behind a running task
				if s := q.slots[k]; s != nil && s.running != nil && s.queued != nil {
					got = append(got, s.queued.job.HeadSHA)
				}
			}
			var want []string
			for _, h := range c.queue {
				want = append(want, sha(h))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("queued heads (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRetry: a failing review is tried MaxAttempts times, and only the
// last try is told it is the last.
func TestRetry(t *testing.T) {
	g := newFakeGitHub()
	var mu sync.Mutex
	var last []bool
	g.review = func(ctx context.Context, j Job) error {
		mu.Lock()
		defer mu.Unlock()
		last = append(last, LastAttempt(ctx))
		return errors.New("clone failed")
	}
	s := start(t, newTestServer(t, g, nil))
	s.deliver(t, &http.Client{}, "pull_request", "d-1", prPayload("opened", 1, sha("a"), "main", time.Now()))
	waitUntil(t, "three attempts", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(last) == MaxAttempts
	})
	time.Sleep(20 * time.Millisecond) // a fourth try would come after 4 ms
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]bool{false, false, true}, last); diff != "" {
		t.Errorf("LastAttempt per try (-want +got):\n%s", diff)
	}
	if got := metric(t, s.Server, `triangulate_reviews_total{outcome="error"}`); got != "3" {
		t.Errorf("errors = %s, want 3", got)
	}
	if !LastAttempt(context.Background()) {
		t.Error("outside the server every attempt is the last")
	}
}

// TestReviewPanics: a review that panics (a checker bug, or an input
// nothing foresaw) fails like any other review, is retried, and leaves the
// server serving: the next pull request is reviewed.
func TestReviewPanics(t *testing.T) {
	g := newFakeGitHub()
	var mu sync.Mutex
	var tries int
	g.review = func(ctx context.Context, j Job) error {
		if j.HeadSHA == sha("boom") {
			mu.Lock()
			tries++
			mu.Unlock()
			var m map[string]int
			m["x"]++ // a runtime panic, as a checker bug would raise
		}
		return nil
	}
	s := start(t, newTestServer(t, g, nil))
	c := &http.Client{}
	s.deliver(t, c, "pull_request", "d-1", prPayload("opened", 1, sha("boom"), "main", time.Now()))
	waitUntil(t, "every attempt", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return tries == MaxAttempts
	})
	s.deliver(t, c, "pull_request", "d-2", prPayload("opened", 2, sha("fine"), "main", time.Now()))
	waitUntil(t, "the next review", func() bool {
		_, done := g.snapshot()
		return slices.ContainsFunc(done, func(j Job) bool { return j.HeadSHA == sha("fine") })
	})
	if got := metric(t, s.Server, `triangulate_reviews_total{outcome="error"}`); got != strconv.Itoa(MaxAttempts) {
		t.Errorf("errors = %s, want %d", got, MaxAttempts)
	}
}

// TestMainMoved: a push to the submission branch re-judges every open pull
// request based on it against the new tip, and no other.
func TestMainMoved(t *testing.T) {
	g := newFakeGitHub()
	g.setOpen(1, sha("a"), "main")
	g.setOpen(2, sha("b"), "main")
	g.setOpen(3, sha("c"), "weakened")
	s := start(t, newTestServer(t, g, nil))
	c := &http.Client{}
	waitUntil(t, "first reconcile", func() bool { return s.reconciled.Load() && s.q.idle() })
	before, _ := g.snapshot()
	if code := s.deliver(t, c, "push", "d-p", pushPayload("refs/heads/main", sha("main2"))); code != 202 {
		t.Fatalf("push: %d", code)
	}
	if code := s.deliver(t, c, "push", "d-q", pushPayload("refs/heads/weakened", sha("w2"))); code != 202 {
		t.Fatalf("push elsewhere: %d", code)
	}
	waitUntil(t, "idle", s.q.idle)
	calls, _ := g.snapshot()
	var moved []string
	for _, j := range calls[len(before):] {
		if j.BaseSHA != sha("main2") || j.Delivery != "d-p" {
			t.Errorf("job %+v not judged against the pushed tip", j)
		}
		moved = append(moved, kindsAndHeads([]Job{j}, []string{"a", "b", "c"})...)
	}
	slices.Sort(moved)
	if diff := cmp.Diff([]string{"main_moved:a", "main_moved:b"}, moved); diff != "" {
		t.Errorf("re-judged (-want +got):\n%s", diff)
	}
}

// TestRerunWithoutPullRequests: a re-run of our check on a fork's pull
// request names no pull request; the open one with that head is found.
func TestRerunWithoutPullRequests(t *testing.T) {
	g := newFakeGitHub()
	g.setOpen(5, sha("fork"), "main")
	g.setOpen(6, sha("other"), "main")
	g.checked[sha("fork")], g.checked[sha("other")] = true, true
	s := start(t, newTestServer(t, g, func(c *Config) { c.AppID = 7 }))
	body := []byte(`{"action": "rerequested", "check_run": {"name": "triangulate", "head_sha": "` + sha("fork") + `",
 "app": {"id": 7}, "pull_requests": [], "check_suite": {"head_branch": "patch-1"}},
 "repository": {"name": "plans-2019", "owner": {"login": "nhs-plans"}}, "installation": {"id": 42}}`)
	if code := s.deliver(t, &http.Client{}, "check_run", "d-r", body); code != 202 {
		t.Fatalf("re-run: %d", code)
	}
	waitUntil(t, "a review", func() bool { _, d := g.snapshot(); return len(d) == 1 })
	waitUntil(t, "idle", s.q.idle)
	_, done := g.snapshot()
	if done[0].PR != 5 || done[0].Kind != KindRerequest || done[0].Installation != 42 {
		t.Errorf("reviewed %+v, want PR 5 as a rerequest in installation 42", done[0])
	}
}
