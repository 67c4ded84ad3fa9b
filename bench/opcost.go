package main

import (
	"context"
	"fmt"
	"log"
	"time"
)

// OpCost is the cost of one operation under sustained load.
type OpCost struct {
	Op     string
	Result LoadResult
}

// opCostOps are the ingest's cheap operations, each measured alone.
var opCostOps = []string{"GetTrail", "GetTrailStatus", "DescribeTrails", "ListTrails", "GetCallerIdentity"}

// MeasureOps runs each cheap operation alone at -concurrency for a few seconds and
// returns calls/s, latency and CPU per call: it shows which operation costs the
// server most, and (measured before and after the ingest) whether that cost grows
// with what is stored.
func (b *Bench) MeasureOps(ctx context.Context, label string) []OpCost {
	d := max(b.o.Duration/4, 3*time.Second)
	u := &b.users[0]
	getBody := fmt.Appendf(nil, `{"Name":%q}`, benchTrail)
	describeBody := fmt.Appendf(nil, `{"trailNameList":[%q]}`, benchTrail)
	var out []OpCost
	for _, op := range opCostOps {
		step := func(ctx context.Context, _ int, lat *Latencies) (int, error) {
			var resp *Response
			var err error
			switch op {
			case "GetCallerIdentity":
				resp, err = b.client.STSGetCallerIdentity(ctx, u, regions[0])
			case "DescribeTrails":
				resp, err = b.client.CloudTrail(ctx, u, regions[0], op, describeBody)
			case "ListTrails":
				resp, err = b.client.CloudTrail(ctx, u, regions[0], op, []byte("{}"))
			default:
				resp, err = b.client.CloudTrail(ctx, u, regions[0], op, getBody)
			}
			if err != nil {
				return 0, err
			}
			lat.Add(resp.Latency)
			return 1, resp.Err(op)
		}
		res := RunLoad(ctx, b.srv, LoadSpec{Name: op + " " + label, Workers: b.o.Concurrency, Duration: d}, step)
		out = append(out, OpCost{Op: op, Result: res})
		log.Printf("%s (%s): %.0f calls/s, %s, server CPU/call %s", op, label, res.Rate(), fmtSummary(res.Lat), fmtDur(perCall(res.ServerCPU, res.Calls)))
	}
	return out
}

func perCall(cpu time.Duration, calls int64) time.Duration {
	if calls == 0 {
		return 0
	}
	return cpu / time.Duration(calls)
}
