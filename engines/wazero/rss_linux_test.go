//go:build linux

package wazero_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/ow/examples/wat"
	"github.com/wowrt/wow/runtime"
)

// rssChildEnv makes the test binary run the memory bomb and report its peak RSS.
const rssChildEnv = "WOW_RSS_CHILD"

// TestMemoryLimitBoundsProcess runs the memory bomb capped at 256 MiB in a
// fresh process and reads the kernel's peak-RSS figure (VmHWM): the limit
// must bound the process, not only the guest's page count. wazero's default
// grow-by-copy peaked at 1,026 MiB for this guest.
func TestMemoryLimitBoundsProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process that commits 256 MiB")
	}
	const limit = 256 << 20
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryBombChild$", "-test.v")
	cmd.Env = append(os.Environ(), rssChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var base, peak uint64
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "BASE_KB="); ok {
			base, _ = strconv.ParseUint(v, 10, 64)
		}
		if v, ok := strings.CutPrefix(line, "PEAK_KB="); ok {
			peak, _ = strconv.ParseUint(v, 10, 64)
		}
	}
	require.NotZero(t, peak, "child output: %s", out)
	grew := (peak - base) << 10
	t.Logf("peak RSS %d MiB, of which %d MiB during the bomb (limit %d MiB)", peak>>10, grew>>20, limit>>20)
	// The guest dirties every page up to its limit, so the growth is about
	// the limit; copying would have doubled it or worse.
	assert.GreaterOrEqual(t, grew, uint64(limit*9/10), "the bomb should have dirtied its whole allowance")
	assert.Less(t, grew, uint64(limit*5/4), "the process grew far past the guest's memory limit")
}

// TestMemoryBombChild is the child half of TestMemoryLimitBoundsProcess.
func TestMemoryBombChild(t *testing.T) {
	if os.Getenv(rssChildEnv) == "" {
		t.Skip("runs only as the child of TestMemoryLimitBoundsProcess")
	}
	ctx := context.Background()
	rt, err := runtime.Open(ctx, "wazero", runtime.NewConfig().WithMemoryLimitBytes(256<<20))
	require.NoError(t, err)
	defer rt.Close(ctx)
	mod, err := rt.Compile(ctx, wat.Module("membomb"))
	require.NoError(t, err)
	inst, err := mod.Instantiate(ctx, nil)
	require.NoError(t, err)
	base := procStatusKB(t, "VmRSS")
	_, err = inst.Invoke(ctx, &runtime.RunPayload{})
	require.ErrorIs(t, err, runtime.ErrMemoryLimit)
	fmt.Printf("BASE_KB=%d\nPEAK_KB=%d\n", base, procStatusKB(t, "VmHWM"))
}

func procStatusKB(t *testing.T, field string) uint64 {
	f, err := os.Open("/proc/self/status")
	require.NoError(t, err)
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	require.NoError(t, errors.New(field+" not found"))
	return 0
}
