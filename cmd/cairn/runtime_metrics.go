package main

import (
	"runtime/metrics"

	"github.com/cairnhq/cairn/gateway"
)

// runtimeGauges are Go runtime figures on /_cairn/metrics, so that a benchmark can
// tell how much of a latency change is the garbage collector's.
var runtimeGauges = map[string]string{
	"go_gc_cycles_total":         "/gc/cycles/total:gc-cycles",
	"go_gc_cpu_seconds_total":    "/cpu/classes/gc/total:cpu-seconds",
	"go_gc_heap_live_bytes":      "/gc/heap/live:bytes",
	"go_gc_heap_allocs_bytes":    "/gc/heap/allocs:bytes",
	"go_memory_total_bytes":      "/memory/classes/total:bytes",
	"go_sched_goroutines":        "/sched/goroutines:goroutines",
	"go_cpu_total_seconds_total": "/cpu/classes/total:cpu-seconds",
}

// addRuntimeGauges registers runtimeGauges on m.
func addRuntimeGauges(m *gateway.Metrics) {
	for name, key := range runtimeGauges {
		m.Gauges[name] = func() float64 {
			s := []metrics.Sample{{Name: key}}
			metrics.Read(s)
			switch s[0].Value.Kind() {
			case metrics.KindUint64:
				return float64(s[0].Value.Uint64())
			case metrics.KindFloat64:
				return s[0].Value.Float64()
			}
			return 0
		}
	}
}
