//go:build race

package wazero_test

// raceEnabled reports that the race detector is on: the interpreter suite
// then takes longer than a test binary's budget, and .ci/run runs it
// separately without -race.
const raceEnabled = true
