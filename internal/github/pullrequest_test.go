package github

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
)

func TestPullRequest(t *testing.T) {
	base := "3333333333333333333333333333333333333333"
	tests := []struct {
		name    string
		owner   string
		number  int
		setup   func(s *githubtest.Server)
		want    PRInfo
		wantErr string
		// wantStatus is GitHub's answer, which the error must still carry.
		wantStatus int
		wantCalls  int
		wantWaits  []time.Duration
	}{
		{
			name: "found", owner: "triangulate-nhs", number: 7,
			want: PRInfo{
				Number: 7, BaseSHA: base, HeadSHA: head1, BaseRef: "main", HeadRef: "rtk-2019-20-m1",
				HeadRepoFullName: "triangulate-nhs/plans", BaseRepoFullName: "triangulate-nhs/plans",
				CloneURL: "https://github.example/triangulate-nhs/plans.git",
			},
			wantCalls: 1,
		},
		{
			name: "no such pull request", owner: "triangulate-nhs", number: 8,
			wantErr: "get pull request triangulate-nhs/plans#8: GET", wantCalls: 1,
			wantStatus: http.StatusNotFound,
		},
		{
			name: "5xx is retried", owner: "triangulate-nhs", number: 7,
			setup: func(s *githubtest.Server) {
				s.Fail("pulls/get", 2, http.StatusBadGateway, nil, `{"message":"Server Error"}`)
			},
			want: PRInfo{
				Number: 7, BaseSHA: base, HeadSHA: head1, BaseRef: "main", HeadRef: "rtk-2019-20-m1",
				HeadRepoFullName: "triangulate-nhs/plans", BaseRepoFullName: "triangulate-nhs/plans",
				CloneURL: "https://github.example/triangulate-nhs/plans.git",
			},
			wantCalls: 3, wantWaits: []time.Duration{time.Second, 2 * time.Second},
		},
		{
			name: "persistent 5xx gives up after bounded retries", owner: "triangulate-nhs", number: 7,
			setup: func(s *githubtest.Server) {
				s.Fail("pulls/get", 10, http.StatusServiceUnavailable, nil, `{"message":"Service Unavailable"}`)
			},
			wantErr: "503", wantStatus: http.StatusServiceUnavailable,
			wantCalls: 4, wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
		{name: "missing owner", number: 7, wantErr: "missing repository owner or name"},
		{name: "invalid number", owner: "triangulate-nhs", number: 0, wantErr: "invalid pull request number 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := githubtest.NewServer(t)
			s.SetPullRequest(7, base, head1, "main", "rtk-2019-20-m1")
			if tt.setup != nil {
				tt.setup(s)
			}
			var waits []time.Duration
			p, err := New(s.Client(), s.URL(), githubtest.Token, WithSleep(func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}))
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.PullRequest(context.Background(), tt.owner, "plans", tt.number)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("PullRequest error = %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("PullRequest: %v", err)
			}
			if tt.wantStatus != 0 && !isStatus(err, tt.wantStatus) {
				t.Errorf("error %v does not carry status %d", err, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PullRequest (-want +got):\n%s", diff)
			}
			if n := len(s.Requests()); n != tt.wantCalls {
				t.Errorf("requests = %d, want %d", n, tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}
