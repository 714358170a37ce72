package plan_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestSchemaFixtures checks schema/testdata: every good file passes on its
// own; every bad file raises exactly the one finding its first line names
// ("// want: RULE LINE TEXT").
func TestSchemaFixtures(t *testing.T) {
	s := loadSchema(t)
	root := testutil.Root(t)
	for _, kind := range []string{"good", "bad"} {
		files, err := filepath.Glob(filepath.Join(root, "schema", "testdata", kind, "*.cue"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no %s fixtures: %v", kind, err)
		}
		for _, file := range files {
			t.Run(kind+"/"+filepath.Base(file), func(t *testing.T) {
				src, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				name := "plans/2019-20/" + filepath.Base(file)
				_, got := s.CheckFile(name, src)
				if kind == "good" {
					for _, f := range got {
						t.Errorf("%s %s %s", f.Location, f.Rule, f.Message)
					}
					return
				}
				first, _, _ := strings.Cut(string(src), "\n")
				fields := strings.SplitN(strings.TrimPrefix(first, "// want: "), " ", 3)
				if len(fields) != 3 {
					t.Fatalf("first line %q is not // want: RULE LINE TEXT", first)
				}
				line, _ := strconv.Atoi(fields[1])
				if len(got) != 1 {
					t.Fatalf("%d findings, want 1: %+v", len(got), got)
				}
				f := got[0]
				if f.Rule != fields[0] || f.Line != line || !strings.Contains(f.Message, fields[2]) {
					t.Errorf("got %s at line %d: %s; want %s at line %d containing %q", f.Rule, f.Line, f.Message, fields[0], line, fields[2])
				}
			})
		}
	}
}

// TestStockCueVet: the stock cue CLI agrees with the loader on the bundled
// plans and the fixtures. .ci/run installs cue; without it the test skips.
func TestStockCueVet(t *testing.T) {
	cue, err := exec.LookPath("cue")
	if err != nil {
		t.Skip("cue CLI not on PATH")
	}
	root := testutil.Root(t)
	var good, bad []string
	_ = filepath.WalkDir(filepath.Join(root, "plans"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".cue") {
			good = append(good, p)
		}
		return err
	})
	g, _ := filepath.Glob(filepath.Join(root, "schema", "testdata", "good", "*.cue"))
	b, _ := filepath.Glob(filepath.Join(root, "schema", "testdata", "bad", "*.cue"))
	good, bad = append(good, g...), b
	for _, f := range good {
		if out, err := vet(cue, root, f); err != nil {
			t.Errorf("cue vet rejects %s: %s", f, out)
		}
	}
	for _, f := range bad {
		if out, err := vet(cue, root, f); err == nil {
			t.Errorf("cue vet accepts bad fixture %s: %s", f, out)
		}
	}
}

func vet(cue, root, file string) ([]byte, error) {
	rel, err := filepath.Rel(root, file)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(cue, "vet", "-c", "./schema", rel)
	cmd.Dir = root
	return cmd.CombinedOutput()
}
