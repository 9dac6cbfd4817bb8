package casework_test

import (
	"context"
	"fmt"
	"testing"

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
