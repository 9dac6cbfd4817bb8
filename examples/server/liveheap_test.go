package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
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
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(liveHeap()-before)/float64(b.N), "live-B/visit")
}

// liveHeap is the heap's live bytes after a full collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
