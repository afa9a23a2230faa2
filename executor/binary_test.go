package executor

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wowrt/wow/ow"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/ow/examples/wat"
)

// dockerBuild is the go build command of the Dockerfile's build stage.
type dockerBuild struct {
	env  []string // leading VAR=value words
	args []string // after "go"
	out  string   // the -o argument
}

// parseDockerBuild finds the Dockerfile's RUN line that runs go build.
func parseDockerBuild(t testing.TB, root string) dockerBuild {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "RUN ") || !strings.Contains(line, "go build") {
			continue
		}
		var b dockerBuild
		words := strings.Fields(strings.TrimPrefix(line, "RUN "))
		for len(words) > 0 && strings.Contains(words[0], "=") {
			b.env, words = append(b.env, words[0]), words[1:]
		}
		require.GreaterOrEqual(t, len(words), 2, line)
		require.Equal(t, []string{"go", "build"}, words[:2], line)
		b.args = words[1:]
		for i, w := range b.args {
			if w == "-o" && i+1 < len(b.args) {
				b.out = b.args[i+1]
			}
		}
		require.NotEmpty(t, b.out, "the Dockerfile's go build has -o: %s", line)
		return b
	}
	t.Fatal("the Dockerfile has no RUN ... go build line")
	return dockerBuild{}
}

// repoRoot is the module root (two levels above this package's directory).
func repoRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	require.NoError(t, err)
	return filepath.Dir(wd)
}

// buildWow runs the Dockerfile's exact go build, writing the binary into dir.
func buildWow(t testing.TB, dir string) string {
	t.Helper()
	root := repoRoot(t)
	b := parseDockerBuild(t, root)
	out := filepath.Join(dir, "wow")
	args := make([]string, len(b.args))
	for i, a := range b.args {
		if a == b.out {
			a = out
		}
		args[i] = a
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), b.env...)
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s: %s", strings.Join(b.env, " "), strings.Join(cmd.Args, " "), msg)
	return out
}

// TestDockerfileBuild: the Dockerfile's build stage compiles, statically.
func TestDockerfileBuild(t *testing.T) {
	root := repoRoot(t)
	b := parseDockerBuild(t, root)
	assert.Equal(t, []string{"CGO_ENABLED=0"}, b.env)
	assert.Equal(t, []string{"build", "-trimpath", "-o", "/out/wow", "./executor/cmd/wow"}, b.args)
	df, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	require.NoError(t, err)
	assert.Contains(t, string(df), "FROM golang:1.26 AS build")
	assert.Contains(t, string(df), "EXPOSE 8080")
	assert.Contains(t, string(df), `CMD ["serve"]`)
	bin := buildWow(t, t.TempDir())
	out, err := exec.Command(bin, "version").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "wazero")
}

// lockedWriter collects a child process's stream.
type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeBinary starts the built wow serve on a free loopback port,
// inits, runs, sends SIGTERM while an activation is in flight and expects
// that activation to finish and the process to exit 0.
func TestServeBinary(t *testing.T) {
	bin := buildWow(t, t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	var stdout, stderr lockedWriter
	cmd := exec.Command(bin, "serve", "--addr", addr, "--grace", "10s", "--log-format", "json", "--log-level", "info")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "__OW_API_HOST=https://api.example")
	require.NoError(t, cmd.Start())
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	base := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, 10*time.Second, 20*time.Millisecond, "wow serve did not come up; stderr: %s", &stderr)

	post := func(path, body string) (int, string) {
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := func(d time.Duration) string { return strconv.FormatInt(time.Now().Add(d).UnixMilli(), 10) }
	code, body := post("/init", fmt.Sprintf(`{"value":{"name":"add","binary":true,"code":%q}}`, base64.StdEncoding.EncodeToString(c.Module("add"))))
	require.Equal(t, 200, code, body)
	code, body = post("/run", `{"value":{"param1":40,"param2":2},"deadline":"`+deadline(time.Minute)+`"}`)
	require.Equal(t, 200, code, body)
	assert.JSONEq(t, `{"result":42}`, body)
	code, body = post("/slow/init", fmt.Sprintf(`{"value":{"name":"sleep","binary":true,"code":%q}}`, base64.StdEncoding.EncodeToString(wat.Module("sleep"))))
	require.Equal(t, 200, code, body)

	// An activation in flight when SIGTERM arrives still gets its answer.
	inflight := make(chan int, 1)
	go func() {
		code, _ := post("/slow/run", `{"value":{},"deadline":"`+deadline(700*time.Millisecond)+`"}`)
		inflight <- code
	}()
	time.Sleep(200 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case code := <-inflight:
		assert.Equal(t, 502, code, "the in-flight activation ran to its deadline")
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight activation got no answer")
	}
	select {
	case <-exited:
		require.NoError(t, waitErr, "wow serve exits 0 after SIGTERM; stderr: %s", stderr.String())
	case <-time.After(15 * time.Second):
		t.Fatal("wow serve did not exit after SIGTERM")
	}
	assert.Equal(t, 2, strings.Count(stdout.String(), ow.Sentinel+"\n"), "stdout: %s", stdout.String())
	assert.Equal(t, 2, strings.Count(stderr.String(), ow.Sentinel+"\n"), "stderr: %s", stderr.String())
	assert.Contains(t, stderr.String(), `"msg":"wow serving"`)
	assert.Contains(t, stderr.String(), `"msg":"stopped"`)
}
