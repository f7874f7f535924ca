package config

import (
	"crypto/tls"
	"reflect"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

func TestParseRedisURL(t *testing.T) {
	tlsTo := func(name string) *tls.Config { return &tls.Config{ServerName: name, MinVersion: tls.VersionTLS12} }
	tests := []struct {
		url    string
		kind   RedisKind
		asynq  asynq.RedisConnOpt
		string string
	}{
		{"redis://127.0.0.1:6379/0", RedisSingle,
			asynq.RedisClientOpt{Network: "tcp", Addr: "127.0.0.1:6379"},
			"redis://127.0.0.1:6379/0"},
		{"redis://redis", RedisSingle,
			asynq.RedisClientOpt{Network: "tcp", Addr: "redis:6379"},
			"redis://redis:6379/0"},
		{"REDIS://u:p%40ss@[::1]/3", RedisSingle,
			asynq.RedisClientOpt{Network: "tcp", Addr: "[::1]:6379", Username: "u", Password: "p@ss", DB: 3},
			"redis://u:xxxxx@[::1]:6379/3"},
		{"rediss://:pw@redis.example:6380/2", RedisSingle,
			asynq.RedisClientOpt{Network: "tcp", Addr: "redis.example:6380", Password: "pw", DB: 2, TLSConfig: tlsTo("redis.example")},
			"rediss://:xxxxx@redis.example:6380/2"},
		{"unix:///run/redis/redis.sock?db=4&password=s%26cret", RedisSingle,
			asynq.RedisClientOpt{Network: "unix", Addr: "/run/redis/redis.sock", Password: "s&cret", DB: 4},
			"unix://:xxxxx@/run/redis/redis.sock?db=4"},
		{"unix://user:pw@/tmp/r.sock", RedisSingle,
			asynq.RedisClientOpt{Network: "unix", Addr: "/tmp/r.sock", Username: "user", Password: "pw"},
			"unix://user:xxxxx@/tmp/r.sock?db=0"},
		{"redis-sentinel://:mpw@s1,s2:26380,10.0.0.3/mymaster?db=1&sentinel_password=spw", RedisSentinel,
			asynq.RedisFailoverClientOpt{MasterName: "mymaster", SentinelAddrs: []string{"s1:26379", "s2:26380", "10.0.0.3:26379"},
				Password: "mpw", SentinelPassword: "spw", DB: 1},
			"redis-sentinel://:xxxxx@s1:26379,s2:26380,10.0.0.3:26379/mymaster?db=1&sentinel_password=xxxxx"},
		{"redis-sentinel://s1/m?tls=true", RedisSentinel,
			asynq.RedisFailoverClientOpt{MasterName: "m", SentinelAddrs: []string{"s1:26379"}, TLSConfig: tlsTo("")},
			"redis-sentinel://s1:26379/m?db=0&tls=true"},
		{"redis-cluster://:cpw@h1:7000,h2:7001,h3", RedisCluster,
			asynq.RedisClusterClientOpt{Addrs: []string{"h1:7000", "h2:7001", "h3:6379"}, Password: "cpw"},
			"redis-cluster://:xxxxx@h1:7000,h2:7001,h3:6379"},
		{"redis-cluster://h1:7000?tls=true", RedisCluster,
			asynq.RedisClusterClientOpt{Addrs: []string{"h1:7000"}, TLSConfig: tlsTo("")},
			"redis-cluster://h1:7000?tls=true"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			r, err := ParseRedisURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind() != tt.kind {
				t.Errorf("Kind %v, want %v", r.Kind(), tt.kind)
			}
			if got := r.AsynqOpt(); !reflect.DeepEqual(got, tt.asynq) {
				t.Errorf("AsynqOpt\n got %#v\nwant %#v", got, tt.asynq)
			}
			if got := r.String(); got != tt.string {
				t.Errorf("String %s, want %s", got, tt.string)
			}
			// Written back unredacted, the URL parses to the same setting.
			if again, err := ParseRedisURL(r.url(false)); err != nil || !reflect.DeepEqual(again, r) {
				t.Errorf("round trip through %s: %v, %v", r.url(false), again, err)
			}
		})
	}
}

func TestRedisClients(t *testing.T) {
	tests := []struct {
		url  string
		want any
		opts redis.UniversalOptions
	}{
		{"redis://:pw@h:1/2", &redis.Client{}, redis.UniversalOptions{Addrs: []string{"h:1"}, Password: "pw", DB: 2}},
		{"unix:///tmp/r.sock?db=3", &redis.Client{}, redis.UniversalOptions{Addrs: []string{"/tmp/r.sock"}, DB: 3}},
		{"redis-sentinel://s1,s2/m?sentinel_password=sp", &redis.Client{}, redis.UniversalOptions{
			Addrs: []string{"s1:26379", "s2:26379"}, MasterName: "m", SentinelPassword: "sp"}},
		{"redis-cluster://h1:7000", &redis.ClusterClient{}, redis.UniversalOptions{Addrs: []string{"h1:7000"}, IsClusterMode: true}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			r, err := ParseRedisURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.UniversalOptions(); !reflect.DeepEqual(*got, tt.opts) {
				t.Errorf("UniversalOptions\n got %+v\nwant %+v", *got, tt.opts)
			}
			c := r.NewClient()
			defer c.Close()
			if reflect.TypeOf(c) != reflect.TypeOf(tt.want) {
				t.Errorf("NewClient is a %T, want %T", c, tt.want)
			}
		})
	}
}

func TestParseRedisURLErrors(t *testing.T) {
	tests := []struct{ url, want string }{
		{"127.0.0.1:6379", "not a URL"},
		{"http://h", `unknown scheme "http"`},
		{"redis://:pw@h:port", `bad port "port" for host "h"`},
		{"redis://h:0", `bad port "0"`},
		{"redis://h:65536", `bad port "65536"`},
		{"redis://h/abc", `database "abc" is not a number`},
		{"redis://h/-1", "database -1 is negative"},
		{"redis://h/1?db=2", "database given twice"},
		{"redis://", "no host"},
		{"redis://:pw@", "no host"},
		{"redis://a,b", "more than one host"},
		{"redis://h?foo=1", `unknown query parameter "foo"`},
		{"redis://h?tls=true", "use rediss://"},
		{"redis://h?db=1&db=2", `query parameter "db" given twice`},
		{"redis://:pa/ss@h", "cannot tell the password from the host"},
		{"redis://:pa#ss@h", `unexpected "#"`},
		{"redis://:p%zz@h", "bad percent-encoding in the password"},
		{"redis://:@h", "empty password"},
		{"redis://:pw@h?password=pw2", "password given twice"},
		{"unix://", "missing socket path"},
		{"unix://host/tmp/r.sock", "has no host"},
		{"unix:///tmp/r.sock?tls=true", "no ?tls="},
		{"unix:///tmp/r.sock?db=x", `database "x" is not a number`},
		{"redis-sentinel://s1:26379", "missing master name"},
		{"redis-sentinel://s1:26379/", "missing master name"},
		{"redis-sentinel://s1/m/0", "unexpected path after the master name"},
		{"redis-sentinel://s1,,s2/m", "empty host in the host list"},
		{"redis-sentinel://s1/m?tls=yes", `tls="yes": want true or false`},
		{"redis-cluster://h1,h2/0", "a cluster has no databases"},
		{"redis-cluster://h1?db=0", "a cluster has no databases"},
		{"redis-cluster://h1?sentinel_password=x", "sentinel_password applies to redis-sentinel:// only"},
		{"redis-cluster://:7000", "empty host name"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := ParseRedisURL(tt.url)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "HERALD_REDIS_URL: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want HERALD_REDIS_URL: ...%s...", msg, tt.want)
			}
			for _, pw := range []string{"pa/ss", "pa#ss", "pw2", ":pw"} {
				if strings.Contains(tt.url, pw) && strings.Contains(msg, pw) {
					t.Errorf("error %q shows password %q", msg, pw)
				}
			}
		})
	}
}

func TestRedisNeverPrintsPasswords(t *testing.T) {
	r, err := ParseRedisURL("redis-sentinel://user:M4sterPw@s1/m?sentinel_password=S3ntinelPw&tls=true")
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{r, Config{Redis: r}, &Config{Redis: r}} {
			s := sprintf(verb, v)
			if strings.Contains(s, "M4sterPw") || strings.Contains(s, "S3ntinelPw") {
				t.Errorf("%s of %T shows a password: %s", verb, v, s)
			}
		}
	}
}
