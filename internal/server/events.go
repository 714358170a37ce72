package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// mergeQueuePrefix starts the branch GitHub's merge queue builds each
// merge group on: gh-readonly-queue/<base>/pr-<n>-<sha>.
const mergeQueuePrefix = "gh-readonly-queue/"

// payload holds the fields of the handled events that the server reads,
// and only those: decoding into go-github's full event types refused a
// real check_run example over an App's created_at in an older time format,
// a field nothing here needs. Unknown and unread fields are ignored; a
// field that is read but has the wrong type makes the delivery malformed.
type payload struct {
	Action       string        `json:"action"`
	Repository   *repository   `json:"repository"`
	Installation *installation `json:"installation"`
	// pull_request
	PullRequest *pullRequest `json:"pull_request"`
	Changes     *struct {
		Base json.RawMessage `json:"base"`
	} `json:"changes"`
	// merge_group
	MergeGroup *struct {
		HeadSHA string `json:"head_sha"`
		BaseSHA string `json:"base_sha"`
		BaseRef string `json:"base_ref"`
		HeadRef string `json:"head_ref"`
	} `json:"merge_group"`
	// check_run and check_suite
	CheckRun *struct {
		Name         string        `json:"name"`
		HeadSHA      string        `json:"head_sha"`
		App          installation  `json:"app"`
		PullRequests []pullRequest `json:"pull_requests"`
		CheckSuite   struct {
			HeadBranch string `json:"head_branch"`
		} `json:"check_suite"`
	} `json:"check_run"`
	CheckSuite *struct {
		HeadSHA      string        `json:"head_sha"`
		HeadBranch   string        `json:"head_branch"`
		App          installation  `json:"app"`
		PullRequests []pullRequest `json:"pull_requests"`
	} `json:"check_suite"`
	// push
	Ref     string `json:"ref"`
	After   string `json:"after"`
	Deleted bool   `json:"deleted"`
}

type repository struct {
	Name     string `json:"name"`
	CloneURL string `json:"clone_url"`
	Owner    struct {
		Login string `json:"login"`
		Name  string `json:"name"` // push payloads name the owner this way too
	} `json:"owner"`
}

// installation is also an App: both are read for their id only.
type installation struct {
	ID int64 `json:"id"`
}

type pullRequest struct {
	Number    int    `json:"number"`
	UpdatedAt string `json:"updated_at"`
	Head      struct {
		SHA string `json:"sha"`
	} `json:"head"`
	Base struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	} `json:"base"`
}

// tasks turns a verified delivery into the work it asks for. No tasks and
// a reason: the delivery is ignored. An error: the payload lacks what the
// event needs. Pull requests based on a branch other than the submission
// branch are queued all the same: the Reviewer fails them with a clear
// message, which is the point (a retargeted pull request must not keep a
// pass it earned against a weaker base).
func (s *Server) tasks(event, delivery string, body []byte) ([]*task, string, error) {
	switch event {
	case "pull_request", "merge_group", "check_run", "check_suite", "push":
	default:
		// Ignored, but a body that is not JSON is not GitHub's doing.
		if !json.Valid(body) {
			return nil, "", errors.New("body is not valid JSON")
		}
		return nil, fmt.Sprintf("event %q is not handled", truncate(event, 40)), nil
	}
	var p payload // Unmarshal checks the whole body is valid JSON first
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, "", fmt.Errorf("read %s payload: %w", event, err)
	}
	switch event {
	case "pull_request":
		return s.pullRequest(&p, delivery)
	case "merge_group":
		return s.mergeGroup(&p, delivery)
	case "check_run":
		return s.checkRun(&p, delivery)
	case "check_suite":
		return s.checkSuite(&p, delivery)
	default:
		return s.push(&p, delivery)
	}
}

func (s *Server) pullRequest(p *payload, delivery string) ([]*task, string, error) {
	switch p.Action {
	case "opened", "synchronize", "reopened":
	case "edited":
		// Only a retarget changes what the pull request is judged against.
		if p.Changes == nil || len(p.Changes.Base) == 0 || string(p.Changes.Base) == "null" {
			return nil, "pull_request edited without a base change", nil
		}
	default:
		return nil, fmt.Sprintf("pull_request action %q is not handled", truncate(p.Action, 40)), nil
	}
	j, err := repoJob(KindPullRequest, delivery, p)
	if err != nil {
		return nil, "", err
	}
	pr := p.PullRequest
	if pr == nil || pr.Number <= 0 || pr.Base.Ref == "" {
		return nil, "", errors.New("pull_request payload lacks pull_request.number or base.ref")
	}
	j.PR, j.HeadSHA, j.BaseRef, j.BaseSHA = pr.Number, pr.Head.SHA, pr.Base.Ref, pr.Base.SHA
	if err := checkSHA("pull_request.head.sha", j.HeadSHA); err != nil {
		return nil, "", err
	}
	// An unreadable updated_at only loses the ordering of late deliveries.
	at, _ := time.Parse(time.RFC3339, pr.UpdatedAt)
	return []*task{{key: prKey(j.Owner, j.Repo, j.PR), job: j, at: at, attempt: 1, mode: active}}, "", nil
}

func (s *Server) mergeGroup(p *payload, delivery string) ([]*task, string, error) {
	if p.Action != "checks_requested" {
		return nil, fmt.Sprintf("merge_group action %q is not handled", truncate(p.Action, 40)), nil
	}
	j, err := repoJob(KindMergeGroup, delivery, p)
	if err != nil {
		return nil, "", err
	}
	mg := p.MergeGroup
	if mg == nil || mg.BaseRef == "" {
		return nil, "", errors.New("merge_group payload lacks merge_group.base_ref")
	}
	j.HeadSHA, j.BaseSHA, j.BaseRef = mg.HeadSHA, mg.BaseSHA, strings.TrimPrefix(mg.BaseRef, "refs/heads/")
	if strings.HasPrefix(mg.HeadRef, "refs/heads/") {
		j.HeadRef = mg.HeadRef
	}
	if err := checkSHA("merge_group.head_sha", j.HeadSHA); err != nil {
		return nil, "", err
	}
	return []*task{{key: commitKey(j.Owner, j.Repo, j.HeadSHA), job: j, attempt: 1, mode: active}}, "", nil
}

func (s *Server) checkRun(p *payload, delivery string) ([]*task, string, error) {
	cr := p.CheckRun
	switch {
	case p.Action != "rerequested":
		return nil, fmt.Sprintf("check_run action %q is not handled", truncate(p.Action, 40)), nil
	case cr == nil:
		return nil, "", errors.New("check_run payload lacks check_run")
	case cr.Name != s.cfg.CheckName:
		return nil, fmt.Sprintf("check run %q is not ours", truncate(cr.Name, 40)), nil
	case s.cfg.AppID != 0 && cr.App.ID != s.cfg.AppID:
		return nil, fmt.Sprintf("check run of App %d, not ours", cr.App.ID), nil
	}
	return s.rerun(delivery, p, cr.HeadSHA, cr.CheckSuite.HeadBranch, cr.PullRequests)
}

func (s *Server) checkSuite(p *payload, delivery string) ([]*task, string, error) {
	cs := p.CheckSuite
	switch {
	case p.Action != "rerequested":
		return nil, fmt.Sprintf("check_suite action %q is not handled", truncate(p.Action, 40)), nil
	case cs == nil:
		return nil, "", errors.New("check_suite payload lacks check_suite")
	case s.cfg.AppID == 0 || cs.App.ID != s.cfg.AppID:
		// A plain token cannot own check suites; in App mode only ours.
		return nil, fmt.Sprintf("check suite of App %d, not ours", cs.App.ID), nil
	}
	return s.rerun(delivery, p, cs.HeadSHA, cs.HeadBranch, cs.PullRequests)
}

// rerun is a re-run of our check on a commit: a review of each pull request
// the payload names; when it names none (a fork's pull request: GitHub
// lists only same-repository ones), of each open pull request with that
// head, found by a fan-out; on a merge-queue branch, of the merge group.
func (s *Server) rerun(delivery string, p *payload, head, branch string, prs []pullRequest) ([]*task, string, error) {
	j, err := repoJob(KindRerequest, delivery, p)
	if err != nil {
		return nil, "", err
	}
	if err := checkSHA("head_sha", head); err != nil {
		return nil, "", err
	}
	j.HeadSHA = head
	var ts []*task
	for _, pr := range prs {
		pj := j
		pj.PR, pj.BaseRef, pj.BaseSHA = pr.Number, pr.Base.Ref, pr.Base.SHA
		if pj.PR <= 0 || pj.BaseRef == "" {
			return nil, "", errors.New("re-run payload names a pull request without number or base.ref")
		}
		ts = append(ts, &task{key: prKey(j.Owner, j.Repo, pj.PR), job: pj, attempt: 1, mode: active})
	}
	if len(ts) > 0 {
		return ts, "", nil
	}
	if rest, ok := strings.CutPrefix(branch, mergeQueuePrefix); ok {
		if i := strings.LastIndex(rest, "/"); i > 0 {
			j.BaseRef = rest[:i]
			return []*task{{key: commitKey(j.Owner, j.Repo, head), job: j, attempt: 1, mode: active}}, "", nil
		}
	}
	f := &fanout{kind: KindRerequest, headSHA: head}
	return []*task{{key: fanoutKey(j.Owner, j.Repo, f), job: j, fan: f, attempt: 1, mode: active}}, "", nil
}

// push to the submission branch: every open pull request based on it is
// judged again against the new tip, through one fan-out per repository (a
// newer push replaces a fan-out still queued).
func (s *Server) push(p *payload, delivery string) ([]*task, string, error) {
	if p.Ref != "refs/heads/"+s.cfg.SubmissionBranch {
		return nil, fmt.Sprintf("push to %q, not the submission branch", truncate(p.Ref, 100)), nil
	}
	if p.Deleted {
		return nil, "the submission branch was deleted", nil
	}
	j, err := repoJob(KindMainMoved, delivery, p)
	if err != nil {
		return nil, "", err
	}
	j.BaseRef, j.BaseSHA = s.cfg.SubmissionBranch, p.After
	if err := checkSHA("after", j.BaseSHA); err != nil {
		return nil, "", err
	}
	f := &fanout{kind: KindMainMoved, baseRef: s.cfg.SubmissionBranch}
	return []*task{{key: fanoutKey(j.Owner, j.Repo, f), job: j, fan: f, attempt: 1, mode: active}}, "", nil
}

func repoJob(kind, delivery string, p *payload) (Job, error) {
	r := p.Repository
	if r == nil {
		return Job{}, errors.New("payload lacks repository")
	}
	j := Job{Kind: kind, Delivery: delivery, Owner: r.Owner.Login, Repo: r.Name, CloneURL: r.CloneURL}
	if j.Owner == "" {
		j.Owner = r.Owner.Name
	}
	if p.Installation != nil {
		j.Installation = p.Installation.ID
	}
	if j.Owner == "" || j.Repo == "" {
		return Job{}, errors.New("payload lacks repository.owner.login or repository.name")
	}
	return j, nil
}

// checkSHA refuses anything but a full commit id (SHA-1 or SHA-256): it is
// handed to git and to GitHub's API.
func checkSHA(field, sha string) error {
	if len(sha) != 40 && len(sha) != 64 {
		return fmt.Errorf("%s is not a commit id", field)
	}
	for _, c := range sha {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return fmt.Errorf("%s is not a commit id", field)
		}
	}
	return nil
}
