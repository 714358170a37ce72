package panics

import (
	"errors"
	"strings"
	"testing"
)

func TestCall(t *testing.T) {
	plain := errors.New("plain")
	cases := []struct {
		name  string
		f     func() error
		want  error
		panic string
	}{
		{"no error", func() error { return nil }, nil, ""},
		{"error", func() error { return plain }, plain, ""},
		{"panic with a value", func() error { panic("boom") }, nil, "boom"},
		{"runtime error", func() error {
			var m map[string]int
			m["x"] = 1
			return nil
		}, nil, "assignment to entry in nil map"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Call(c.f)
			if c.panic == "" {
				if err != c.want {
					t.Fatalf("got %v, want %v", err, c.want)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v (%T), want *Error", err, err)
			}
			if !strings.Contains(err.Error(), c.panic) || !strings.Contains(string(pe.Stack), "panics_test.go") {
				t.Fatalf("error %q or its stack does not name the panic and where it happened:\n%s", err, pe.Stack)
			}
		})
	}
}

// TestCatchInGoroutine: a goroutine's panic reaches the caller as an error
// instead of ending the test binary.
func TestCatchInGoroutine(t *testing.T) {
	done := make(chan error)
	go func() {
		var err error
		defer func() { done <- err }()
		defer Catch(&err)
		var p *struct{ x int }
		_ = p.x
	}()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "nil pointer") {
		t.Fatalf("got %v", err)
	}
}
