package planfile_test

import (
	"strconv"

	"cuelang.org/go/cue"
)

func itoa(i int) string { return strconv.Itoa(i) }

func cueParsePath(s string) cue.Path { return cue.ParsePath(s) }
