package plan

import (
	"reflect"
	"sync"
	"testing"
)

// TestSchemaConcurrentUse: one schema serves loads and single-file checks
// from several goroutines at once (a server reviewing pull requests with
// main's memoised rules) with the results of serial use; run with -race it
// also shows they share no CUE context.
func TestSchemaConcurrentUse(t *testing.T) {
	fsys := mixedPlans(t)
	s := loadTestSchema(t)
	const name = "plans/2019-20/providers/rtk.cue"
	src := fsys[name].Data
	wantSet, err := s.Load(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantDoc, wantFindings := s.CheckFile(name, src)
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if i%2 == 0 {
				got, err := s.Load(fsys, Options{})
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(got.Findings, wantSet.Findings) || len(got.Documents) != len(wantSet.Documents) {
					t.Errorf("a concurrent load differs from a serial one")
				}
				return
			}
			doc, fs := s.CheckFile(name, src)
			if !reflect.DeepEqual(fs, wantFindings) || !reflect.DeepEqual(doc.Data, wantDoc.Data) {
				t.Errorf("a concurrent CheckFile differs from a serial one")
			}
		})
	}
	wg.Wait()
}
