package app

import (
	"context"
	"fmt"
	"net/http"

	"github.com/triangulate-nhs/triangulate/internal/github"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/server"
)

// AppGitHub is GitHub as the Triangulate App sees it: one installation
// token per installation, the verdict as the App's own check run, which no
// workflow token can write.
type AppGitHub struct {
	App *github.App
}

// Publisher returns a publisher for one installation, reporting as a check
// run.
func (a AppGitHub) Publisher(ctx context.Context, installation int64) (*github.Publisher, error) {
	return a.App.Publisher(ctx, installation)
}

// GitAuth is the installation token, as git over HTTPS takes it.
func (a AppGitHub) GitAuth(ctx context.Context, installation int64) (gitrepo.Auth, error) {
	tok, err := a.App.Token(ctx, installation)
	if err != nil {
		return gitrepo.Auth{}, err
	}
	return gitrepo.TokenAuth(tok), nil
}

// Repositories lists every repository of every installation.
func (a AppGitHub) Repositories(ctx context.Context) ([]server.Repository, error) {
	ids, err := a.App.Installations(ctx)
	if err != nil {
		return nil, fmt.Errorf("list installations: %w", err)
	}
	var out []server.Repository
	for _, id := range ids {
		p, err := a.App.Publisher(ctx, id)
		if err != nil {
			return out, fmt.Errorf("authenticate installation %d: %w", id, err)
		}
		repos, err := p.InstallationRepositories(ctx)
		if err != nil {
			return out, fmt.Errorf("list repositories of installation %d: %w", id, err)
		}
		for _, r := range repos {
			out = append(out, server.Repository{Installation: id, Owner: r.Owner, Repo: r.Name, CloneURL: r.CloneURL})
		}
	}
	return out, nil
}

// TokenGitHub is GitHub through a plain token, for trials and tests: one
// repository, the verdict as a commit status. Anything else holding a token
// with statuses:write can set the same status, so this mode does not give
// the App's guarantee.
type TokenGitHub struct {
	Client      *http.Client
	APIURL      string
	Token       string
	Owner, Repo string
	Options     []github.Option
}

// Publisher returns a commit-status publisher for the token.
func (t TokenGitHub) Publisher(context.Context, int64) (*github.Publisher, error) {
	return github.New(t.Client, t.APIURL, t.Token, t.Options...)
}

// GitAuth is the token, as git over HTTPS takes it.
func (t TokenGitHub) GitAuth(context.Context, int64) (gitrepo.Auth, error) {
	return gitrepo.TokenAuth(t.Token), nil
}

// Repositories is the one configured repository.
func (t TokenGitHub) Repositories(context.Context) ([]server.Repository, error) {
	return []server.Repository{{Owner: t.Owner, Repo: t.Repo}}, nil
}
