package executor

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wowrt/wow/ow"
	wowrt "github.com/wowrt/wow/runtime"
)

// instanceConfig builds an action's instance configuration from its /init:
// the env, the entry point, and the invoker fork's annotations "dir" (a host
// directory preopened at the same path) and "net_access" (the http.get
// capability).
func (e *Executor) instanceConfig(p *wowrt.InitPayload) (wowrt.InstanceConfig, error) {
	icfg := wowrt.NewInstanceConfig().WithEnv(p.Env)
	if p.Main != "" {
		icfg = icfg.WithMain(p.Main)
	}
	if p.Name != "" {
		icfg = icfg.WithArgs(p.Name)
	}
	if v, ok := p.Annotations["net_access"]; ok && truthy(v) {
		icfg = icfg.WithCapabilities(wowrt.CapNet)
	}
	if v, ok := p.Annotations["dir"]; ok && v != nil && v != "" {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%w: annotation dir must be a string, not %T", ow.ErrBadRequest, v)
		}
		dir, err := e.confineDir(s)
		if err != nil {
			return nil, err
		}
		icfg = icfg.WithDir(wowrt.DirMount{HostPath: dir, GuestPath: filepath.ToSlash(filepath.Clean(s))})
	}
	return icfg, nil
}

// truthy accepts true and "true" (annotations arrive as JSON values).
func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return strings.EqualFold(t, "true")
	}
	return false
}

// confineDir checks a "dir" annotation: an absolute path without ".."
// elements, naming an existing directory, inside Options.DirRoot (after
// resolving symbolic links) when that is set. It returns the resolved path.
func (e *Executor) confineDir(dir string) (string, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: annotation dir %q: %s", ow.ErrBadRequest, dir, fmt.Sprintf(format, args...))
	}
	if !filepath.IsAbs(dir) {
		return "", bad("must be an absolute path")
	}
	if slices.Contains(strings.Split(filepath.ToSlash(dir), "/"), "..") {
		return "", bad(`must not contain ".."`)
	}
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", bad("%v", err)
	}
	if fi, err := os.Stat(resolved); err != nil || !fi.IsDir() {
		return "", bad("not a directory")
	}
	if e.opts.DirRoot == "" {
		return resolved, nil
	}
	root, err := filepath.EvalSymlinks(e.opts.DirRoot)
	if err != nil {
		return "", bad("the executor's directory root: %v", err)
	}
	rel, err := filepath.Rel(root, resolved)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", bad("outside the executor's directory root %s", e.opts.DirRoot)
	}
	return resolved, nil
}
