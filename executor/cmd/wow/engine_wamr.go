//go:build wamr

package main

// The WAMR engine, compiled in with the build tag wamr (needs a libiwasm:
// see engines/wamr).
import _ "github.com/wowrt/wow/engines/wamr"
