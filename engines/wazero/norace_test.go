//go:build !race

package wazero_test

const raceEnabled = false
