// Package panics turns a panic in a goroutine the program starts into an
// error its caller sees. A panic in a goroutine of its own ends the whole
// process, and no caller can recover it: for a server, one hostile or
// unforeseen input would take every review down with it.
package panics

import (
	"fmt"
	"runtime/debug"
)

// Error is a recovered panic: its value and the stack it happened on.
type Error struct {
	Value any
	Stack []byte
}

func (e *Error) Error() string { return fmt.Sprintf("internal error (panic): %v", e.Value) }

// Catch, deferred, turns a panic in the calling function into an *Error in
// *err, and lets the function return normally:
//
//	defer panics.Catch(&err)
//
// It must be deferred directly, as above.
func Catch(err *error) {
	if p := recover(); p != nil {
		*err = &Error{Value: p, Stack: debug.Stack()}
	}
}

// Call runs f and returns its error, or the panic it raised as an *Error.
func Call(f func() error) (err error) {
	defer Catch(&err)
	return f()
}
