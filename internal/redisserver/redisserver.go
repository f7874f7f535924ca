// Package redisserver starts a private redis-server: a unix socket in a
// temp dir, persisting nothing, with noeviction as asynq needs and the
// hash-max-listpack-value of README's production notes. Tests and
// `herald demo` use it; production points at a real Redis.
package redisserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotInstalled says redis-server is not in PATH.
var ErrNotInstalled = errors.New("redis-server not found in PATH: install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis)")

// Server is a running private redis-server.
type Server struct {
	// Socket is the path of its unix socket.
	Socket string
	// Addr is its TCP address, when Options.Port was set.
	Addr string
	// Dir is its working directory (removed by Stop).
	Dir    string
	bin    string
	args   []string
	cmd    *exec.Cmd
	dir    string
	exited chan struct{}
}

// Options tune the server.
type Options struct {
	// Databases is how many logical databases it offers (default 16).
	Databases int
	// AppendFsync turns on the append-only file with this fsync policy
	// (everysec or always); empty keeps nothing on disk.
	AppendFsync string
	// Port, if set, also listens on 127.0.0.1:Port (cluster and sentinel
	// setups announce TCP addresses).
	Port int
	// Args are extra redis-server arguments (--cluster-enabled yes, ...).
	Args []string
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start runs redis-server and waits until it answers.
func Start(ctx context.Context, o Options) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNotInstalled
	}
	if o.Databases <= 0 {
		o.Databases = 16
	}
	dir, err := os.MkdirTemp("", "herald-redis-")
	if err != nil {
		return nil, err
	}
	s := &Server{Socket: filepath.Join(dir, "redis.sock"), dir: dir, Dir: dir, bin: bin}
	s.args = []string{
		"--port", "0",
		"--unixsocket", s.Socket,
		"--unixsocketperm", "700",
		"--dir", dir,
		"--save", "",
		"--appendonly", "no",
		"--databases", strconv.Itoa(o.Databases),
		"--maxmemory-policy", "noeviction",
		// As README's production notes ask: a post's record stays a
		// compact hash (its post field passes the default 64 bytes).
		// The ziplist name is the one Redis 6.2 knows; 7 takes it too.
		"--hash-max-ziplist-value", "1024",
		"--logfile", filepath.Join(dir, "redis.log"),
	}
	if o.AppendFsync != "" {
		s.args = append(s.args, "--appendonly", "yes", "--appendfsync", o.AppendFsync)
	}
	if o.Port != 0 {
		s.args = append(s.args, "--port", strconv.Itoa(o.Port), "--bind", "127.0.0.1")
		s.Addr = "127.0.0.1:" + strconv.Itoa(o.Port)
	}
	s.args = append(s.args, o.Args...)
	if err := s.run(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) run(ctx context.Context) error {
	s.exited = make(chan struct{})
	s.cmd = exec.Command(s.bin, s.args...)
	if err := s.cmd.Start(); err != nil {
		close(s.exited)
		return fmt.Errorf("start redis-server: %w", err)
	}
	go func(cmd *exec.Cmd, exited chan struct{}) { _ = cmd.Wait(); close(exited) }(s.cmd, s.exited)
	return s.waitReady(ctx)
}

// Crash kills the server with SIGKILL, as a power cut would, and starts
// it again on the same directory: what its append-only file kept is back.
func (s *Server) Crash(ctx context.Context) error {
	s.Kill()
	return s.Restart(ctx)
}

// Kill kills the server with SIGKILL and waits for it to exit, keeping
// its directory: clients' connections and dials fail until Restart, as
// in an outage.
func (s *Server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server dies too
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// Restart starts a killed server again on the same socket and directory
// and waits until it answers: what its append-only file kept is back
// (nothing, without Options.AppendFsync).
func (s *Server) Restart(ctx context.Context) error { return s.run(ctx) }

// Pause stops the server (SIGSTOP) until Resume: clients see a network
// that went silent.
func (s *Server) Pause() error { return s.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused server.
func (s *Server) Resume() error { return s.cmd.Process.Signal(syscall.SIGCONT) }

func (s *Server) waitReady(ctx context.Context) error {
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: s.Socket})
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		err := c.Ping(ctx).Err()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			return fmt.Errorf("redis-server exited at start: %s", log)
		case <-ctx.Done():
			return fmt.Errorf("redis-server did not answer within 10s: %w", err)
		case <-tick.C:
		}
	}
}

// PID is the running redis-server's process id (a new one after Crash
// and a restart).
func (s *Server) PID() int { return s.cmd.Process.Pid }

// URL returns the HERALD_REDIS_URL of database db.
func (s *Server) URL(db int) string {
	return "unix://" + s.Socket + "?db=" + strconv.Itoa(db)
}

// Options returns go-redis options for database db.
func (s *Server) Options(db int) *redis.Options {
	return &redis.Options{Network: "unix", Addr: s.Socket, DB: db}
}

// Stop kills the server and removes its directory.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.dir)
}
