package wire_test

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/internal/wire"
)

func TestPositive(t *testing.T) {
	tests := []struct{ d, def, want time.Duration }{
		{0, time.Second, time.Second},
		{-time.Minute, time.Second, time.Second},
		{time.Millisecond, time.Second, time.Millisecond},
	}
	for _, tt := range tests {
		if got := wire.Positive(tt.d, tt.def); got != tt.want {
			t.Errorf("Positive(%v, %v) = %v, want %v", tt.d, tt.def, got, tt.want)
		}
	}
}
