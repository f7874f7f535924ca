package redistest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/redisserver"
)

// EnvURL names the variable that points tests at an existing Redis instead
// of a private one. Its databases are flushed as tests take them.
const EnvURL = "HERALD_TEST_REDIS_URL"

// databases is how many logical databases a private server offers, and so
// how many tests one package may run.
const databases = 1024

var (
	mu     sync.Mutex
	base   *redis.Options // where the package's server is; DB ignored
	nextDB = 1
)

// Runner runs a package's tests: *testing.M, or a wrapper that checks
// something after them.
type Runner interface{ Run() int }

// Main starts the package's Redis, runs its tests and exits with their
// status. A missing redis-server fails the run with a message saying how
// to install it.
func Main(m Runner) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "redistest:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func run(m Runner) (int, error) {
	if u := os.Getenv(EnvURL); u != "" {
		opt, err := redis.ParseURL(u)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", EnvURL, err)
		}
		base = opt
		return m.Run(), nil
	}
	stop, err := startServer()
	if err != nil {
		return 0, err
	}
	defer stop()
	return m.Run(), nil
}

func startServer() (stop func(), err error) {
	srv, err := redisserver.Start(context.Background(), redisserver.Options{Databases: databases})
	if err != nil {
		if errors.Is(err, redisserver.ErrNotInstalled) {
			err = fmt.Errorf("%w, or set %s", err, EnvURL)
		}
		return nil, err
	}
	base = srv.Options(0)
	return srv.Stop, nil
}

// DB is one test's private logical database.
type DB struct {
	// Client talks to the database; closed when the test ends.
	Client *redis.Client
	opt    redis.Options
}

// New returns an empty database for t alone.
func New(t testing.TB) *DB {
	t.Helper()
	d, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Client.Close() })
	return d
}

// Open returns an empty database, for Example functions, which have no
// testing.TB. The caller closes d.Client.
func Open() (*DB, error) {
	mu.Lock()
	if base == nil {
		mu.Unlock()
		return nil, errors.New("redistest: Main was not called from TestMain")
	}
	opt := *base
	if os.Getenv(EnvURL) != "" {
		// A shared server has 16 databases unless configured otherwise.
		opt.DB = 1 + (nextDB-1)%15
	} else {
		opt.DB = nextDB
	}
	nextDB++
	mu.Unlock()
	if opt.DB >= databases {
		return nil, fmt.Errorf("redistest: more than %d tests in one package", databases-1)
	}
	c := redis.NewClient(&opt)
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redistest: flush db %d: %w", opt.DB, err)
	}
	return &DB{Client: c, opt: opt}, nil
}

// ConnOpt returns asynq's connection options for the database.
func (d *DB) ConnOpt() asynq.RedisClientOpt {
	return asynq.RedisClientOpt{
		Network:   d.opt.Network,
		Addr:      d.opt.Addr,
		Username:  d.opt.Username,
		Password:  d.opt.Password,
		DB:        d.opt.DB,
		TLSConfig: d.opt.TLSConfig,
	}
}

// URL returns the database as a HERALD_REDIS_URL value.
func (d *DB) URL() string {
	if d.opt.Network == "unix" {
		return "unix://" + d.opt.Addr + "?db=" + strconv.Itoa(d.opt.DB)
	}
	u := url.URL{Scheme: "redis", Host: d.opt.Addr, Path: "/" + strconv.Itoa(d.opt.DB)}
	if d.opt.TLSConfig != nil {
		u.Scheme = "rediss"
	}
	if d.opt.Password != "" {
		u.User = url.UserPassword(d.opt.Username, d.opt.Password)
	}
	return u.String()
}
