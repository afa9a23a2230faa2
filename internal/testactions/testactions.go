// Package testactions builds the Go example actions in ow/examples for
// host-side tests. Each action is built at most once per test process
// (GOOS=wasip1 GOARCH=wasm go build, with -buildmode=c-shared for names ending
// in -reactor); the Go build cache makes later processes fast.
package testactions

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// build is the memoised outcome of building one action.
type build struct {
	once sync.Once
	path string
	err  error
}

var (
	mu     sync.Mutex
	builds = map[string]*build{}
)

// Go returns the compiled module of the Go example action ow/examples/<name>,
// building it on first use. It fails the test, with the build output, if the
// build fails.
func Go(t testing.TB, name string) []byte {
	t.Helper()
	wasm, err := os.ReadFile(GoPath(t, name))
	if err != nil {
		t.Fatalf("testactions: %v", err)
	}
	return wasm
}

// GoPath returns the path of the compiled module of the Go example action
// ow/examples/<name>, building it on first use. It fails the test, with the
// build output, if the build fails. The file stays valid for the whole
// process; do not modify it.
func GoPath(t testing.TB, name string) string {
	t.Helper()
	mu.Lock()
	b, ok := builds[name]
	if !ok {
		b = &build{}
		builds[name] = b
	}
	mu.Unlock()
	b.once.Do(func() { b.path, b.err = buildAction(name) })
	if b.err != nil {
		t.Fatalf("testactions: %v", b.err)
	}
	return b.path
}

// buildAction builds ow/examples/<name> into the output directory.
//
// Outputs go to one directory per module checkout, shared by all test
// processes instead of leaking a temporary directory per process: each build
// writes a file private to this process and renames it into place, which is
// atomic, so concurrent processes never see a partial module.
func buildAction(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return "", fmt.Errorf("invalid action name %q", name)
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, "ow", "examples", name)); err != nil {
		return "", fmt.Errorf("no example action %q: %v", name, err)
	}
	sum := sha256.Sum256([]byte(root))
	dir := filepath.Join(os.TempDir(), "wow-testactions-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name+".wasm")
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())

	args := []string{"build", "-o", tmp}
	if strings.HasSuffix(name, "-reactor") {
		args = append(args, "-buildmode=c-shared")
	}
	args = append(args, "./ow/examples/"+name)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("building %s: GOOS=wasip1 GOARCH=wasm go %s: %v\n%s",
			name, strings.Join(args, " "), err, out)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return path, nil
}

var (
	rootOnce sync.Once
	root     string
	rootErr  error
)

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	rootOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			rootErr = fmt.Errorf("go env GOMOD: %v", err)
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == os.DevNull {
			rootErr = fmt.Errorf("go env GOMOD: not inside a module")
			return
		}
		root = filepath.Dir(gomod)
	})
	return root, rootErr
}
