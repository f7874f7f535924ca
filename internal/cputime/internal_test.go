package cputime

import (
	"testing"
	"time"
)

func TestFromInfoSumsUserAndSystem(t *testing.T) {
	for _, tc := range []struct {
		name, info string
		want       time.Duration
	}{
		{"both", "# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:2.250000\r\nused_cpu_sys_children:9.000000\r\nused_cpu_user_children:9.000000\r\n", 3750 * time.Millisecond},
		{"user only", "used_cpu_user:0.5\n", 500 * time.Millisecond},
		{"sys only", "used_cpu_sys:0.25\n", 250 * time.Millisecond},
		{"not a number", "used_cpu_user:lots\nused_cpu_sys:1\n", time.Second},
		{"empty", "", 0},
	} {
		if got := fromInfo(tc.info); got != tc.want {
			t.Errorf("%s: fromInfo = %v, want %v", tc.name, got, tc.want)
		}
	}
}
