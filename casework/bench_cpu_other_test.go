//go:build !unix

package casework_test

import "time"

// processCPU is not measured off unix: the benchmarks report wall time only.
func processCPU() (time.Duration, bool) { return 0, false }
