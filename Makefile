# Herald's everyday commands. `make demo` runs everything locally;
# `make test` runs the tests against a private Redis.
GO      ?= go
PKGS    ?= ./...
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: all build demo test ts-test ts-generate compose-env bench chaos lint vuln redis-server promtool chromium compose-tool node

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/herald ./cmd/herald

## demo: real redis-server, sandbox platform, worker and monitor in one process
demo: redis-server
	$(GO) run ./cmd/herald demo $(DEMO_FLAGS)

## test: every test, with the race detector, on a private Redis, then the TypeScript client's
test: redis-server promtool chromium compose-tool
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 15m $(PKGS)
	$(MAKE) --no-print-directory ts-test

## ts-test: the TypeScript client's tests (clients/typescript), against a real herald; skipped without node
ts-test: redis-server node
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  echo "SKIP ts-test: node and npm are not installed, so clients/typescript is not tested (apt-get install nodejs npm)"; \
	elif ! npm ci --prefix clients/typescript --no-audit --no-fund --silent; then \
	  echo "SKIP ts-test: npm ci failed (is the npm registry reachable?), so clients/typescript is not tested"; \
	else \
	  npm test --prefix clients/typescript; \
	fi

## ts-generate: regenerate the TypeScript client's types from api/openapi.json
ts-generate: node
	npm ci --prefix clients/typescript --no-audit --no-fund --silent
	npm run generate --prefix clients/typescript

## compose-env: write .env with fresh secrets for docker compose (never overwrites an existing .env)
compose-env:
	$(GO) run ./cmd/herald compose-env

## chaos: the chaos suite at full size (make test runs a short version)
chaos: redis-server
	HERALD_CHAOS=full $(GO) test -count=1 -v -timeout 60m ./internal/chaos/

## bench: Herald against bare asynq (and BullMQ) on the same Redis, written to BENCHMARKS.md
bench: redis-server
	@# Figure 7 runs BullMQ (Node) beside Herald; without npm it is skipped.
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix bench/bullmq --no-audit --no-fund --silent || echo "npm ci failed: figure 7 (BullMQ) skips"; else echo "npm missing: figure 7 (BullMQ) skips"; fi
	$(GO) run ./bench --out BENCHMARKS.md
	$(GO) test -run '^$$' -bench . -benchtime 3000x ./jobs/ ./publishers/youtube/

## vuln: known vulnerabilities in Herald's dependencies (needs vuln.go.dev)
vuln:
	$(GO) run golang.org/x/vuln/cmd/govulncheck@latest $(PKGS)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)

# redis-server: install it on Debian-like machines when missing; elsewhere
# say what to install.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing redis-server with apt-get"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis-server is missing: install Redis 6.2 or newer (macOS: brew install redis)"; exit 1; \
	  fi; }

# promtool checks /metrics output, alert rules and the Prometheus config in
# tests; installed with Debian's prometheus package, else those checks skip.
promtool:
	@command -v promtool >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing promtool (Debian's prometheus package) with apt-get"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    { $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } \
	      || echo "could not install promtool: the checks that need it skip"; \
	  else \
	    echo "promtool missing: the checks that need it skip"; \
	  fi; }

# chromium drives the monitor's browser test (internal/e2e); installed with
# Debian's chromium package, else that test skips. The names are the ones
# the test looks for (chromium() in internal/e2e/monitor_browser_test.go).
chromium:
	@for b in chromium chromium-browser google-chrome google-chrome-stable; do command -v $$b >/dev/null 2>&1 && exit 0; done; { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium with apt-get"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    { $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
	      || echo "could not install chromium: the browser test skips"; \
	  else \
	    echo "chromium missing: the browser test skips"; \
	  fi; }

# docker-compose (Debian's package, which needs no Docker engine) checks
# docker-compose.yml with every profile in a test; installed with apt,
# else that test skips.
compose-tool:
	@command -v docker-compose >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing docker-compose with apt-get"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    { $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; } \
	      || echo "could not install docker-compose: the compose check skips"; \
	  else \
	    echo "docker-compose missing: the compose check skips"; \
	  fi; }

# node and npm run the TypeScript client's tests; installed with apt,
# else those tests skip.
node:
	@{ command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing nodejs and npm with apt-get"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    { $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; } \
	      || echo "could not install nodejs and npm: the TypeScript client's tests skip"; \
	  else \
	    echo "node missing: the TypeScript client's tests skip"; \
	  fi; }
