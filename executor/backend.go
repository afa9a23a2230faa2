package executor

import (
	"context"
	"log/slog"
	"time"

	"github.com/wowrt/wow/ow"
	wowrt "github.com/wowrt/wow/runtime"
)

// backend is the Executor seen as an ow.Backend.
type backend struct{ e *Executor }

// Init compiles the action's module (or shares one already compiled from
// the same code), applies its env and annotations, and creates its first
// instance: for reusable ABIs that runs the guest's initialisation now, with
// the /init's env, so a broken action fails its /init, not its first /run.
func (b backend) Init(ctx context.Context, id string, p *wowrt.InitPayload, logs ow.Logs) (ow.Action, error) {
	e := b.e
	start := time.Now()
	a, err := e.load(ctx, id, p, logs)
	e.m.initDuration.Observe(time.Since(start).Seconds())
	if err != nil {
		e.log.Warn("init failed", "id", id, "action", p.Name, "err", err)
		return nil, err
	}
	if e.log.Enabled(ctx, slog.LevelDebug) { // its arguments cost four allocations
		e.log.Debug("action loaded", "id", id, "action", a.name, "abi", a.mod.mod.ABI().String(),
			"duration", time.Since(start))
	}
	return a, nil
}

func (e *Executor) load(ctx context.Context, id string, p *wowrt.InitPayload, logs ow.Logs) (*action, error) {
	icfg, err := e.instanceConfig(p)
	if err != nil {
		return nil, err
	}
	mod, err := e.modules.get(ctx, p.Code, p.Archive)
	if err != nil {
		return nil, err
	}
	name := p.Name
	if name == "" {
		name = "unnamed"
	}
	a := &action{
		e:        e,
		id:       id,
		name:     name,
		mod:      mod,
		icfg:     icfg,
		reusable: mod.mod.ABI().Reusable(),
		outcomes: e.m.outcomesOf(name),
	}
	first, err := a.newInstance(ctx, logs)
	if err != nil {
		e.modules.put(mod)
		return nil, err
	}
	a.give(first, true)
	e.track(a)
	return a, nil
}
