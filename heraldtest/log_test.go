package heraldtest

import (
	"testing"
)

// countTB counts Log calls.
type countTB struct {
	testing.TB
	logs []string
}

func (c *countTB) Log(args ...any) { c.logs = append(c.logs, args[0].(string)) }

// Once the test is over, log lines are dropped: testing panics at a Log
// after the test completed.
func TestTestLogDropsLinesAfterStop(t *testing.T) {
	c := &countTB{TB: t}
	l := &testLog{t: c}
	l.Write([]byte("level=WARN msg=one\n"))
	l.stop()
	l.Write([]byte("level=WARN msg=two\n"))
	if len(c.logs) != 1 || c.logs[0] != "level=WARN msg=one" {
		t.Errorf("logged %q, want only the line before stop, without its newline", c.logs)
	}
}
