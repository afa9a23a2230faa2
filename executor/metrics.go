package executor

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the executor's Prometheus families, all prefixed wow_.
type metrics struct {
	activations   *prometheus.CounterVec
	initDuration  prometheus.Histogram
	runDuration   prometheus.Histogram
	cacheHits     prometheus.Counter
	cacheMisses   prometheus.Counter
	artifacts     *prometheus.CounterVec
	liveInstances prometheus.Gauge
	queueDepth    prometheus.Gauge
	running       prometheus.Gauge
	actions       prometheus.Gauge
	// outcomes caches outcomesOf by action name.
	outcomes sync.Map
}

// outcomes are an action name's two common outcome counters.
type outcomes struct{ success, appError prometheus.Counter }

// outcomesOf returns name's common outcome counters, resolved once per
// name: WithLabelValues hashes and looks up its labels (≈0.4 µs each), and
// every /init would otherwise pay it twice.
func (m *metrics) outcomesOf(name string) *outcomes {
	if o, ok := m.outcomes.Load(name); ok {
		return o.(*outcomes)
	}
	o, _ := m.outcomes.LoadOrStore(name, &outcomes{
		success:  m.activations.WithLabelValues(name, "success"),
		appError: m.activations.WithLabelValues(name, "application_error"),
	})
	return o.(*outcomes)
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	// The latency buckets span 50 µs to 30 s.
	latencyBuckets := prometheus.ExponentialBucketsRange(50e-6, 30, 24)
	m := &metrics{
		activations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wow_activations_total",
			Help: "Activations by action and outcome (success, application_error, timeout, trap, memory_limit, action_failed, not_dictionary, overloaded, ...).",
		}, []string{"action", "outcome"}),
		initDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wow_init_duration_seconds",
			Help:    "Time to load an action: compile (or compile-cache hit) and first instance.",
			Buckets: latencyBuckets,
		}),
		runDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "wow_run_duration_seconds",
			Help:    "Time to run an activation, including the wait for a slot.",
			Buckets: latencyBuckets,
		}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wow_compile_cache_hits_total",
			Help: "Inits that compiled nothing: the module was already compiled in this process (same code) or loaded from the on-disk compile cache (--cache-dir).",
		}),
		cacheMisses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "wow_compile_cache_misses_total",
			Help: "Inits that compiled their module.",
		}),
		artifacts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wow_artifact_loads_total",
			Help: "Inits of precompiled artifacts by result: trusted (native code loaded) or the reason it was not (unsigned, bad_signature, engine_mismatch, ...: the .wasm was compiled).",
		}, []string{"result"}),
		liveInstances: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wow_live_instances",
			Help: "Instances alive, running or idle in a warm pool.",
		}),
		queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wow_queue_depth",
			Help: "Activations waiting for a concurrency slot.",
		}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wow_running_activations",
			Help: "Activations holding a concurrency slot.",
		}),
		actions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "wow_actions",
			Help: "Actions loaded.",
		}),
	}
	for _, c := range []prometheus.Collector{
		m.activations, m.initDuration, m.runDuration, m.cacheHits, m.cacheMisses, m.artifacts,
		m.liveInstances, m.queueDepth, m.running, m.actions,
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
