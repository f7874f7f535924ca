package calllog_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/calllog"
)

func TestLog(t *testing.T) {
	var l calllog.Log[int]
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() { defer wg.Done(); l.Add(i) }()
	}
	wg.Wait()
	all := l.All()
	slices.Sort(all)
	if len(all) != 100 || all[0] != 0 || all[99] != 99 {
		t.Fatalf("All = %v", all)
	}
	all[0] = -1 // a copy: the log keeps its own
	if n := l.Count(func(c int) bool { return c < 0 }); n != 0 {
		t.Errorf("All shared the log's slice")
	}
	if n := l.Count(func(c int) bool { return c%2 == 0 }); n != 50 {
		t.Errorf("Count even = %d", n)
	}
}
