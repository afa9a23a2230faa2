package runtime

import (
	"io"
	"maps"
	"slices"
)

// Capability is a host facility a guest may import only when granted.
type Capability string

const (
	// CapClock grants platform.now (milliseconds since the epoch). Granted by default.
	CapClock Capability = "clock"
	// CapNet grants the seed's http.get (OpenWhisk annotation net_access: true).
	CapNet Capability = "net"
)

// DirMount preopens a host directory for the guest.
type DirMount struct {
	// HostPath is the directory on the host.
	HostPath string
	// GuestPath is where the guest sees it; empty means the same as HostPath.
	GuestPath string
	// ReadOnly forbids writes.
	ReadOnly bool
}

// InstanceConfig configures the sandboxes of one action. It is immutable:
// every With method returns a new InstanceConfig.
type InstanceConfig interface {
	// WithEnv adds environment variables (OpenWhisk's init env). The guest
	// never sees the host process's environment.
	WithEnv(env map[string]string) InstanceConfig
	// WithMain names the entry point for the numeric ABI ("main" falls back
	// to _start when the module has no such export).
	WithMain(name string) InstanceConfig
	// WithStdout sets where the action's stdout logs go (default: discarded).
	WithStdout(w io.Writer) InstanceConfig
	// WithStderr sets where the action's stderr logs go (default: discarded).
	WithStderr(w io.Writer) InstanceConfig
	// WithDir preopens a host directory.
	WithDir(m DirMount) InstanceConfig
	// WithCapabilities grants host capabilities in addition to the defaults.
	WithCapabilities(caps ...Capability) InstanceConfig
	// WithArgs sets argv for the WASI-command ABI (default: the action name).
	WithArgs(args ...string) InstanceConfig
}

type instanceConfig struct {
	env map[string]string
	// envs is env rendered as sorted "KEY=value" entries.
	envs   []string
	main   string
	stdout io.Writer
	stderr io.Writer
	dirs   []DirMount
	caps   map[Capability]bool
	args   []string
}

// NewInstanceConfig returns an InstanceConfig with no env, logs discarded,
// no directories and only the clock capability.
func NewInstanceConfig() InstanceConfig {
	return &instanceConfig{stdout: io.Discard, stderr: io.Discard, caps: defaultCaps}
}

// defaultCaps are the capabilities every instance has. Configs share it:
// WithCapabilities copies it before adding to it.
var defaultCaps = map[Capability]bool{CapClock: true}

// with returns a shallow copy of c. The maps and slices of a config are
// never written after it is returned, so copies share them until a With
// method replaces one: the per-instantiation WithStdout and WithStderr
// copy nothing else.
func (c *instanceConfig) with() *instanceConfig {
	n := *c
	return &n
}

func (c *instanceConfig) WithEnv(env map[string]string) InstanceConfig {
	if len(env) == 0 {
		return c // nothing to add: configs are immutable
	}
	n := c.with()
	n.env = maps.Clone(c.env)
	if n.env == nil {
		n.env = map[string]string{}
	}
	maps.Copy(n.env, env)
	n.envs = renderEnv(n.env)
	return n
}

func (c *instanceConfig) WithMain(name string) InstanceConfig {
	n := c.with()
	n.main = name
	return n
}

func (c *instanceConfig) WithStdout(w io.Writer) InstanceConfig {
	n := c.with()
	n.stdout = orDiscard(w)
	return n
}

func (c *instanceConfig) WithStderr(w io.Writer) InstanceConfig {
	n := c.with()
	n.stderr = orDiscard(w)
	return n
}

func (c *instanceConfig) WithDir(m DirMount) InstanceConfig {
	n := c.with()
	if m.GuestPath == "" {
		m.GuestPath = m.HostPath
	}
	n.dirs = append(slices.Clip(c.dirs), m)
	return n
}

func (c *instanceConfig) WithCapabilities(caps ...Capability) InstanceConfig {
	n := c.with()
	n.caps = maps.Clone(c.caps)
	for _, cp := range caps {
		n.caps[cp] = true
	}
	return n
}

func (c *instanceConfig) WithArgs(args ...string) InstanceConfig {
	n := c.with()
	n.args = slices.Clone(args)
	return n
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// envList returns the configured env as sorted "KEY=value" entries, shared:
// callers must not modify it.
func (c *instanceConfig) envList() []string { return c.envs }

func renderEnv(env map[string]string) []string {
	keys := slices.Sorted(maps.Keys(env))
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}
