package events_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// newDB returns a client of a private, empty Redis database.
func newDB(t *testing.T) *redis.Client { return redistest.New(t).Client }

// appendConnected appends an account.connected event about account.
func appendConnected(ctx context.Context, rdb redis.UniversalClient, account string) error {
	return events.NewWriter(rdb, events.WriterOptions{}).Append(ctx, events.Event{Type: events.AccountConnected, AccountID: account, Platform: "sandbox"})
}

// commands counts the commands a client sends, by name and first
// argument ("xautoclaim", "get <key>").
type commands struct {
	mu sync.Mutex
	n  map[string]int
}

// countingClient returns a client of db that counts its commands.
func countingClient(t *testing.T, db *redistest.DB) (*redis.Client, *commands) {
	t.Helper()
	o := db.ConnOpt()
	c := redis.NewClient(&redis.Options{Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig})
	t.Cleanup(func() { _ = c.Close() })
	cc := &commands{n: map[string]int{}}
	c.AddHook(cc)
	return c, cc
}

func (c *commands) count(cmds ...redis.Cmder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cmd := range cmds {
		c.n[strings.ToLower(cmd.Name())]++
	}
}

func (c *commands) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

func (c *commands) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (c *commands) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.count(cmd)
		return next(ctx, cmd)
	}
}

func (c *commands) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.count(cmds...)
		return next(ctx, cmds)
	}
}
