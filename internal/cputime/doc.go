// Package cputime reads CPU time spent: by this process (Process) and by
// the redis-server a client talks to (Redis, from INFO cpu).
//
// Herald's cost per task is measured in CPU, not wall time, because CPU
// is steadier on a shared machine. The benchmark program (bench) and the
// jobs package's benchmarks both measure it; neither can import the
// other's code (bench is a main package, jobs' benchmarks are test
// code), so the readers live here.
//
//	go0 := cputime.Process()
//	redis0, err := cputime.Redis(ctx, rdb)
//	// ... the work, then the same two reads; the differences are the
//	// CPU each side spent on it.
package cputime
