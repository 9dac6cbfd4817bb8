package main

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
)

// defaultMemoryLimit is the soft memory limit on the memory backend when
// neither -memory-limit nor GOMEMLIMIT says otherwise. That backend keeps
// every record in the Go heap, and the GC by default lets the heap grow to
// twice what is live before it collects, so the resident set is about twice
// the data: under this limit the GC collects sooner instead. It counts the
// runtime's memory, not the binary's pages (about 20 MB of the resident
// set), so 100 MiB keeps the server under issue 13's 150 MB (10^6 bytes
// each) with room: 55,000 visits created in process (about 770 bytes of
// live heap each) peaked at 126,144 KiB (129 MB) for 114 µs of CPU a
// create, where 120 MiB peaked at 140,520 KiB (144 MB) for 106 µs
// (BenchmarkMemoryCreateLiveHeap under /usr/bin/time). With more live data than the limit the GC runs
// often; a larger data set wants a larger limit.
// The SQL backends keep their data in the database and need none.
const defaultMemoryLimit = 100 << 20

// memoryLimit is the -memory-limit flag: a soft limit on the memory the Go
// runtime uses (runtime/debug.SetMemoryLimit), in GOMEMLIMIT's syntax.
type memoryLimit struct {
	set   bool
	bytes int64 // math.MaxInt64: no limit
}

func (m *memoryLimit) String() string {
	if m == nil || !m.set {
		return ""
	}
	if m.bytes == math.MaxInt64 {
		return "off"
	}
	return strconv.FormatInt(m.bytes, 10)
}

// Set parses a size as GOMEMLIMIT does (a number of bytes with an optional
// B, KiB, MiB, GiB or TiB suffix), or "off" for no limit.
func (m *memoryLimit) Set(s string) error {
	if s == "off" {
		m.set, m.bytes = true, math.MaxInt64
		return nil
	}
	unit := int64(1)
	num := s
	for _, u := range []struct {
		suffix string
		scale  int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, unit = n, u.scale
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/unit {
		return fmt.Errorf("%q: want a positive size such as 128MiB or 1GiB, or off", s)
	}
	m.set, m.bytes = true, n*unit
	return nil
}

// applyMemoryLimit sets the runtime's soft memory limit from -memory-limit,
// else leaves GOMEMLIMIT's in force, else sets defaultMemoryLimit on the
// memory backend. It returns the limit in force (math.MaxInt64: none).
func applyMemoryLimit(c *config, getenv func(string) string) int64 {
	switch {
	case c.memoryLimit.set:
		debug.SetMemoryLimit(c.memoryLimit.bytes)
	case getenv("GOMEMLIMIT") == "" && c.db == "memory":
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	return debug.SetMemoryLimit(-1)
}
