//go:build !linux

package sandbox

import (
	"os"
	"os/exec"
)

// supported: elsewhere the child cannot be limited, so proposed rules are
// not evaluated at all (Evaluate returns ErrUnsupported).
const supported = false

func limitSelf(Limits) error { return ErrUnsupported }

func isolate(*exec.Cmd) {}

func killed(*os.ProcessState) bool { return false }
