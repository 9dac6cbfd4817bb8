package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"
)

// BenchmarkMemoryCreateLiveHeap creates b.N visits on the memory backend
// through the whole in-process handler, as the load script's create does
// (a unique Idempotency-Key each), and reports the live heap each one
// keeps once collected: what the memory backend's resident set grows by
// (issue 13: RSS under load < 150 MB).
//
//	go test -run '^$' -bench MemoryCreateLiveHeap -benchtime 20000x ./examples/server/
//
// With LIVEHEAP_PROFILE=file it also writes the heap profile of what they
// keep.
func BenchmarkMemoryCreateLiveHeap(b *testing.B) {
	f := newReadFixture(b, "memory")
	f.r.app.log = f.r.app.log.Output(discard{})
	visitedAt := time.Now().UTC().Truncate(time.Second).Add(-time.Hour).Format(time.RFC3339)
	body := fmt.Appendf(nil, `{"unitId":%q,"personId":%q,"targetKind":"difficult_family","visitedAt":%q,`+
		`"notes":"压测走访：了解家庭近况","services":[{"kind":"door_to_door","note":"送米面油"}]}`, f.unit, f.person, visitedAt)
	before := liveHeap()
	cpu := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodPost, "/v1/visits", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "memory-"+strconv.Itoa(i))
		w := httptest.NewRecorder()
		f.r.app.handler.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", w.Code, w.Body.String())
		}
	}
	b.StopTimer()
	writeLiveHeapProfile(b)
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(liveHeap()-before)/float64(b.N), "live-B/visit")
}

// writeLiveHeapProfile writes the heap profile to $LIVEHEAP_PROFILE when
// set, while the created visits are still live (-memprofile writes its
// profile after the fixture is gone): read it with go tool pprof
// -sample_index=inuse_space.
func writeLiveHeapProfile(b *testing.B) {
	path := os.Getenv("LIVEHEAP_PROFILE")
	if path == "" {
		return
	}
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// liveHeap is the heap's live bytes after a full collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
