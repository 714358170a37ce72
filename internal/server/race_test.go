//go:build race

package server

// raceEnabled: the race detector slows everything several times over, so
// timing targets are not checked under it.
const raceEnabled = true
