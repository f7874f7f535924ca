//go:build linux

package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// separate gives redis-server the last CPU this process may run on and
// this process the others, as a deployment gives Redis cores (or a host)
// of its own, until restore is called. Without it the two compete for
// the same cores, and every command a handler sends takes CPU from
// asynq's dequeue loop. It needs two CPUs.
func separate(e *env) (restore func(), where string, err error) {
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil {
		return nil, "", fmt.Errorf("read CPU affinity: %w", err)
	}
	var cpus []int
	for c := range 1024 {
		if all.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	if len(cpus) < 2 {
		return nil, "", fmt.Errorf("needs two CPUs, this process may use %d", len(cpus))
	}
	pid := e.srv.PID()
	var redisWas unix.CPUSet
	if err := unix.SchedGetaffinity(pid, &redisWas); err != nil {
		return nil, "", fmt.Errorf("read redis-server's CPU affinity: %w", err)
	}
	var redisSet, goSet unix.CPUSet
	redisSet.Set(cpus[len(cpus)-1])
	goCPUs := cpus[:len(cpus)-1]
	for _, c := range goCPUs {
		goSet.Set(c)
	}
	procs := runtime.GOMAXPROCS(0)
	restore = func() {
		_ = pinThreads(os.Getpid(), &all)
		runtime.GOMAXPROCS(procs)
		_ = pinThreads(pid, &redisWas)
	}
	if err := pinThreads(pid, &redisSet); err != nil {
		restore()
		return nil, "", fmt.Errorf("pin redis-server: %w", err)
	}
	if err := pinThreads(os.Getpid(), &goSet); err != nil {
		restore()
		return nil, "", fmt.Errorf("pin this process: %w", err)
	}
	runtime.GOMAXPROCS(len(goCPUs))
	names := make([]string, len(goCPUs))
	for i, c := range goCPUs {
		names[i] = strconv.Itoa(c)
	}
	return restore, fmt.Sprintf("Go on CPU %s (GOMAXPROCS %d), redis-server on CPU %d", strings.Join(names, ","), len(goCPUs), cpus[len(cpus)-1]), nil
}

// pinThreads sets the CPU affinity of every thread of process pid. A new
// thread takes its creator's affinity, so a thread made during a pass
// from one not yet pinned is caught by the next: passes repeat until one
// finds no thread it had not seen.
func pinThreads(pid int, set *unix.CPUSet) error {
	seen := map[int]bool{}
	for range 20 {
		ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		if err != nil {
			return err
		}
		fresh := false
		for _, d := range ents {
			tid, err := strconv.Atoi(d.Name())
			if err != nil || seen[tid] {
				continue
			}
			seen[tid], fresh = true, true
			if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
				return fmt.Errorf("thread %d: %w", tid, err)
			}
		}
		if !fresh {
			return nil
		}
	}
	return fmt.Errorf("process %d keeps making threads", pid)
}
