package server

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLRU(t *testing.T) {
	l := newLRU[string, int](2)
	if !l.add("a", 1) || !l.add("b", 2) {
		t.Fatal("fresh keys not added")
	}
	if l.add("a", 9) {
		t.Error("a added twice")
	}
	l.add("c", 3) // evicts b: a was used more recently
	if _, ok := l.get("b"); ok {
		t.Error("b not evicted")
	}
	l.put("a", 4)
	if diff := cmp.Diff([]int{4, 3}, l.values()); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	l.remove("a")
	if !l.add("a", 5) {
		t.Error("a not added after remove")
	}
}
