package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// RedisKind says how Herald reaches Redis.
type RedisKind int

const (
	// RedisSingle is one server, over TCP (redis://, rediss://) or a Unix
	// socket (unix://).
	RedisSingle RedisKind = iota
	// RedisSentinel is a master found through Redis Sentinel
	// (redis-sentinel://).
	RedisSentinel
	// RedisCluster is a Redis Cluster (redis-cluster://).
	RedisCluster
)

func (k RedisKind) String() string {
	switch k {
	case RedisSingle:
		return "single"
	case RedisSentinel:
		return "sentinel"
	case RedisCluster:
		return "cluster"
	}
	return "RedisKind(" + strconv.Itoa(int(k)) + ")"
}

// Redis is the parsed HERALD_REDIS_URL: everything needed to connect to
// Redis, for asynq and for Herald's own keys. Its fields are unexported so
// the password can only leave through a client, never through a log line;
// String redacts it. Make one with ParseRedisURL.
type Redis struct {
	kind             RedisKind
	scheme           string   // as written, lower case: redis, rediss, unix, ...
	addrs            []string // host:port, or the socket path for unix
	username         string
	password         string
	db               int
	master           string
	sentinelPassword string
	tls              bool
	serverName       string // TLS server name, set for rediss:// only
}

const (
	defaultRedisPort    = "6379"
	defaultSentinelPort = "26379"
)

// ParseRedisURL parses a HERALD_REDIS_URL value. The accepted forms are
//
//	redis://[user:password@]host[:port][/db]
//	rediss://[user:password@]host[:port][/db]              (TLS)
//	unix://[user:password@]/path/to/redis.sock[?db=N&password=...]
//	redis-sentinel://[:password@]host1[:port],host2[:port]/mastername[?db=N&sentinel_password=...&tls=true]
//	redis-cluster://[:password@]host1[:port],host2[:port][?tls=true]
//
// Ports default to 6379 (26379 for sentinels). Special characters in a
// password must be percent-encoded. Errors name HERALD_REDIS_URL and the
// problem, never the password.
func ParseRedisURL(s string) (Redis, error) {
	r, problem := parseRedisURL(s)
	if problem != "" {
		return Redis{}, &VarError{Var: envRedisURL, Problem: scrubPasswords(problem, s)}
	}
	return r, nil
}

const envRedisURL = "HERALD_REDIS_URL"

// parseRedisURL does the work of ParseRedisURL and returns what is wrong
// as text. It parses by hand rather than with net/url because url.Parse
// errors quote the whole input, password included, and because it rejects
// the host lists of sentinel and cluster URLs.
func parseRedisURL(s string) (Redis, string) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return Redis{}, "not a URL (want e.g. redis://127.0.0.1:6379/0)"
	}
	r := Redis{scheme: strings.ToLower(scheme)}
	var problem string
	if r.kind, problem = redisKindOf(r.scheme); problem != "" {
		return Redis{}, problem
	}
	if strings.Contains(rest, "#") {
		return Redis{}, `unexpected "#" (write it as %23 if it is part of the password)`
	}
	rest, rawQuery, _ := strings.Cut(rest, "?")
	authority, path, hasPath := strings.Cut(rest, "/")
	hosts, problem := r.setUserinfo(authority, path, rawQuery)
	if problem != "" {
		return Redis{}, problem
	}
	q, problem := parseRedisQuery(rawQuery, r.kind, r.scheme)
	if problem != "" {
		return Redis{}, problem
	}
	if q.password != "" {
		if r.password != "" {
			return Redis{}, "password given twice (in the user info and as ?password=)"
		}
		r.password = q.password
	}
	r.sentinelPassword = q.sentinelPassword
	r.tls = q.tls || r.scheme == "rediss"

	if r.scheme == "unix" {
		problem = r.setSocket(hosts, path, hasPath, q)
	} else {
		problem = r.setServers(hosts, path, q)
	}
	if problem != "" {
		return Redis{}, problem
	}
	return r, ""
}

// redisKindOf maps a URL scheme (lower case) to the kind of deployment.
func redisKindOf(scheme string) (RedisKind, string) {
	switch scheme {
	case "redis", "rediss", "unix":
		return RedisSingle, ""
	case "redis-sentinel":
		return RedisSentinel, ""
	case "redis-cluster":
		return RedisCluster, ""
	}
	const want = "want redis, rediss, unix, redis-sentinel or redis-cluster"
	if isToken(scheme) {
		return 0, fmt.Sprintf("unknown scheme %q (%s)", scheme, want)
	}
	// Not echoed: a mistyped URL may have its password where the scheme is.
	return 0, "unknown scheme (" + want + ")"
}

// setUserinfo takes the user name and password from authority (the last
// "@" ends them, as a password may hold one) and returns the host list.
// An "@" in the path or query instead means a password with an unescaped
// "/" or "?", which cannot be told from the host.
func (r *Redis) setUserinfo(authority, path, rawQuery string) (hosts, problem string) {
	i := strings.LastIndex(authority, "@")
	if i < 0 {
		if strings.Contains(path, "@") || strings.Contains(rawQuery, "@") && !strings.Contains(rawQuery, "=") {
			return "", `cannot tell the password from the host: percent-encode "/", "?" and "#" in the password (%2F, %3F, %23)`
		}
		return authority, ""
	}
	user, pass, hasPass := strings.Cut(authority[:i], ":")
	var err error
	if r.username, err = url.PathUnescape(user); err != nil {
		return "", "bad percent-encoding in the user name"
	}
	if r.password, err = url.PathUnescape(pass); err != nil {
		return "", "bad percent-encoding in the password"
	}
	if hasPass && r.password == "" {
		return "", "empty password after the colon (leave out the colon for no password)"
	}
	return authority[i+1:], ""
}

// setSocket reads a unix:// URL's socket path.
func (r *Redis) setSocket(hosts, path string, hasPath bool, q redisQuery) string {
	if hosts != "" {
		return "a unix socket URL has no host (write unix:///path/to/redis.sock)"
	}
	p, err := url.PathUnescape("/" + path)
	if err != nil {
		return "bad percent-encoding in the socket path"
	}
	if !hasPath || p == "/" {
		return "missing socket path (write unix:///path/to/redis.sock)"
	}
	r.addrs = []string{p}
	r.db = q.db
	return ""
}

// setServers reads the hosts and the path, whose meaning depends on the
// kind: a database number, a sentinel master's name, or nothing.
func (r *Redis) setServers(hosts, path string, q redisQuery) string {
	port := defaultRedisPort
	if r.kind == RedisSentinel {
		port = defaultSentinelPort
	}
	addrs, problem := parseHosts(hosts, port)
	if problem != "" {
		return problem
	}
	r.addrs = addrs
	switch r.kind {
	case RedisSingle:
		return r.setSingle(path, q)
	case RedisSentinel:
		return r.setSentinel(path, q)
	case RedisCluster:
		if path != "" {
			return "a cluster has no databases (remove the /" + safeEcho(path) + ")"
		}
	}
	return ""
}

// setSingle reads one server's database, from the path or ?db=, not both.
func (r *Redis) setSingle(path string, q redisQuery) string {
	if len(r.addrs) > 1 {
		return "more than one host (use redis-sentinel:// or redis-cluster:// for several)"
	}
	if path != "" {
		if q.hasDB {
			return "database given twice (in the path and as ?db=)"
		}
		db, problem := parseDB(path)
		if problem != "" {
			return problem
		}
		q.db = db
	}
	r.db = q.db
	if r.tls {
		host, _, _ := net.SplitHostPort(r.addrs[0])
		r.serverName = host
	}
	return ""
}

// setSentinel reads the master's name, the path's one segment.
func (r *Redis) setSentinel(path string, q redisQuery) string {
	if path == "" {
		return "missing master name (write redis-sentinel://host:26379/mymaster)"
	}
	if strings.Contains(path, "/") {
		return "unexpected path after the master name (give the database as ?db=N)"
	}
	master, err := url.PathUnescape(path)
	if err != nil || master == "" {
		return "bad master name"
	}
	r.master = master
	r.db = q.db
	return ""
}

type redisQuery struct {
	db               int
	hasDB            bool
	password         string
	sentinelPassword string
	tls              bool
}

func parseRedisQuery(raw string, kind RedisKind, scheme string) (redisQuery, string) {
	var q redisQuery
	seen := map[string]bool{}
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return q, "bad percent-encoding in a query parameter name"
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			if isToken(key) {
				return q, fmt.Sprintf("bad percent-encoding in query parameter %q", key)
			}
			return q, "bad percent-encoding in a query parameter"
		}
		if seen[key] && isToken(key) {
			return q, fmt.Sprintf("query parameter %q given twice", key)
		}
		seen[key] = true
		switch key {
		case "db":
			if kind == RedisCluster {
				return q, "a cluster has no databases (remove ?db=)"
			}
			db, problem := parseDB(val)
			if problem != "" {
				return q, problem
			}
			q.db, q.hasDB = db, true
		case "password":
			if val == "" {
				return q, "empty ?password="
			}
			q.password = val
		case "sentinel_password":
			if kind != RedisSentinel {
				return q, "sentinel_password applies to redis-sentinel:// only"
			}
			if val == "" {
				return q, "empty ?sentinel_password="
			}
			q.sentinelPassword = val
		case "tls":
			switch {
			case scheme == "redis" || scheme == "rediss":
				return q, "use rediss:// rather than ?tls= for TLS to a single server"
			case kind == RedisSingle:
				return q, "a unix socket takes no ?tls="
			}
			b, err := strconv.ParseBool(val)
			if err != nil {
				return q, fmt.Sprintf("tls=%s: want true or false", safeEcho(val))
			}
			q.tls = b
		default:
			const allowed = "known: db, password, sentinel_password, tls"
			if isToken(key) {
				return q, fmt.Sprintf("unknown query parameter %q (%s)", key, allowed)
			}
			return q, "unknown query parameter (" + allowed + ")"
		}
	}
	return q, ""
}

func parseDB(s string) (int, string) {
	db, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, fmt.Sprintf("database %s is not a number", safeEcho(s))
	case db < 0:
		return 0, fmt.Sprintf("database %d is negative", db)
	}
	return db, ""
}

// parseHosts splits a comma-separated host list into host:port addresses.
func parseHosts(list, defaultPort string) ([]string, string) {
	if list == "" {
		return nil, "no host (write e.g. redis://127.0.0.1:6379/0)"
	}
	var addrs []string
	for _, h := range strings.Split(list, ",") {
		if h == "" {
			return nil, "empty host in the host list"
		}
		host, port := h, defaultPort
		switch {
		case strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]"):
			host = h[1 : len(h)-1]
		case strings.Contains(h, ":"):
			var err error
			if host, port, err = net.SplitHostPort(h); err != nil {
				return nil, fmt.Sprintf("host %s is not host:port", safeEcho(h))
			}
		}
		if host == "" {
			return nil, fmt.Sprintf("empty host name in %s", safeEcho(h))
		}
		if strings.ContainsAny(host, " \t\r\n[]/\\@") {
			return nil, fmt.Sprintf("bad host name %s", safeEcho(host))
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strings.HasPrefix(port, "+") {
			return nil, fmt.Sprintf("bad port %s for host %s (want 1-65535)", safeEcho(port), safeEcho(host))
		}
		addrs = append(addrs, net.JoinHostPort(host, strconv.Itoa(n)))
	}
	return addrs, ""
}

// isToken reports whether s is short and plain enough to quote in an
// error: a scheme or query parameter name, not a stray piece of password.
func isToken(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '+') {
			return false
		}
	}
	return true
}

// safeEcho quotes s for an error, shortened so a long paste does not
// drown the message.
func safeEcho(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}

// scrubPasswords replaces anything in msg that might be a password written
// in raw. The parser never quotes a password on purpose; this is the net
// under it, for URLs malformed in ways it did not foresee.
func scrubPasswords(msg, raw string) string {
	var candidates []string
	add := func(s string) {
		candidates = append(candidates, s)
		if u, err := url.PathUnescape(s); err == nil {
			candidates = append(candidates, u)
		}
		if u, err := url.QueryUnescape(s); err == nil {
			candidates = append(candidates, u)
		}
	}
	_, rest, _ := strings.Cut(raw, "://")
	authority, _, _ := strings.Cut(rest, "/")
	for _, s := range []string{authority, rest} {
		if i := strings.LastIndex(s, "@"); i >= 0 {
			if _, pass, ok := strings.Cut(s[:i], ":"); ok {
				add(pass)
			}
		}
	}
	if _, query, ok := strings.Cut(rest, "?"); ok {
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if strings.Contains(strings.ToLower(k), "password") {
				add(v)
			}
		}
	}
	for _, c := range candidates {
		if len(c) >= 3 {
			msg = strings.ReplaceAll(msg, c, redacted)
		}
	}
	return msg
}

const redacted = "xxxxx"
