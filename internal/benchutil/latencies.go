// Package benchutil holds what wow's benchmarks share.
package benchutil

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Latencies are the measured times of a benchmark's iterations. On a VM a
// hypervisor hiccup can take longer than the operation itself, so
// percentiles say more than ns/op, the mean.
type Latencies []time.Duration

// Report adds the metric "pN-UNIT" for each percentile N, with UNIT "µs"
// or "ms". It sorts l.
func (l Latencies) Report(b *testing.B, unit string, percentiles ...int) {
	if len(l) == 0 {
		return
	}
	per := map[string]time.Duration{"µs": time.Microsecond, "ms": time.Millisecond}[unit]
	if per == 0 {
		b.Fatalf("benchutil: unit %q is neither µs nor ms", unit)
	}
	slices.Sort(l)
	for _, p := range percentiles {
		i := min(len(l)*p/100, len(l)-1)
		b.ReportMetric(float64(l[i])/float64(per), fmt.Sprintf("p%d-%s", p, unit))
	}
}
