package publishers

import (
	"context"
	"time"

	"github.com/heraldhq/herald/internal/wait"
)

// Sleep is wait.Sleep, kept only while jobs still borrows it.
//
// Deprecated: issue 18 moves jobs to its own snooze signal; once it no
// longer calls Sleep, delete this file. Platforms use wait.Sleep.
func Sleep(ctx context.Context, d time.Duration) error { return wait.Sleep(ctx, d) }
