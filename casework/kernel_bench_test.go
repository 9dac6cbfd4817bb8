package casework_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
)

// BenchmarkWrites measures one audited write through the service (a person
// created: validation, sealing, blind indexes, the record and its audit
// entry in one transaction) and one read back, on every backend.
func BenchmarkWrites(b *testing.B) {
	for _, name := range []string{"memory", "sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			w := newKernelWorld(b, kernelBackends[name](b), nil)
			ctx := context.Background()
			b.Run("CreatePerson", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: fmt.Sprintf("居民%d", i),
						Phone: fmt.Sprintf("138%08d", i)}); err != nil {
						b.Fatal(err)
					}
				}
			})
			p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "读者"})
			if err != nil {
				b.Fatal(err)
			}
			b.Run("GetPerson", func(b *testing.B) {
				for b.Loop() {
					if _, err := w.k.GetPerson(ctx, w.officer, p.ID); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkAuthorisedRead measures one authorised, masked read (GetPerson)
// with the staff cache on (the default: one query, the record's) and off
// (StaffCacheTTL < 0: the staff read of Reach and of Authorize too), on
// every backend.
func BenchmarkAuthorisedRead(b *testing.B) {
	for _, name := range []string{"memory", "sqlite", "postgres"} {
		for _, c := range []struct {
			name string
			ttl  time.Duration
		}{{"cached", 0}, {"uncached", -1}} {
			b.Run(name+"/"+c.name, func(b *testing.B) {
				w := newKernelWorld(b, kernelBackends[name](b), &casework.Config{StaffCacheTTL: c.ttl})
				ctx := context.Background()
				p, err := w.k.CreatePerson(ctx, w.officer, casework.PersonInput{UnitID: w.station.ID, Name: "读者", Phone: "13800000001"})
				if err != nil {
					b.Fatal(err)
				}
				cpu0, ok := processCPU()
				for b.Loop() {
					if _, err := w.k.GetPerson(ctx, w.officer, p.ID); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu0, ok)
			})
		}
	}
}

// reportCPU reports this process's CPU time per operation beside the wall
// time: on a machine shared with other work the wall time measures the
// neighbours too, the CPU time much less. The database server's own CPU
// (PostgreSQL) is not in it.
func reportCPU(b *testing.B, cpu0 time.Duration, ok bool) {
	cpu1, ok1 := processCPU()
	if ok && ok1 && b.N > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
	}
}
