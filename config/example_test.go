package config_test

import (
	"fmt"
	"log"

	"github.com/heraldhq/herald/config"
)

func ExampleLoad() {
	cfg, err := config.Load()
	if err != nil {
		log.Fatal(err) // every problem, one line each
	}
	rdb := cfg.Redis.NewClient()
	defer rdb.Close()
	fmt.Println("worker runs", cfg.WorkerConcurrency, "jobs at once")
}

func ExampleLoadFrom() {
	_, err := config.LoadFrom(map[string]string{
		"HERALD_WORKER_CONCURRENCY": "0",
		"HERALD_RETRY_BASE":         "2h",
		"HERALD_REDIS_URL":          "redis://:hunter2@redis:port/0",
	})
	fmt.Println(err)
	// Output:
	// HERALD_REDIS_URL: bad port "port" for host "redis" (want 1-65535)
	// HERALD_WORKER_CONCURRENCY=0: must be between 1 and 10000
	// HERALD_RETRY_BASE=2h: must not exceed HERALD_RETRY_CAP (1h)
}

func ExampleParseRedisURL() {
	for _, s := range []string{
		"redis://:hunter2@redis:6379/1",
		"unix:///run/redis.sock?db=2",
		"redis-sentinel://:hunter2@s1,s2/mymaster?sentinel_password=hunter3",
		"redis-cluster://h1:7000,h2:7000,h3:7000?tls=true",
	} {
		r, err := config.ParseRedisURL(s)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-8s %T %s\n", r.Kind(), r.AsynqOpt(), r)
	}
	// Output:
	// single   asynq.RedisClientOpt redis://:xxxxx@redis:6379/1
	// single   asynq.RedisClientOpt unix:///run/redis.sock?db=2
	// sentinel asynq.RedisFailoverClientOpt redis-sentinel://:xxxxx@s1:26379,s2:26379/mymaster?db=0&sentinel_password=xxxxx
	// cluster  asynq.RedisClusterClientOpt redis-cluster://h1:7000,h2:7000,h3:7000?tls=true
}
