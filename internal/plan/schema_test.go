package plan_test

import (
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestSchemaWithoutRegister: a schema from before the regulator register
// (no #Register) still loads, so a diff or review reaching back to it reads
// its plans; a register file is then refused as an unknown kind. A schema
// without a plan kind does not load.
func TestSchemaWithoutRegister(t *testing.T) {
	fsys := testutil.RepoFS(t)
	delete(fsys, "schema/register.cue")
	sys := string(fsys["schema/system.cue"].Data)
	sys = strings.Replace(sys, ` | "register"`, "", 1)
	sys = strings.Replace(sys, "\tif kind == \"register\" {#Register}\n", "", 1)
	fsys["schema/system.cue"].Data = []byte(sys)
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		t.Fatalf("a schema without #Register does not load: %v", err)
	}
	set, err := s.Load(fsys, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Findings) != 0 {
		t.Errorf("the bundled plans under the older schema: %+v", set.Findings)
	}
	_, fs := s.CheckFile("policy/register/2019-20.cue", fsys["policy/register/2019-20.cue"].Data)
	if len(fs) == 0 || !strings.Contains(fs[0].Message, "kind must be one of") || strings.Contains(fs[0].Message, "register,") {
		t.Errorf("a register under a schema without #Register: %+v, want it refused by kind, register not offered", fs)
	}

	delete(fsys, "schema/provider.cue")
	if _, err := plan.LoadSchema(fsys); err == nil {
		t.Error("a schema without #ProviderPlan loaded")
	}
}

// TestProgress: Options.Progress hears of every file checked, in order,
// from one worker or several.
func TestProgress(t *testing.T) {
	for _, copies := range []int{1, 4} {
		fsys := testutil.ScaledRepoFS(t, copies)
		s, err := plan.LoadSchema(fsys)
		if err != nil {
			t.Fatal(err)
		}
		var calls, last, total int
		_, err = s.Load(fsys, plan.Options{Progress: func(done, n int) {
			calls++
			if done != last+1 {
				t.Errorf("done went from %d to %d", last, done)
			}
			last, total = done, n
		}})
		if err != nil {
			t.Fatal(err)
		}
		if calls == 0 || last != total || calls != total {
			t.Errorf("%d copies: %d calls, last %d of %d; want one call per file", copies, calls, last, total)
		}
	}
}
