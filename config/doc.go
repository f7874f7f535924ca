// Package config is Herald's configuration: every setting, read once from
// HERALD_* environment variables into a typed Config. No other package
// reads the environment, so this file's struct tags are the one list of
// what can be set; README.md's table, `herald doctor` and the check of
// docker-compose.yml are all generated from it (Vars, Values, Markdown).
//
// Load checks everything before anything starts and reports every problem
// at once, one line each, naming the variable:
//
//	HERALD_WORKER_CONCURRENCY=0: must be between 1 and 10000
//	HERALD_RETRY_BASE=2h: must not exceed HERALD_RETRY_CAP (1h)
//
// Values of secret variables, and passwords inside HERALD_REDIS_URL, never
// appear in errors or printed values.
//
// One setting, HERALD_REDIS_URL, says how to reach Redis whether it is one
// server, a Unix socket, a Sentinel-watched master or a Cluster. Redis,
// the parsed form, gives both the asynq connection option and the go-redis
// client for Herald's own keys, so the two always talk to the same Redis:
//
//	cfg, err := config.Load()
//	if err != nil {
//		return err
//	}
//	rdb := cfg.Redis.NewClient()
//	defer rdb.Close()
//	srv := asynq.NewServer(cfg.Redis.AsynqOpt(), asynq.Config{Concurrency: cfg.WorkerConcurrency})
package config
