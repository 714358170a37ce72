//go:build race

package plan_test

// raceSlowdown scales the time bounds of the hostile-input tests: the race
// detector makes the scanner, which reads every byte, tens of times slower.
const raceSlowdown = 20
