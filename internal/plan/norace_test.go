//go:build !race

package plan_test

// raceSlowdown scales the time bounds of the hostile-input tests (race_test.go).
const raceSlowdown = 1
