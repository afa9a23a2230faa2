// Package runtime is the contract every wow engine implements and the host
// side of every action ABI, written once.
//
// The lifecycle follows the WebAssembly spec, like wazero's:
//
//	rt, _ := runtime.Open(ctx, "wazero", runtime.NewConfig().WithMemoryLimitBytes(256<<20))
//	defer rt.Close(ctx)
//	mod, _ := rt.Compile(ctx, wasm)          // immutable, shareable across goroutines
//	inst, _ := mod.Instantiate(ctx, runtime.NewInstanceConfig().WithEnv(env))
//	defer inst.Close(ctx)
//	res, err := inst.Invoke(ctx, &runtime.RunPayload{Params: []byte(`{"param1":2,"param2":2}`)})
//
// A [Runtime] is one engine. A [Module] is compiled code: immutable and safe to
// share by any number of concurrent activations. An [Instance] is one sandbox
// running one activation at a time; for the reusable ABIs (reactor, numeric) it
// stays warm between activations, for the single-shot ABIs (WASI command,
// memory buffer) every activation gets a fresh sandbox.
//
// Engine adapters implement the small engine-facing surface in engine.go
// ([Engine], [EngineModule], [Sandbox], [Memory]) and register a factory with
// [Register] from their init function. Everything else — ABI detection, the
// four action ABIs, host capabilities, limits and error classification — lives
// here so adapters stay thin. The ABIs are specified in ABI.md at the
// repository root.
package runtime
