package aot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"

	"github.com/wowrt/wow/runtime"
	"golang.org/x/sys/cpu"
)

// FormatVersion is the artifact format this package writes and reads. 2:
// the entries are authenticated by chunked MACs (MACNonce, WasmMAC,
// NativeMAC) instead of SHA-256 digests; a format-1 artifact is refused
// with ErrFormat (and runs by compiling its .wasm).
const FormatVersion = 2

// Entry names inside an artifact zip.
const (
	// WasmEntry is the original module.
	WasmEntry = "action.wasm"
	// ManifestEntry is the JSON Manifest.
	ManifestEntry = "manifest.json"
	// SignatureEntry is the hex HMAC-SHA256 of the manifest's bytes.
	SignatureEntry = "manifest.sig"
	// NativeDir holds the native artifact, named after its engine
	// (NativeDir + engine + ".bin").
	NativeDir = "native/"
)

// Manifest describes an artifact's native code: what it was compiled for
// and MACs binding it to the artifact's entries. The signature covers its
// exact serialized bytes.
type Manifest struct {
	// Format is FormatVersion.
	Format int `json:"format"`
	// Engine is the engine's registry name.
	Engine string `json:"engine"`
	// EngineVersion is the engine library's version.
	EngineVersion string `json:"engine_version"`
	// GOOS and GOARCH are the platform the native code runs on.
	GOOS   string `json:"goos"`
	GOARCH string `json:"goarch"`
	// CPUFeatures are the precompiling CPU's features (see CPUFeatures);
	// the loading CPU must have all of them.
	CPUFeatures []string `json:"cpu_features,omitempty"`
	// Config is the fingerprint of the runtime configuration that shapes
	// compiled code (see Fingerprint).
	Config string `json:"config"`
	// WasmSHA256 is the hex SHA-256 of the WasmEntry, for people comparing
	// an artifact with a module; loading checks WasmMAC instead.
	WasmSHA256 string `json:"wasm_sha256"`
	// WasmSize is the WasmEntry's length in bytes.
	WasmSize int64 `json:"wasm_size"`
	// Native is the native entry's name.
	Native string `json:"native"`
	// NativeSize is the native entry's length in bytes.
	NativeSize int64 `json:"native_size"`
	// MACNonce is the hex random nonce of WasmMAC and NativeMAC, fresh for
	// every artifact.
	MACNonce string `json:"mac_nonce"`
	// WasmMAC and NativeMAC are the hex chunked MACs (GMAC inside an
	// HMAC, under keys derived from the signing key) of the WasmEntry and
	// of the native entry, each with its entry's name as context.
	WasmMAC   string `json:"wasm_mac"`
	NativeMAC string `json:"native_mac"`
	// WowVersion is the precompiling wow's version, informative.
	WowVersion string `json:"wow_version,omitempty"`
}

// Target is what a runtime expects of native code: the manifest fields
// that must match for it to load an artifact.
type Target struct {
	Engine, EngineVersion, GOOS, GOARCH, Config string
	CPUFeatures                                 []string
}

// TargetOf returns the target of rt on this machine.
func TargetOf(rt runtime.Runtime) Target {
	return Target{
		Engine:        rt.Name(),
		EngineVersion: rt.Version(),
		GOOS:          goruntime.GOOS,
		GOARCH:        goruntime.GOARCH,
		Config:        Fingerprint(rt.Config()),
		CPUFeatures:   CPUFeatures(),
	}
}

// Fingerprint hashes the settings of cfg that change compiled code or what
// an engine bakes into it: the interpreter switch, whether fuel is
// metered, and the memory limit (wasmer compiles the module with its
// maximum rewritten to the limit). Timeouts and result or log limits do not
// count. It is the first 16 hex digits of a SHA-256.
func Fingerprint(cfg runtime.Config) string {
	e := cfg.Engine()
	s := fmt.Sprintf("wow-config-1 interpreter=%t fuel=%t memory_pages=%d", e.Interpreter, e.Fuel > 0, e.MemoryLimitPages)
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

var cpuFeatures = sync.OnceValue(func() []string {
	var v reflect.Value
	switch goruntime.GOARCH {
	case "amd64", "386":
		v = reflect.ValueOf(cpu.X86)
	case "arm64":
		v = reflect.ValueOf(cpu.ARM64)
	default:
		return nil
	}
	var out []string
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if strings.HasPrefix(f.Name, "Has") && f.Type.Kind() == reflect.Bool && v.Field(i).Bool() {
			out = append(out, strings.ToLower(strings.TrimPrefix(f.Name, "Has")))
		}
	}
	slices.Sort(out)
	return out
})

// CPUFeatures lists this CPU's instruction-set extensions as
// golang.org/x/sys/cpu reports them (x86 and arm64; nil elsewhere), sorted
// and lower case: "avx2", "bmi2", "sse42", ...
func CPUFeatures() []string { return slices.Clone(cpuFeatures()) }

// check compares a manifest with a target, returning the typed reason of
// the first difference.
func (m *Manifest) check(t Target) error {
	switch {
	case m.Format != FormatVersion:
		return fmt.Errorf("%w: format %d, this wow reads %d (precompile the artifact again)", ErrFormat, m.Format, FormatVersion)
	case m.Engine != t.Engine:
		return fmt.Errorf("%w: compiled for %s, this runtime is %s", ErrEngineMismatch, m.Engine, t.Engine)
	case m.EngineVersion != t.EngineVersion:
		return fmt.Errorf("%w: compiled by %s %s, this runtime is %s", ErrVersionMismatch, m.Engine, m.EngineVersion, t.EngineVersion)
	case m.GOOS != t.GOOS || m.GOARCH != t.GOARCH:
		return fmt.Errorf("%w: compiled for %s/%s, this is %s/%s", ErrPlatformMismatch, m.GOOS, m.GOARCH, t.GOOS, t.GOARCH)
	}
	var missing []string
	for _, f := range m.CPUFeatures {
		if !slices.Contains(t.CPUFeatures, f) {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: this CPU lacks %s", ErrPlatformMismatch, strings.Join(missing, ", "))
	}
	if m.Config != t.Config {
		return fmt.Errorf("%w: compiled with configuration %s, this runtime has %s (interpreter, fuel and memory limit must match)", ErrConfigMismatch, m.Config, t.Config)
	}
	return nil
}
