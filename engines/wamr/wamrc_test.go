package wamr

import (
	"context"
	"errors"
	"strings"
	"testing"

	wowrt "github.com/wowrt/wow/runtime"
)

func TestPrecompileWithoutWamrc(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := precompile(context.Background(), []byte("\x00asm\x01\x00\x00\x00"), "wow$start")
	if err == nil || !strings.Contains(err.Error(), "wamrc") || !errors.Is(err, wowrt.ErrUnsupported) {
		t.Fatalf("want an ErrUnsupported naming wamrc, got %v", err)
	}
}
