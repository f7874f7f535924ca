package config

import (
	"crypto/tls"
	"net/url"
	"strconv"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Kind says whether r is one server, a sentinel-watched master or a
// cluster.
func (r Redis) Kind() RedisKind { return r.kind }

// String returns r as a URL with every password replaced by xxxxx, fit for
// logs and error messages.
func (r Redis) String() string { return r.url(true) }

// GoString redacts like String, so %#v is as safe as %v.
func (r Redis) GoString() string { return "config.Redis(" + strconv.Quote(r.url(true)) + ")" }

// url writes r back as a HERALD_REDIS_URL; ParseRedisURL(r.url(false))
// gives r again.
func (r Redis) url(redact bool) string {
	hide := func(s string) string {
		if redact && s != "" {
			return redacted
		}
		return s
	}
	var b strings.Builder
	scheme := r.scheme
	if scheme == "" {
		scheme = "redis"
	}
	b.WriteString(scheme + "://")
	switch {
	case r.password != "":
		b.WriteString(url.UserPassword(r.username, hide(r.password)).String() + "@")
	case r.username != "":
		b.WriteString(url.User(r.username).String() + "@")
	}
	var query []string
	switch {
	case scheme == "unix":
		b.WriteString(escapeAt((&url.URL{Path: strings.Join(r.addrs, "")}).EscapedPath()))
		query = append(query, "db="+strconv.Itoa(r.db))
	case r.kind == RedisSingle:
		b.WriteString(strings.Join(r.addrs, ",") + "/" + strconv.Itoa(r.db))
	case r.kind == RedisSentinel:
		b.WriteString(strings.Join(r.addrs, ",") + "/" + escapeAt(url.PathEscape(r.master)))
		query = append(query, "db="+strconv.Itoa(r.db))
		if r.sentinelPassword != "" {
			query = append(query, "sentinel_password="+url.QueryEscape(hide(r.sentinelPassword)))
		}
	case r.kind == RedisCluster:
		b.WriteString(strings.Join(r.addrs, ","))
	}
	if r.tls && scheme != "rediss" {
		query = append(query, "tls=true")
	}
	if len(query) > 0 {
		b.WriteString("?" + strings.Join(query, "&"))
	}
	return b.String()
}

// tlsConfig returns a fresh TLS configuration, or nil without TLS. Sentinel
// and cluster nodes leave ServerName empty: crypto/tls then checks each
// node's certificate against the address it dialled.
func (r Redis) tlsConfig() *tls.Config {
	if !r.tls {
		return nil
	}
	return &tls.Config{ServerName: r.serverName, MinVersion: tls.VersionTLS12}
}

// AsynqOpt returns the connection option asynq needs for r: an
// asynq.RedisClientOpt, asynq.RedisFailoverClientOpt or
// asynq.RedisClusterClientOpt.
func (r Redis) AsynqOpt() asynq.RedisConnOpt {
	switch r.kind {
	case RedisSentinel:
		return asynq.RedisFailoverClientOpt{
			MasterName:       r.master,
			SentinelAddrs:    r.Addrs(),
			SentinelPassword: r.sentinelPassword,
			Username:         r.username,
			Password:         r.password,
			DB:               r.db,
			TLSConfig:        r.tlsConfig(),
		}
	case RedisCluster:
		return asynq.RedisClusterClientOpt{
			Addrs:     r.Addrs(),
			Username:  r.username,
			Password:  r.password,
			TLSConfig: r.tlsConfig(),
		}
	}
	opt := asynq.RedisClientOpt{
		Network:   "tcp",
		Addr:      strings.Join(r.addrs, ""),
		Username:  r.username,
		Password:  r.password,
		DB:        r.db,
		TLSConfig: r.tlsConfig(),
	}
	if r.scheme == "unix" {
		opt.Network = "unix"
	}
	return opt
}

// UniversalOptions returns go-redis options for r. NewUniversalClient makes
// a single-node client from them for one server (a unix socket path is
// recognised by its leading slash), a failover client for a sentinel URL
// and a cluster client for a cluster URL, even one with a single seed
// address.
func (r Redis) UniversalOptions() *redis.UniversalOptions {
	return &redis.UniversalOptions{
		Addrs:            r.Addrs(),
		Username:         r.username,
		Password:         r.password,
		DB:               r.db,
		MasterName:       r.master,
		SentinelPassword: r.sentinelPassword,
		TLSConfig:        r.tlsConfig(),
		IsClusterMode:    r.kind == RedisCluster,
	}
}

// NewClient returns a go-redis client for r, for Herald's own keys. The
// caller closes it.
func (r Redis) NewClient() redis.UniversalClient {
	return redis.NewUniversalClient(r.UniversalOptions())
}

// NewClientPool is NewClient with a pool of size connections per node
// (0 or less: go-redis's default, 10 per GOMAXPROCS); a worker sizes its
// pool from its concurrency (jobs.PoolSize). A non-empty name is set on
// every connection (CLIENT SETNAME, in the handshake's round trip), so
// that CLIENT LIST tells the process's connections from others': doctor
// counts the workers' that way.
func (r Redis) NewClientPool(name string, size int) redis.UniversalClient {
	o := r.UniversalOptions()
	o.PoolSize = max(size, 0)
	o.ClientName = name
	return redis.NewUniversalClient(o)
}

// Addrs returns the host:port addresses in r (sentinels for a sentinel
// URL, seed nodes for a cluster), or the socket path of a unix URL.
func (r Redis) Addrs() []string { return append([]string(nil), r.addrs...) }

// escapeAt escapes the "@" that net/url leaves in paths, which the parser
// would take for the end of a password.
func escapeAt(s string) string { return strings.ReplaceAll(s, "@", "%40") }
