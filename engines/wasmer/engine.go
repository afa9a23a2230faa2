//go:build wasmer

package wasmer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wasmerio/wasmer-go/wasmer"
	"github.com/wowrt/wow/internal/wasmbin"
	wowrt "github.com/wowrt/wow/runtime"
)

// Name is the engine's registry name.
const Name = "wasmer"

func init() { wowrt.Register(Name, New) }

// runaways counts quarantined guests still running: stopped for their
// caller by a deadline or cancellation but still burning their thread until
// their metering budget runs out.
var runaways atomic.Int64

// Runaways returns how many quarantined guests are still running.
func Runaways() int64 { return runaways.Load() }

// LibraryPath returns the directory of the libwasmer.so this binary was
// linked against (in wasmer-go's module directory), or "" when unknown.
// A binary moved to another machine needs that library next to it or on
// LD_LIBRARY_PATH.
func LibraryPath() string {
	if p, err := filepath.EvalSymlinks("/proc/self/exe"); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "libwasmer.so")); err == nil {
			return filepath.Dir(p)
		}
	}
	return ""
}

type engine struct {
	cfg     wowrt.EngineConfig
	version string
	// rate is the metering points per second a tight guest loop burns here.
	rate float64
}

// New creates the wasmer engine. The interpreter and compilation cache
// settings are ignored: Wasmer 2.0 compiles with Cranelift and keeps no cache.
func New(_ context.Context, cfg wowrt.EngineConfig) (wowrt.Engine, error) {
	e := &engine{
		cfg:     cfg,
		version: wowrt.ModuleVersion("github.com/wasmerio/wasmer-go", "v1.0.4") + " (wasmer " + libraryVersion() + ")",
	}
	r, err := calibrate()
	if err != nil {
		return nil, fmt.Errorf("calibrate metering: %w", err)
	}
	e.rate = r
	return e, nil
}

var (
	rateOnce sync.Once
	rate     float64
	rateErr  error
)

// spin is (module (func (export "spin") (loop br 0))).
var spin = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
	0x01, 0x00, 0x07, 0x08, 0x01, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07,
	0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b,
}

// calibrate measures, once per process, how many metering points per
// second the fastest guest code (an empty loop) burns: a budget of
// remaining-time × rate cannot run out before the deadline for real code,
// which spends more time per operator.
func calibrate() (float64, error) {
	rateOnce.Do(func() {
		m, err := wasmer.NewModule(meteredStore(), spin)
		if err != nil {
			rateErr = err
			return
		}
		inst, err := wasmer.NewInstance(m, wasmer.NewImportObject())
		if err != nil {
			rateErr = err
			return
		}
		defer inst.Close()
		f, err := inst.Exports.GetRawFunction("spin")
		if err != nil {
			rateErr = err
			return
		}
		best := 0.0
		for range 3 {
			const points = 10_000_000
			setPoints(inst, points)
			start := time.Now()
			_, err := f.Call()
			el := time.Since(start)
			if err == nil || !pointsExhausted(inst) {
				rateErr = errors.New("the metering budget did not stop the loop")
				return
			}
			best = max(best, points/el.Seconds())
		}
		rate = best
	})
	return rate, rateErr
}

// meteredStore returns a store on a new metered engine. Each module needs
// its own: Wasmer 2.0's metering middleware panics when a second module is
// compiled through it.
func meteredStore() *wasmer.Store {
	wc := wasmer.NewConfig()
	useMetering(wc)
	return wasmer.NewStore(wasmer.NewEngineWithConfig(wc))
}

func (e *engine) Name() string    { return Name }
func (e *engine) Version() string { return e.version }

func (e *engine) Compile(_ context.Context, wasm []byte) (wowrt.EngineModule, error) {
	store, m, err := e.compile(wasm)
	if err != nil {
		return nil, err
	}
	return newModule(e, store, m), nil
}

// compile compiles wasm with its memory maximum rewritten to the limit
// (which the compiled code therefore bakes in) on a new metered store.
func (e *engine) compile(wasm []byte) (*wasmer.Store, *wasmer.Module, error) {
	if p := e.cfg.MemoryLimitPages; p > 0 {
		if capped, changed, err := wasmbin.CapMemory(wasm, p); err == nil && changed {
			wasm = capped
		}
	}
	store := meteredStore()
	m, err := wasmer.NewModule(store, wasm)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", wowrt.ErrInvalidModule, err)
	}
	return store, m, nil
}

// Precompile implements runtime.Precompiler: the metered module,
// serialized. The memory limit is baked in (see compile).
func (e *engine) Precompile(_ context.Context, wasm []byte) ([]byte, error) {
	_, m, err := e.compile(wasm)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	return m.Serialize()
}

// Load implements runtime.Loader for artifacts made by the module's
// Serialize. Each load leaks memory inside Wasmer 2.0 (≈39 MB for a Go
// action, measured): load an artifact once and share the module.
func (e *engine) Load(_ context.Context, artifact []byte) (wowrt.EngineModule, error) {
	store := meteredStore()
	m, err := wasmer.DeserializeModule(store, artifact)
	if err != nil {
		return nil, fmt.Errorf("%w: not a wasmer artifact: %v", wowrt.ErrInvalidModule, err)
	}
	return newModule(e, store, m), nil
}

func (e *engine) Close(context.Context) error { return nil }

// budget is the metering points for a call bounded by ctx: enough for the
// fastest code to reach the deadline (plus a million points), or the configured
// fuel, whichever is smaller. Zero deadline and fuel: unlimited.
// budgetMargin multiplies the calibrated points-per-second rate in budget.
const budgetMargin = 4

func (e *engine) budget(ctx context.Context) uint64 {
	points := uint64(1<<63 - 1)
	if dl, ok := ctx.Deadline(); ok {
		left := max(time.Until(dl), time.Millisecond)
		// Four times the calibrated rate: a calibration taken while the
		// machine was busy (other test binaries, -race) underestimates it,
		// and a budget spent before the deadline would stop a guest early
		// (twice was not enough: 163 ms of 200 under CI). The caller gets ErrTimeout at the
		// deadline regardless (the guest is quarantined), so the margin only
		// bounds how long a runaway burns after it.
		points = uint64(budgetMargin*left.Seconds()*e.rate) + 1_000_000
	}
	if e.cfg.Fuel > 0 {
		points = min(points, e.cfg.Fuel)
	}
	return points
}
