package jobs_test

import (
	"context"
	"net"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// commands counts the commands a client sends, by name and first
// argument ("xautoclaim", "get <key>"); those sent in a pipeline are
// counted again under "pipeline " and their name.
type commands struct {
	mu sync.Mutex
	n  map[string]int
}

// countingClient returns a client of e's database that counts its
// commands.
func (e *env) countingClient() (*redis.Client, *commands) {
	e.t.Helper()
	o := e.db.ConnOpt()
	c := redis.NewClient(&redis.Options{Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig})
	e.t.Cleanup(func() { _ = c.Close() })
	cc := &commands{n: map[string]int{}}
	c.AddHook(cc)
	return c, cc
}

func (c *commands) count(prefix string, cmds ...redis.Cmder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cmd := range cmds {
		name := strings.ToLower(cmd.Name())
		c.n[prefix+name]++
		if args := cmd.Args(); len(args) > 1 {
			if k, ok := args[1].(string); ok {
				c.n[prefix+name+" "+k]++
			}
		}
	}
}

func (c *commands) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func (c *commands) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (c *commands) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.count("", cmd)
		return next(ctx, cmd)
	}
}

func (c *commands) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.count("", cmds...)
		c.count("pipeline ", cmds...)
		return next(ctx, cmds)
	}
}
